"""The profile of a NOC 2021 unit group in one language: titles, TEER, groups, duties, skills,
outlook and wages (national, and for a region with its fallback)."""

import datetime as dt
import re
from dataclasses import dataclass

from sqlalchemy.orm import Session

from labour_market import occupations, regional_wages
from labour_market.datasets import (
    COPS_LABEL,
    COPS_PERIOD,
    NATIONAL_WAGES_LABEL,
    OASIS_LABEL,
    OASIS_SCALES,
    REGIONAL_WAGES_LABEL,
)
from labour_market.language import Language, pick
from labour_market.regions import RegionInfo, describe_area, region_info
from models.geography import Region
from models.occupations import NocClass
from models.outlook import OccupationOutlook
from models.skills import UnitGroupRating
from models.wages import NationalWage

TOP_RATINGS = 10
AGGREGATE_PREFIX = re.compile(r"^(TEER|FÉER)\s*\d\s*:\s*")
# Published in English only: listed in a French profile's `untranslated`.
ENGLISH_ONLY_FIELDS = (
    "definition",
    "main_duties",
    "employment_requirements",
    "additional_information",
    "inclusions",
    "exclusions",
    "illustrative_examples",
    "skills",
)


@dataclass(frozen=True)
class Teer:
    code: int
    label: str
    label_en: str
    label_fr: str | None


@dataclass(frozen=True)
class NocGroup:
    level: int
    level_name: str
    code: str
    title: str
    title_en: str
    title_fr: str | None


@dataclass(frozen=True)
class Rating:
    name: str
    level: float
    scale_max: float


@dataclass(frozen=True)
class Skills:
    source: str
    profile_count: int
    skills: list[Rating]
    top_knowledge: list[Rating]
    top_abilities: list[Rating]
    top_work_activities: list[Rating]


@dataclass(frozen=True)
class Outlook:
    period: str
    future_conditions: str | None
    future_conditions_en: str | None
    future_conditions_fr: str | None
    recent_conditions: str | None
    employment_2023: float | None
    employment_growth: float | None
    retirements: float | None
    job_openings: float | None
    job_seekers: float | None
    source: str


@dataclass(frozen=True)
class NationalWageFigures:
    low: float | None
    median: float | None
    high: float | None
    unit: str
    reference_period: str | None
    source: str | None
    release_date: dt.date | None
    note: str | None
    region_code: str = regional_wages.CANADA


@dataclass(frozen=True)
class WageYear:
    year: int
    low: float | None
    median: float | None
    high: float | None


@dataclass(frozen=True)
class RegionalWageFigures:
    requested_region: RegionInfo
    region: RegionInfo
    fallback: bool
    fallback_note: str | None
    low: float | None
    median: float | None
    high: float | None
    unit: str
    reference_period: str
    source: str
    history: list[WageYear]


@dataclass(frozen=True)
class Wages:
    national: NationalWageFigures | None
    regional: RegionalWageFigures | None


@dataclass(frozen=True)
class OccupationProfile:
    noc_code: str
    lang: Language
    title: str
    title_en: str
    title_fr: str | None
    teer: Teer
    groups: list[NocGroup]
    definition: str | None
    main_duties: list[str]
    employment_requirements: list[str]
    additional_information: list[str]
    inclusions: list[str]
    exclusions: list[str]
    illustrative_examples: list[str]
    example_titles: list[str]
    skills: Skills | None
    outlook: Outlook | None
    wages: Wages
    untranslated: list[str]


def occupation_profile(session: Session, code: str, lang: Language, region_name: str | None) -> OccupationProfile:
    """The unit group's profile; raises UnknownRegion or OccupationNotFound (the region is checked first)."""
    market = market_summary(session, code, lang, region_name)
    unit_group = occupations.get_unit_group(session, code)  # already in the session: no second query
    aggregates = occupations.aggregate_outlook_names(session)
    elements = occupations.elements_by_type(session, code)
    groups = [_group(group, lang, aggregates) for group in occupations.ancestors(session, unit_group)]
    untranslated: list[str] = []
    if lang == "fr":
        untranslated = list(ENGLISH_ONLY_FIELDS)
        if any(group.title_fr is None for group in groups):
            untranslated.append("groups")
    return OccupationProfile(
        noc_code=code,
        lang=lang,
        title=pick(lang, unit_group.title_en, unit_group.title_fr),
        title_en=unit_group.title_en,
        title_fr=unit_group.title_fr,
        teer=_teer(unit_group, lang, aggregates),
        groups=groups,
        definition=unit_group.definition_en,
        main_duties=elements.get("Main duties", []),
        employment_requirements=elements.get("Employment requirements", []),
        additional_information=elements.get("Additional information", []),
        inclusions=elements.get("Inclusion(s)", []),
        exclusions=elements.get("Exclusion(s)", []),
        illustrative_examples=elements.get("Illustrative example(s)", []),
        example_titles=occupations.example_titles(session, code, lang),
        skills=_skills(occupations.ratings_by_dimension(session, code)),
        outlook=market.outlook,
        wages=market.wages,
        untranslated=untranslated,
    )


def _aggregate_label(row: OccupationOutlook | None, lang: Language) -> str | None:
    if row is None:
        return None
    return AGGREGATE_PREFIX.sub("", row.name_fr if lang == "fr" else row.name_en)


def _teer(unit_group: NocClass, lang: Language, aggregates: dict[str, OccupationOutlook]) -> Teer:
    assert unit_group.teer is not None and unit_group.teer_label_en is not None
    label_fr = _aggregate_label(aggregates.get(f"TEER_{unit_group.teer}"), "fr")
    return Teer(
        code=unit_group.teer,
        label=pick(lang, unit_group.teer_label_en, label_fr),
        label_en=unit_group.teer_label_en,
        label_fr=label_fr,
    )


