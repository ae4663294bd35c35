"""What the public page shows, as ready-made text in the page's language: the search form's choices,
and a recommendation as sentences (wages and outlook with their source and period), skill lines and
program cards whose links go through the tracked links. Text the person typed is echoed isolated in
``<bdi>``, without direction controls (see `typed`)."""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from analytics.tracking import Served
from careers.market import WageChange
from careers.search import CareerMoves, SkillSearch
from labour_market.profile import MarketSummary
from labour_market.regions import RegionInfo
from matching.engine import Match
from matching.suggest import Suggestion
from recommendations.recommend import Program
from service.api.recommendations.page_format import LOCALES, money, number, percent
from service.api.recommendations.page_query import COST_STEPS, HOUR_STEPS, PageQuery
from service.api.recommendations.page_text import PageLanguage

CONFIDENT_MATCHES = ("code", "noc2016_code")
TO_LEARN_SHOWN = 3  # skills to learn shown for each job of a list (a skills search's, the moves')
DESCRIPTION_SENTENCES = 2
# Unicode's explicit direction controls: embeddings and overrides (LRE, RLE, PDF, LRO, RLO), isolates
# (LRI, RLI, FSI, PDI) and marks (LRM, RLM, ALM).
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    selected: bool


@dataclass(frozen=True)
class OptionGroup:
    label: str
    options: list[Option]


@dataclass(frozen=True)
class FormChoices:
    regions: list[OptionGroup]
    all_canada: Option
    modes: list[Option]
    costs: list[Option]
    hours: list[Option]
    aids: list[Option]
    teach: list[Option]


@dataclass(frozen=True)
class Link:
    label: str
    address: str


@dataclass(frozen=True)
class SkillLine:
    name: str
    level: str
    have: bool


@dataclass(frozen=True)
class ProgramCard:
    title: str
    title_lang: str | None  # the catalog's language when it is not the page's (read so by screen readers)
    tracked_url: str
    impression_id: str
    offered: str
    facts: list[str]
    reason: str
    derived_note: str | None


@dataclass(frozen=True)
class OccupationLine:
    """An occupation in a list (a skills search's answer, the moves from a result): a link to its own
    result, with a few short facts."""

    title: str
    noc_label: str
    address: str
    facts: list[Markup]


@dataclass(frozen=True)
class SkillResultView:
    """The answer to "What can you do?": the occupations that use it, closest first."""

    occupations: list[OccupationLine]
    no_match: bool
    unrecognized: Markup | None
    announcement: str


@dataclass(frozen=True)
class ResultView:
    title: str
    noc_label: str
    closest_to: Markup
    confident: bool
    alternatives: list[Link]
    training: str
    teer_code: str
    description: str | None
    description_in_english: bool
    wage_lines: list[str]
    outlook_lines: list[str]
    skills: list[SkillLine]
    personalized: bool
    current_job: str | None
    programs: list[ProgramCard]
    announcement: str
    noc_code: str
    region_code: str
    moves: list[OccupationLine] = field(default_factory=list)  # jobs a person in this one could move to


@dataclass(frozen=True)
class NoMatchView:
    message: Markup
    try_titles: list[Link]
    announcement: str


