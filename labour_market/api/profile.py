"""Assembling the occupation profile response in the requested language."""

import re

from sqlalchemy.orm import Session

from labour_market import occupations, regional_wages
from labour_market.api.schemas import (
    NationalWageOut,
    NocGroupOut,
    OccupationProfileOut,
    OutlookOut,
    RatingOut,
    RegionalWageOut,
    RegionOut,
    SkillsOut,
    TeerOut,
    WageYearOut,
    WagesOut,
)
from labour_market.importing.loaders.oasis import SCALE_MAX
from labour_market.importing.loaders.outlook import COPS_PERIOD
from models.geography import Region
from models.occupations import NocClass
from models.outlook import OccupationOutlook
from models.skills import UnitGroupRating
from models.wages import NationalWage
from service.language import Language

TOP_RATINGS = 10
COPS_SOURCE = "ESDC, Canadian Occupational Projection System (COPS) 2024–2033, national"
OASIS_SOURCE = "ESDC OaSIS: skills 2025 v1.1; abilities, knowledge and work activities 2023 v1.0"
REGIONAL_WAGE_SOURCE = "Job Bank wages by province and economic region"
NATIONAL_WAGE_SOURCE = "Job Bank wages 2025, Canada"
AGGREGATE_PREFIX = re.compile(r"^(TEER|FÉER)\s*\d\s*:\s*")


def build_profile(session: Session, code: str, lang: Language, region_name: str | None) -> OccupationProfileOut:
    requested_region = regional_wages.resolve_region(session, region_name) if region_name else None
    unit_group = occupations.get_unit_group(session, code)
    aggregates = occupations.aggregate_outlook_names(session)
    elements = occupations.elements_by_type(session, code)
    groups = [_group(group, lang, aggregates) for group in occupations.ancestors(session, unit_group)]
    national = session.get(NationalWage, code)
    untranslated = []
    if lang == "fr":
        untranslated = ["definition", "main_duties", "employment_requirements", "additional_information",
                        "inclusions", "exclusions", "illustrative_examples", "skills"]
        if any(group.title_fr is None for group in groups):
            untranslated.append("groups")
    return OccupationProfileOut(
        noc_code=code,
        lang=lang,
        title=_pick(lang, unit_group.title_en, unit_group.title_fr),
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
        outlook=_outlook(occupations.outlook_for(session, code), lang),
        wages=WagesOut(
            national=_national_wage(national),
            regional=_regional_wage(session, code, requested_region, national, lang) if requested_region else None,
        ),
        untranslated=untranslated,
    )


def _pick(lang: Language, english: str, french: str | None) -> str:
    return french if lang == "fr" and french else english


def _aggregate_label(row: OccupationOutlook | None, lang: Language) -> str | None:
    if row is None:
        return None
    return AGGREGATE_PREFIX.sub("", row.name_fr if lang == "fr" else row.name_en)


def _teer(unit_group: NocClass, lang: Language, aggregates: dict[str, OccupationOutlook]) -> TeerOut:
    assert unit_group.teer is not None and unit_group.teer_label_en is not None
    label_fr = _aggregate_label(aggregates.get(f"TEER_{unit_group.teer}"), "fr")
    return TeerOut(
        code=unit_group.teer,
        label=_pick(lang, unit_group.teer_label_en, label_fr),
        label_en=unit_group.teer_label_en,
        label_fr=label_fr,
    )


def _group(group: NocClass, lang: Language, aggregates: dict[str, OccupationOutlook]) -> NocGroupOut:
    title_fr = group.title_fr
    if group.level == 1:
        title_fr = _aggregate_label(aggregates.get(f"NOC1_{group.code}"), "fr")
    return NocGroupOut(
        level=group.level,
        level_name=group.level_name,
        code=group.code,
        title=_pick(lang, group.title_en, title_fr),
        title_en=group.title_en,
        title_fr=title_fr,
    )