def _group(group: NocClass, lang: Language, aggregates: dict[str, OccupationOutlook]) -> NocGroup:
    title_fr = group.title_fr
    if group.level == 1:
        title_fr = _aggregate_label(aggregates.get(f"NOC1_{group.code}"), "fr")
    return NocGroup(
        level=group.level,
        level_name=group.level_name,
        code=group.code,
        title=pick(lang, group.title_en, title_fr),
        title_en=group.title_en,
        title_fr=title_fr,
    )


def _ratings(ratings: list[UnitGroupRating], limit: int | None = None) -> list[Rating]:
    return [
        Rating(name=rating.descriptor, level=rating.rating, scale_max=OASIS_SCALES[rating.dimension][1])
        for rating in ratings[:limit]
    ]


def _skills(by_dimension: dict[str, list[UnitGroupRating]]) -> Skills | None:
    skills = by_dimension.get("skill")
    if not skills:
        return None
    return Skills(
        source=OASIS_LABEL,
        profile_count=skills[0].profile_count,
        skills=_ratings(skills),
        top_knowledge=_ratings(by_dimension.get("knowledge", []), TOP_RATINGS),
        top_abilities=_ratings(by_dimension.get("ability", []), TOP_RATINGS),
        top_work_activities=_ratings(by_dimension.get("work_activity", []), TOP_RATINGS),
    )


def _outlook(outlook: OccupationOutlook | None, lang: Language) -> Outlook | None:
    if outlook is None:
        return None
    french = lang == "fr"
    return Outlook(
        period=COPS_PERIOD,
        future_conditions=outlook.future_conditions_fr if french else outlook.future_conditions_en,
        future_conditions_en=outlook.future_conditions_en,
        future_conditions_fr=outlook.future_conditions_fr,
        recent_conditions=outlook.recent_conditions_fr if french else outlook.recent_conditions_en,
        employment_2023=outlook.employment_2023,
        employment_growth=outlook.employment_growth,
        retirements=outlook.retirements,
        job_openings=outlook.job_openings,
        job_seekers=outlook.job_seekers,
        source=COPS_LABEL,
    )


def _national_wage(wage: NationalWage | None) -> NationalWageFigures | None:
    if wage is None:
        return None
    return NationalWageFigures(
        low=wage.low,
        median=wage.median,
        high=wage.high,
        unit=wage.unit,
        reference_period=wage.reference_period,
        source=f"{NATIONAL_WAGES_LABEL} ({wage.source})" if wage.source else NATIONAL_WAGES_LABEL,
        release_date=wage.release_date,
        note=wage.note,
    )


def _fallback_note(requested: Region, shown: Region, lang: Language) -> str:
    if lang == "fr":
        return f"Aucun salaire publié pour {describe_area(requested, lang)} ; chiffres de {describe_area(shown, lang)}."
    return (
        f"No wage is published for {describe_area(requested, lang)}; the figures are for {describe_area(shown, lang)}."
    )


def _regional_wage(
    session: Session, code: str, requested: Region, national: NationalWage | None, lang: Language
) -> RegionalWageFigures | None:
    lookup = regional_wages.regional_wage(session, code, requested)
    if lookup is not None:
        latest = lookup.latest
        return RegionalWageFigures(
            requested_region=region_info(requested, lang),
            region=region_info(lookup.region, lang),
            fallback=lookup.fell_back,
            fallback_note=_fallback_note(requested, lookup.region, lang) if lookup.fell_back else None,
            low=latest.low,
            median=latest.median,
            high=latest.high,
            unit="hour",
            reference_period=str(latest.year),
            source=f"{REGIONAL_WAGES_LABEL} ({latest.year})",
            history=[WageYear(year=w.year, low=w.low, median=w.median, high=w.high) for w in lookup.wages],
        )
    if national is None or national.median is None:
        return None
    canada = session.get_one(Region, regional_wages.CANADA)
    fell_back = requested.code != canada.code
    return RegionalWageFigures(
        requested_region=region_info(requested, lang),
        region=region_info(canada, lang),
        fallback=fell_back,
        fallback_note=_fallback_note(requested, canada, lang) if fell_back else None,
        low=national.low,
        median=national.median,
        high=national.high,
        unit=national.unit,
        reference_period=national.reference_period or "",
        source=NATIONAL_WAGES_LABEL,
        history=[],
    )


@dataclass(frozen=True)
class MarketSummary:
    """What a recommendation shows of the occupation: its TEER and definition (published in English
    only), its outlook and wages."""

    teer: int | None
    definition: str | None
    outlook: Outlook | None
    wages: Wages


def market_summary(session: Session, code: str, lang: Language, region_name: str | None) -> MarketSummary:
    """The outlook and wages of a unit group (a lighter `occupation_profile`); raises UnknownRegion
    or OccupationNotFound (the region is checked first)."""
    requested_region = regional_wages.resolve_region(session, region_name) if region_name else None
    unit_group = occupations.get_unit_group(session, code)
    national = session.get(NationalWage, code)
    return MarketSummary(
        teer=unit_group.teer,
        definition=unit_group.definition_en,
        outlook=_outlook(occupations.outlook_for(session, code), lang),
        wages=Wages(
            national=_national_wage(national),
            regional=_regional_wage(session, code, requested_region, national, lang) if requested_region else None,
        ),
    )