def form_choices(query: PageQuery, regions: Sequence[RegionInfo], t: dict[str, str]) -> FormChoices:
    lang = query.lang
    provinces = [region for region in regions if region.level == "province"]
    groups = [OptionGroup(t["provinces"], [_region_option(region, query.region) for region in provinces])]
    for province in provinces:
        inside = [
            region for region in regions if region.level == "economic_region" and region.province_code == province.code
        ]
        if inside:
            label = t["economic_regions"].format(province=province.name)
            groups.append(OptionGroup(label, [_region_option(region, query.region) for region in inside]))
    costs = [Option("", t["cost_any"], query.cost is None)] + [
        Option(
            str(step),
            t["cost_free"] if step == 0 else t["cost_up_to"].format(amount=money(step, lang, cents=False)),
            query.cost == step,
        )
        for step in COST_STEPS
    ]
    hours = [Option("", t["hours_any"], query.hours is None)] + [
        Option(str(step), t["hours_up_to"].format(hours=number(step, lang)), query.hours == step) for step in HOUR_STEPS
    ]
    return FormChoices(
        regions=groups,
        all_canada=Option("", t["all_canada"], not query.region),
        modes=_options(query.mode, t, "mode", ("", "online", "in_person", "hybrid")),
        costs=costs,
        hours=hours,
        aids=[Option("", t["aid_any"], not query.aid), Option("OSAP", t["aid_osap"], query.aid == "OSAP")],
        teach=_options(query.teach, t, "teach", ("", "en", "fr")),
    )


def result_view(served: Served, query: PageQuery, t: dict[str, str]) -> ResultView | NoMatchView:
    """The recommendation as the page shows it (a NoMatchView when no occupation was found)."""
    answer = served.recommendation
    lang = query.lang
    occupation = answer.occupation
    if occupation is None or answer.market is None:
        return no_match_view(query, t)
    title = _title(occupation, lang)
    market = answer.market
    programs = [
        _card(program, impression_id, f"/r/{token}", t, lang)
        for program, impression_id, token in zip(answer.programs, served.impression_ids, served.tokens, strict=True)
    ]
    personalized = bool(query.skill_list()) or answer.current_occupation is not None
    current = answer.current_occupation
    return ResultView(
        title=title,
        noc_label=t["noc"].format(code=occupation.noc_code),
        closest_to=with_typed(t["closest_to"], query=query.title),
        confident=occupation.confidence == "high"
        or occupation.match_type in CONFIDENT_MATCHES
        or query.noc is not None,
        alternatives=[
            Link(f"{_title(match, lang)} ({t['noc'].format(code=match.noc_code)})", query.address(noc=match.noc_code))
            for match in answer.alternatives
        ],
        training=t[f"teer_{market.teer}"] if market.teer is not None else "",
        teer_code=t["teer_code"].format(teer=market.teer) if market.teer is not None else "",
        description=_first_sentences(market.definition),
        description_in_english=lang == "fr",
        wage_lines=wage_lines(market, t, lang),
        outlook_lines=outlook_lines(market, t, lang),
        skills=[
            SkillLine(
                skill.label,
                t["skill_level"].format(level=_level(skill.level, lang), max=_level(skill.scale_max, lang)),
                skill.covered_by_person,
            )
            for skill in answer.skills
        ],
        personalized=personalized,
        current_job=t["current_job"].format(title=_title(current, lang), noc=t["noc"].format(code=current.noc_code))
        if current
        else None,
        programs=programs,
        announcement=t["announce_results"].format(count=number(len(programs), lang), title=title),
        noc_code=occupation.noc_code,
        region_code=query.region,
    )


def no_match_view(query: PageQuery, t: dict[str, str], similar: Sequence[Suggestion] = ()) -> NoMatchView:
    """No occupation for the title; `similar` titles to try, each a search of its own."""
    tries = [Link(suggestion.title, query.address(q=suggestion.title, noc=None)) for suggestion in similar]
    return NoMatchView(with_typed(t["no_match"], query=query.title), tries, t["announce_no_match"])


def skill_result_view(found: SkillSearch | None, query: PageQuery, t: dict[str, str]) -> SkillResultView:
    """The occupations that use what the person can do (None: no skill could be read in it), each a
    link to its own result with the skills of the person's it uses and a few to learn."""
    lang = query.lang
    if found is None or found.no_match or not found.occupations:
        return SkillResultView([], True, None, t["announce_can_no_match"])
    occupations = []
    for occupation in found.occupations:
        facts = []
        uses = list(dict.fromkeys(matched.input for matched in occupation.matched))
        if uses:
            facts.append(escape(t["can_uses"]).format(skills=typed_list(uses)))
        if learn := _to_learn([skill.name for skill in occupation.to_learn], t):
            facts.append(learn)
        occupations.append(_occupation_line(occupation.noc_code, occupation.title, facts, query, t))
    unrecognized = escape(t["can_unrecognized"]).format(skills=typed_list(found.unrecognized))
    return SkillResultView(
        occupations=occupations,
        no_match=False,
        unrecognized=unrecognized if found.unrecognized else None,
        announcement=t["announce_can"].format(count=number(len(occupations), lang)),
    )