def _ratings(ratings: list[UnitGroupRating], limit: int | None = None) -> list[RatingOut]:
    return [
        RatingOut(name=r.descriptor, level=r.rating, scale_max=SCALE_MAX[r.dimension]) for r in ratings[:limit]
    ]


def _skills(by_dimension: dict[str, list[UnitGroupRating]]) -> SkillsOut | None:
    skills = by_dimension.get("skill")
    if not skills:
        return None
    return SkillsOut(
        source=OASIS_SOURCE,
        profile_count=skills[0].profile_count,
        skills=_ratings(skills),
        top_knowledge=_ratings(by_dimension.get("knowledge", []), TOP_RATINGS),
        top_abilities=_ratings(by_dimension.get("ability", []), TOP_RATINGS),
        top_work_activities=_ratings(by_dimension.get("work_activity", []), TOP_RATINGS),
    )


def _outlook(outlook: OccupationOutlook | None, lang: Language) -> OutlookOut | None:
    if outlook is None:
        return None
    french = lang == "fr"
    return OutlookOut(
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
        source=COPS_SOURCE,
    )


def _national_wage(wage: NationalWage | None) -> NationalWageOut | None:
    if wage is None:
        return None
    return NationalWageOut(
        low=wage.low,
        median=wage.median,
        high=wage.high,
        unit=wage.unit,
        reference_period=wage.reference_period,
        source=f"{NATIONAL_WAGE_SOURCE} ({wage.source})" if wage.source else NATIONAL_WAGE_SOURCE,
        release_date=wage.release_date,
        note=wage.note,
    )


def region_out(region: Region, lang: Language) -> RegionOut:
    return RegionOut(
        code=region.code,
        level=region.level,
        name=_pick(lang, region.name_en, region.name_fr),
        name_en=region.name_en,
        name_fr=region.name_fr,
        province_code=region.province_code,
        province_abbr=region.province_abbr,
        wage_code=region.wage_code,
    )


LEVEL_NAMES = {
    "en": {"country": "country", "province": "province or territory", "economic_region": "economic region"},
    "fr": {"country": "pays", "province": "province ou territoire", "economic_region": "région économique"},
}


def _area(region: Region, lang: Language) -> str:
    name = region.name_fr if lang == "fr" else region.name_en
    return f"{name} ({LEVEL_NAMES[lang][region.level]} {region.wage_code})"


def _fallback_note(requested: Region, shown: Region, lang: Language) -> str:
    if lang == "fr":
        return f"Aucun salaire publié pour {_area(requested, lang)} ; chiffres de {_area(shown, lang)}."
    return f"No wage is published for {_area(requested, lang)}; the figures are for {_area(shown, lang)}."


def _regional_wage(
    session: Session, code: str, requested: Region, national: NationalWage | None, lang: Language
) -> RegionalWageOut | None:
    lookup = regional_wages.regional_wage(session, code, requested)
    if lookup is not None:
        latest = lookup.latest
        return RegionalWageOut(
            requested_region=region_out(requested, lang),
            region=region_out(lookup.region, lang),
            fallback=lookup.fell_back,
            fallback_note=_fallback_note(requested, lookup.region, lang) if lookup.fell_back else None,
            low=latest.low,
            median=latest.median,
            high=latest.high,
            unit="hour",
            reference_period=str(latest.year),
            source=f"{REGIONAL_WAGE_SOURCE} ({latest.year})",
            history=[WageYearOut(year=w.year, low=w.low, median=w.median, high=w.high) for w in lookup.wages],
        )
    if national is None or national.median is None:
        return None
    canada = session.get_one(Region, regional_wages.CANADA)
    return RegionalWageOut(
        requested_region=region_out(requested, lang),
        region=region_out(canada, lang),
        fallback=requested.code != canada.code,
        fallback_note=_fallback_note(requested, canada, lang) if requested.code != canada.code else None,
        low=national.low,
        median=national.median,
        high=national.high,
        unit=national.unit,
        reference_period=national.reference_period or "",
        source=NATIONAL_WAGE_SOURCE,
        history=[],
    )