def move_lines(moves: CareerMoves, query: PageQuery, t: dict[str, str]) -> list[OccupationLine]:
    """The jobs a person in the result's occupation could move to, each a link to its own result with
    the change in median wage, whether it asks for more training, whether pay and outlook are no
    worse, and a few skills to learn."""
    lines = []
    for move in moves.transitions:
        facts = []
        if move.wage_change is not None:
            facts.append(escape(wage_change_line(move.wage_change, t, query.lang)))
        if move.more_training:
            facts.append(escape(t["move_more_training"]))
        if move.desirable:
            facts.append(escape(t["move_desirable"]))
        if learn := _to_learn([skill.name for skill in move.to_learn], t):
            facts.append(learn)
        lines.append(_occupation_line(move.noc_code, move.title, facts, query, t))
    return lines


def wage_change_line(change: WageChange, t: dict[str, str], lang: PageLanguage) -> str:
    """The change of median wage a move brings: `Median wage: +$3.20 an hour (+12%)`."""
    sign = "+" if change.change >= 0 else "\u2212"  # a minus sign, not a hyphen
    amount = sign + money(abs(change.change), lang)
    share = ("+" if change.percent >= 0 else "\u2212") + percent(abs(change.percent) / 100, lang)
    return t["move_wage"].format(change=amount, percent=share)


def typed_list(items: Sequence[str]) -> Markup:
    """Things the person typed, listed: each isolated (see `typed`), separated by commas."""
    return Markup(", ").join(typed(item) for item in items)


def _occupation_line(code: str, title: str, facts: list[Markup], query: PageQuery, t: dict[str, str]) -> OccupationLine:
    # The occupation's own result: its title searched with its code chosen for it, as under "did you
    # mean"; the place, filters and what the person already does are kept, the skills search is not.
    address = query.address(q=title, noc=code, can=None)
    return OccupationLine(title, t["noc"].format(code=code), address, facts)


def _to_learn(names: Sequence[str], t: dict[str, str]) -> Markup | None:
    shown = list(dict.fromkeys(names))[:TO_LEARN_SHOWN]
    return escape(t["to_learn"].format(skills=", ".join(shown))) if shown else None


def typed(text: str) -> Markup:
    """Text the person typed, as the page echoes it: in ``<bdi>``, so that its direction (right-to-left
    text, or a control such as U+202E) cannot reorder the sentence around it, and without direction
    controls, so that it reads in the order it was typed."""
    return Markup("<bdi>{}</bdi>").format(DIRECTION_CONTROLS.sub("", text))


def with_typed(sentence: str, **values: str) -> Markup:
    """One of the page's sentences (escaped) with text the person typed filled in (see `typed`)."""
    return escape(sentence).format(**{name: typed(value) for name, value in values.items()})


def _region_option(region: RegionInfo, asked: str) -> Option:
    """A region by its public code (ER3530); the one asked for is chosen however it was written (3530, ON)."""
    names = {region.wage_code, region.code, region.province_abbr if region.level == "province" else None}
    return Option(region.wage_code, region.name.replace("--", "–"), asked.upper() in names)


def _options(chosen: str, t: dict[str, str], prefix: str, values: Sequence[str]) -> list[Option]:
    return [Option(value, t[f"{prefix}_{value or 'any'}"], value == chosen) for value in values]


def _title(match: Match, lang: PageLanguage) -> str:
    return match.title_fr if lang == "fr" and match.title_fr else match.title_en


def _level(value: float, lang: PageLanguage) -> str:
    return format_decimal(round(value, 1), format="#,##0.#", locale=LOCALES[lang])


def _first_sentences(text: str | None) -> str | None:
    if not text:
        return None
    sentences = text.replace(". ", ".\n").splitlines()
    return " ".join(sentences[:DESCRIPTION_SENTENCES])


def _period(text: str | None) -> str:
    return (text or "").replace("-", "–")


def wage_lines(market: MarketSummary, t: dict[str, str], lang: PageLanguage) -> list[str]:
    regional, national = market.wages.regional, market.wages.national
    period: str | None
    if regional is not None:
        place, unit, period = regional.region.name, regional.unit, regional.reference_period or None
        low, median, high = regional.low, regional.median, regional.high
        note = regional.fallback_note
    elif national is not None:
        place, unit, period = ("Canada", national.unit, national.reference_period)
        low, median, high = national.low, national.median, national.high
        note = None
    else:
        return [t["no_wage"]]
    if median is None:
        return [t["no_wage"]]
    cents = unit == "hour"
    per = t["per_hour"] if cents else t["per_year"]
    lines = [
        t["median_wage"].format(place=place, amount=money(median, lang, cents=cents), unit=per)
        + f" ({t['job_bank']}, {_period(period)})."
    ]
    if low is not None and high is not None and low < high:
        lines.append(
            t["wage_range"].format(low=money(low, lang, cents=cents), high=money(high, lang, cents=cents), unit=per)
        )
    if note:
        lines.append(note)
    return lines


def outlook_lines(market: MarketSummary, t: dict[str, str], lang: PageLanguage) -> list[str]:
    outlook = market.outlook
    if outlook is None or outlook.future_conditions_en not in t:
        return [t["no_outlook"]]
    start, _, end = outlook.period.partition("-")
    lines = [t["outlook"].format(start=start, end=end, condition=t[outlook.future_conditions_en])]
    if outlook.job_openings and outlook.job_seekers:
        lines.append(
            t["outlook_numbers"].format(
                openings=number(outlook.job_openings, lang), seekers=number(outlook.job_seekers, lang)
            )
        )
    if outlook.employment_growth and outlook.employment_2023 and outlook.employment_growth > 0:
        lines.append(
            t["outlook_growth"].format(
                percent=percent(outlook.employment_growth / outlook.employment_2023, lang),
                employment=number(outlook.employment_2023, lang),
            )
        )
    lines.append(f"({t['cops']}, {_period(outlook.period)}.)")
    return lines


def _card(program: Program, impression_id: str, tracked_url: str, t: dict[str, str], lang: PageLanguage) -> ProgramCard:
    course = program.course
    if course.provider and course.provider != course.institution_name:
        offered = t["offered_through"].format(provider=course.provider, institution=course.institution_name)
    else:
        offered = t["offered_by"].format(institution=course.institution_name)
    facts = []
    if course.credential in t:
        facts.append(t[course.credential])
    if course.delivery_mode in ("online", "in_person", "hybrid"):
        facts.append(t[f"mode_{course.delivery_mode}"])
    if course.duration_hours:
        facts.append(t["duration"].format(hours=number(course.duration_hours, lang)))
    if course.cost_cad is not None:
        facts.append(t["free"] if course.cost_cad == 0 else money(course.cost_cad, lang, cents=False))
    if course.language in ("en", "fr"):
        facts.append(t[f"in_{course.language}"])
    if course.financial_aid:
        facts.append(t["aid_list"].format(aid=", ".join(course.financial_aid)))
    return ProgramCard(
        title=course.title,
        title_lang=course.language if course.language in ("en", "fr") and course.language != lang else None,
        tracked_url=tracked_url,
        impression_id=impression_id,
        offered=offered,
        facts=facts,
        reason=program.reason,
        derived_note=t["derived_link"].format(institution=course.institution_name) if course.url_derived else None,
    )
