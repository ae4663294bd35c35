"""Relevance of the recommended programs, against the graded judgments of tests/data → reports/recommendations.md.

Each judged query (a job title, in English or French, in the tuning or the test half) is answered by the
service's own recommender over the database and indexes of `make run`, for the ranking and two baselines
(text similarity only, skill overlap only). Judgments grade a program 0 not helpful, 1 useful partial,
2 prepares for it; a program nobody judged counts as not relevant. The measures, per half and per
language: precision@1, precision@10 (relevant in the first ten / 10), precision of the shown list
(relevant shown / number shown), nDCG@10, found@10, judged@10, list length, repeated titles and
reasons, the matched occupation; and the latency of `Recommender.recommend` beside the matcher's
search alone, timed in the same run.

Run after `make run` has loaded the sample catalogs (or `lmi catalog load-samples`):
    .venv/bin/python scripts/eval_recommendations.py [--half tune|test|both] [--json PATH] [--quiet]

The metric functions are pure and imported by tests/recommendations/test_eval_metrics.py.
"""

import argparse
import csv
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from matching.engine import Matcher
from models.database import create_database_engine, create_session_factory
from recommendations.ranking import DEFAULT_WEIGHTS, SKILLS_ONLY, TEXT_ONLY, Weights
from recommendations.recommend import ALTERNATIVES, Recommendation, RecommendationRequest, Recommender
from service.config import Settings
from service.resources import load_matching, load_skill_space_for

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "data" / "recommendation_judgments.csv"
REPORT = ROOT / "reports" / "recommendations.md"
LEARNING = ROOT / "reports" / "recommendations_learning.md"
LIMITS = ROOT / "reports" / "recommendations_limits.md"  # written by hand from this report's figures
RANKINGS: dict[str, Weights] = {"ranking": DEFAULT_WEIGHTS, "text only": TEXT_ONLY, "skill overlap only": SKILLS_ONLY}
MAIN = "ranking"
HALVES = ("tune", "test")
LANGS = ("en", "fr")
CUTOFF = 10
RELEVANT = 1  # the lowest grade that counts as relevant
REPEATS = 5  # timed answers per query, after one warm-up
EXAMPLES_PER_LANG = 4
NO_OCCUPATION = {"", "none", "-"}
FRENCH_TOLERANCE = 0.05  # French counts as good as English when no more than this below it

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    half: str
    noc_code: str
    grades: dict[str, int]


@dataclass(frozen=True)
class Shown:
    key: str
    title: str
    institution: str
    reason: str


@dataclass(frozen=True)
class Measures:
    precision_at_1: float
    precision_at_10: float
    precision_shown: float
    ndcg_at_10: float
    found_at_10: float | None  # None when the query has no relevant program to find
    judged_at_10: float
    length: int
    repeated_titles: int
    repeated_reason: bool
    occupation_right: bool


@dataclass(frozen=True)
class Answer:
    query: Query
    matched_noc: str  # "" when nothing matched
    matched_title: str
    message: str | None
    programs: list[Shown]
    measures: Measures


@dataclass(frozen=True)
class Summary:
    queries: int
    precision_at_1: float
    precision_at_10: float
    precision_shown: float
    ndcg_at_10: float
    found_at_10: float | None
    judged_at_10: float
    mean_length: float
    lists_with_repeated_title: int
    repeated_titles: int
    lists_with_repeated_reason: int
    occupation_right: float


@dataclass(frozen=True)
class Latency:
    recommend_ms: list[float]
    search_ms: list[float]


# --- judgments ---------------------------------------------------------------------------------


def parse_judgments(rows: Iterable[dict[str, str]]) -> list[Query]:
    """Queries in file order; without a `half` column every query is `tune`. A row with no course
    only declares its query (one for which no program should be shown)."""
    order: list[tuple[str, str, str, str]] = []
    grades: dict[tuple[str, str, str, str], dict[str, int]] = defaultdict(dict)
    for row in rows:
        half = (row.get("half") or "tune").strip()
        if half not in HALVES:
            raise ValueError(f"half must be tune or test, not {half!r} ({row['query']!r})")
        key = (row["query"], row["lang"].strip(), half, row["noc_code"].strip())
        if key not in grades:
            order.append(key)
            grades[key] = {}
        course = (row.get("course") or "").strip()
        if course:
            grades[key][course] = int(row["grade"])
    return [Query(text, lang, half, code, grades[(text, lang, half, code)]) for text, lang, half, code in order]


def read_judgments(path: Path) -> list[Query]:
    with path.open(encoding="utf-8", newline="") as handle:
        return parse_judgments(csv.DictReader(handle))


def judgment_rows(path: Path) -> int:
    with path.open(encoding="utf-8", newline="") as handle:
        return sum(1 for _ in csv.DictReader(handle))


# --- pure metrics ------------------------------------------------------------------------------


def relevant_count(grades: dict[str, int]) -> int:
    return sum(1 for grade in grades.values() if grade >= RELEVANT)


def precision_at_1(keys: Sequence[str], grades: dict[str, int]) -> float:
    """The first program is graded ≥ 1; for a query with nothing relevant, an empty list is right."""
    if not keys:
        return 0.0 if relevant_count(grades) else 1.0
    if not relevant_count(grades):
        return 0.0
    return 1.0 if grades.get(keys[0], 0) >= RELEVANT else 0.0


def precision_at_10(keys: Sequence[str], grades: dict[str, int]) -> float:
    """The standard measure: relevant programs among the first ten, over ten."""
    return sum(1 for key in keys[:CUTOFF] if grades.get(key, 0) >= RELEVANT) / CUTOFF


def precision_shown(keys: Sequence[str], grades: dict[str, int]) -> float:
    """Relevant programs over programs shown (at most ten); an empty list is right only when nothing is relevant."""
    shown = keys[:CUTOFF]
    if not shown:
        return 0.0 if relevant_count(grades) else 1.0
    return sum(1 for key in shown if grades.get(key, 0) >= RELEVANT) / len(shown)


def _dcg(gains: Iterable[int]) -> float:
    return sum((2.0**grade - 1) / math.log2(place + 2) for place, grade in enumerate(gains))


def ndcg_at_10(keys: Sequence[str], grades: dict[str, int]) -> float:
    """Gain 2^grade - 1, the ideal order being the judged grades best first. A query with nothing
    relevant has no ideal gain: like precision@1, an empty list scores 1 and any list 0."""
    best = _dcg(sorted(grades.values(), reverse=True)[:CUTOFF])
    if not best:
        return 0.0 if keys else 1.0
    return _dcg(grades.get(key, 0) for key in keys[:CUTOFF]) / best


def found_at_10(keys: Sequence[str], grades: dict[str, int]) -> float | None:
    """Share of the relevant programs found in the first ten, over min(10, relevant); None when there are none."""
    relevant = relevant_count(grades)
    if not relevant:
        return None
    found = sum(1 for key in set(keys[:CUTOFF]) if grades.get(key, 0) >= RELEVANT)
    return found / min(CUTOFF, relevant)


def judged_at_10(keys: Sequence[str], grades: dict[str, int]) -> float:
    """Share of the programs shown (at most ten) that were judged; 1 for an empty list (nothing unjudged)."""
    shown = keys[:CUTOFF]
    return sum(1 for key in shown if key in grades) / len(shown) if shown else 1.0


def normalise_title(title: str) -> str:
    return " ".join(title.casefold().split())


def repeated_titles(titles: Sequence[str]) -> int:
    """Programs whose title (casefolded, whitespace normalised) already appeared higher in the list."""
    normalised = [normalise_title(title) for title in titles]
    return len(normalised) - len(set(normalised))


def has_repeated_reason(reasons: Sequence[str]) -> bool:
    """Two programs of the list give the identical reason sentence."""
    return len(set(reasons)) < len(reasons)


def occupation_right(judged_noc: str, matched_noc: str) -> bool:
    """The matched unit group is the judged one; "", "none" or "-" stand for no occupation."""
    judged = judged_noc.strip().casefold()
    matched = matched_noc.strip().casefold()
    if judged in NO_OCCUPATION:
        return matched in NO_OCCUPATION
    return judged == matched


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (share in 0..1) of a non-empty list."""
    ordered = sorted(values)
    place = max(1, math.ceil(share * len(ordered)))
    return ordered[place - 1]


def measure(query: Query, programs: Sequence[Shown], matched_noc: str) -> Measures:
    keys = [program.key for program in programs]
    return Measures(
        precision_at_1=precision_at_1(keys, query.grades),
        precision_at_10=precision_at_10(keys, query.grades),
        precision_shown=precision_shown(keys, query.grades),
        ndcg_at_10=ndcg_at_10(keys, query.grades),
        found_at_10=found_at_10(keys, query.grades),
        judged_at_10=judged_at_10(keys, query.grades),
        length=len(keys),
        repeated_titles=repeated_titles([program.title for program in programs]),
        repeated_reason=has_repeated_reason([program.reason for program in programs]),
        occupation_right=occupation_right(query.noc_code, matched_noc),
    )


def _mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else math.nan


def summarise(measures: Sequence[Measures]) -> Summary:
    found = [m.found_at_10 for m in measures if m.found_at_10 is not None]
    return Summary(
        queries=len(measures),
        precision_at_1=_mean([m.precision_at_1 for m in measures]),
        precision_at_10=_mean([m.precision_at_10 for m in measures]),
        precision_shown=_mean([m.precision_shown for m in measures]),
        ndcg_at_10=_mean([m.ndcg_at_10 for m in measures]),
        found_at_10=_mean(found) if found else None,
        judged_at_10=_mean([m.judged_at_10 for m in measures]),
        mean_length=_mean([float(m.length) for m in measures]),
        lists_with_repeated_title=sum(1 for m in measures if m.repeated_titles),
        repeated_titles=sum(m.repeated_titles for m in measures),
        lists_with_repeated_reason=sum(1 for m in measures if m.repeated_reason),
        occupation_right=_mean([1.0 if m.occupation_right else 0.0 for m in measures]),
    )


# --- answering ---------------------------------------------------------------------------------


def request_for(query: Query) -> RecommendationRequest:
    return RecommendationRequest(job_title=query.text, lang=query.lang)


def to_answer(query: Query, recommendation: Recommendation) -> Answer:
    occupation = recommendation.occupation
    programs = [
        Shown(program.course.key, program.course.title, program.course.institution_name, program.reason)
        for program in recommendation.programs
    ]
    matched = occupation.noc_code if occupation else ""
    return Answer(
        query,
        matched,
        occupation.title if occupation else "",
        recommendation.message,
        programs,
        measure(query, programs, matched),
    )


def answer_all(
    recommender: Recommender, session: Session, queries: Sequence[Query], name: str, progress: Progress
) -> list[Answer]:
    answers = []
    for place, query in enumerate(queries, start=1):
        progress(f"[{name}] {place}/{len(queries)} {query.text}")
        answers.append(to_answer(query, recommender.recommend(session, request_for(query))))
    return answers


def _milliseconds(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def time_queries(
    recommender: Recommender, matcher: Matcher, session: Session, queries: Sequence[Query], progress: Progress
) -> Latency:
    """Each query once to warm up, then REPEATS times, the recommender and the matcher's search alone
    taking turns so that a noisy machine shows in both."""
    recommend_ms: list[float] = []
    search_ms: list[float] = []
    for place, query in enumerate(queries, start=1):
        progress(f"[latency] {place}/{len(queries)} {query.text}")
        request = request_for(query)

        def recommend(request: RecommendationRequest = request) -> object:
            return recommender.recommend(session, request)

        def search(query: Query = query) -> object:
            return matcher.search(query.text, query.lang, limit=1 + ALTERNATIVES)

        recommend()
        search()
        for _ in range(REPEATS):
            recommend_ms.append(_milliseconds(recommend))
            search_ms.append(_milliseconds(search))
    return Latency(recommend_ms, search_ms)


# --- report ------------------------------------------------------------------------------------


def _figure(value: float | None, digits: int = 3) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:.{digits}f}"


def _select(answers: Sequence[Answer], half: str | None = None, lang: str | None = None) -> list[Measures]:
    return [
        answer.measures
        for answer in answers
        if (half is None or answer.query.half == half) and (lang is None or answer.query.lang == lang)
    ]


SUMMARY_HEADER = (
    "| P@1 | P@10 | precision shown | nDCG@10 | found@10 | judged@10 | mean length "
    "| lists with a repeated title | repeated titles | lists with repeated reasons | occupation right |"
)


def _summary_cells(summary: Summary) -> str:
    return (
        f"| {_figure(summary.precision_at_1)} | {_figure(summary.precision_at_10)} "
        f"| {_figure(summary.precision_shown)} | {_figure(summary.ndcg_at_10)} | {_figure(summary.found_at_10)} "
        f"| {_figure(summary.judged_at_10, 2)} | {_figure(summary.mean_length, 1)} "
        f"| {summary.lists_with_repeated_title} | {summary.repeated_titles} | {summary.lists_with_repeated_reason} "
        f"| {_figure(summary.occupation_right, 2)} |"
    )


def render_header(queries: Sequence[Query], rows: int, halves: Sequence[str], skill_space: str) -> list[str]:
    by_half = ", ".join(f"{sum(1 for q in queries if q.half == half)} {half}" for half in HALVES)
    by_lang = ", ".join(f"{sum(1 for q in queries if q.lang == lang)} {lang}" for lang in LANGS)
    return [
        "# Program recommendations: relevance",
        "",
        "Written by `scripts/eval_recommendations.py` from the graded judgments in",
        f"`tests/data/recommendation_judgments.csv`: {len(queries)} queries ({by_lang}; {by_half}), {rows} rows,",
        "grades 0 not helpful, 1 useful partial, 2 prepares for it. The judgments were written before tuning;",
        "the test half was not looked at while tuning. "
        f"Halves evaluated in this run: {', '.join(halves)}. Skill space: `{skill_space}`.",
        "",
        "How to read the figures: a program counts as relevant when graded 1 or 2; programs nobody judged",
        "count as not relevant, so the figures are lower bounds and `judged@10` says how much was judged.",
        "`P@1`: the first program is relevant. `P@10`: relevant programs in the first ten over 10. `precision",
        "shown`: relevant programs over the programs shown (at most ten), since the service may show a short",
        "list on purpose. For a query with no relevant program, an empty list scores 1 and any list 0 on",
        "P@1, precision shown and nDCG@10 (P@10 stays the standard measure, 0). `nDCG@10`: gain 2^grade - 1,",
        "the ideal being the judged grades best first. `found@10`: relevant programs in the first ten over",
        "min(10, relevant), over the queries that have any. `repeated titles`: programs whose title",
        "(casefolded, spaces normalised) already appeared higher in the same list. `occupation right`: the",
        "matched unit group is the judged NOC code.",
        "",
    ]


def render_halves(answers: dict[str, list[Answer]], halves: Sequence[str]) -> list[str]:
    lines: list[str] = []
    for half in halves:
        count = len(_select(answers[MAIN], half))
        lines += [f"## {half.capitalize()} half ({count} {'query' if count == 1 else 'queries'})", ""]
        if not count:
            lines += ["No query of this half in the judgments.", ""]
            continue
        lines += [f"| ranking {SUMMARY_HEADER}", "|---" * 12 + "|"]
        for name, rows in answers.items():
            lines.append(f"| {name} {_summary_cells(summarise(_select(rows, half)))}")
        lines.append("")
    return lines


def render_languages(answers: dict[str, list[Answer]], halves: Sequence[str]) -> list[str]:
    lines = ["## By language", "", f"| half | lang | ranking | queries {SUMMARY_HEADER}", "|---" * 15 + "|"]
    for half in halves:
        for lang in LANGS:
            for name, rows in answers.items():
                selected = _select(rows, half, lang)
                if selected:
                    summary = summarise(selected)
                    lines.append(f"| {half} | {lang} | {name} | {summary.queries} {_summary_cells(summary)}")
    return [*lines, ""]


def _verdict(value: float, goal: float, at_least: bool, unit: str = "") -> str:
    if math.isnan(value):
        return "–"
    met = value >= goal if at_least else value <= goal
    shown = f"{value:.1f}{unit}" if unit else f"{value:.3f}"
    return f"{shown} ({'met' if met else 'not met'})"


def _french_gap(answers: Sequence[Answer], half: str) -> str:
    english, french = summarise(_select(answers, half, "en")), summarise(_select(answers, half, "fr"))
    gaps = {
        "P@1": french.precision_at_1 - english.precision_at_1,
        "precision shown": french.precision_shown - english.precision_shown,
        "nDCG@10": french.ndcg_at_10 - english.ndcg_at_10,
    }
    if any(math.isnan(gap) for gap in gaps.values()):
        return "–"
    met = all(gap >= -FRENCH_TOLERANCE for gap in gaps.values())
    shown = ", ".join(f"{name} {gap:+.3f}" for name, gap in gaps.items())
    return f"{shown} ({'met' if met else 'not met'})"


def render_targets(answers: dict[str, list[Answer]], halves: Sequence[str], latency: Latency | None) -> list[str]:
    summaries = {half: summarise(_select(answers[MAIN], half)) for half in halves}
    lines = [
        "## Targets of the issue (the ranking)",
        "",
        f"| target | goal | {' | '.join(halves)} |",
        "|---|---|" + "---|" * len(halves),
    ]
    rows: list[tuple[str, str, Callable[[str], str]]] = [
        ("precision@1", "≥ 0.95", lambda h: _verdict(summaries[h].precision_at_1, 0.95, True)),
        ("precision@10 (over 10)", "≥ 0.80", lambda h: _verdict(summaries[h].precision_at_10, 0.80, True)),
        ("precision of the shown list", "≥ 0.80", lambda h: _verdict(summaries[h].precision_shown, 0.80, True)),
        ("nDCG@10", "≥ 0.75", lambda h: _verdict(summaries[h].ndcg_at_10, 0.75, True)),
        (
            "no duplicate title",
            "0 lists",
            lambda h: (
                f"{summaries[h].lists_with_repeated_title} "
                f"({'met' if not summaries[h].lists_with_repeated_title else 'not met'})"
            ),
        ),
        (
            "French as good as English",
            f"FR − EN ≥ −{FRENCH_TOLERANCE}",
            lambda h: _french_gap(answers[MAIN], h),
        ),
    ]
    for target, goal, cell in rows:
        lines.append(f"| {target} | {goal} | {' | '.join(cell(half) for half in halves)} |")
    if latency is not None:
        spread = " | " * (len(halves) - 1)
        p50, p99 = percentile(latency.recommend_ms, 0.5), percentile(latency.recommend_ms, 0.99)
        lines.append(f"| latency p50 (all queries) | ≤ 50 ms | {_verdict(p50, 50, False, ' ms')}{spread}|")
        lines.append(f"| latency p99 (all queries) | ≤ 150 ms | {_verdict(p99, 150, False, ' ms')}{spread}|")
    return [*lines, ""]


def render_latency(latency: Latency, queries: int) -> list[str]:
    lines = [
        "## Latency",
        "",
        f"Wall time of `Recommender.recommend` (the ranking) for the {queries} queries, each answered {REPEATS}",
        "times after one warm-up, taking turns with the matcher's search alone for the same query (the",
        "baseline: a busy machine slows both). After the warm-up the query's vector is cached, as for a",
        "repeated query in the service.",
        "",
        "| measured | answers | p50 ms | p99 ms | mean ms |",
        "|---|---|---|---|---|",
    ]
    for name, values in (("Recommender.recommend", latency.recommend_ms), ("matcher search alone", latency.search_ms)):
        lines.append(
            f"| {name} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.99):.1f} "
            f"| {statistics.fmean(values):.1f} |"
        )
    return [*lines, ""]


def render_per_query(answers: Sequence[Answer]) -> list[str]:
    lines = [
        "## Per query (the ranking)",
        "",
        "| query | lang | half | judged NOC | matched NOC | list length | P@1 | P@10 | precision shown | nDCG@10 |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for answer in answers:
        m = answer.measures
        lines.append(
            f"| {answer.query.text} | {answer.query.lang} | {answer.query.half} | {answer.query.noc_code or 'none'} "
            f"| {answer.matched_noc or 'none'} | {m.length} | {m.precision_at_1:.0f} | {m.precision_at_10:.1f} "
            f"| {m.precision_shown:.2f} | {m.ndcg_at_10:.2f} |"
        )
    return [*lines, ""]


def example_answers(answers: Sequence[Answer]) -> list[Answer]:
    """The first EXAMPLES_PER_LANG queries of each language of the test half, in file order."""
    chosen: list[Answer] = []
    for lang in LANGS:
        chosen += [a for a in answers if a.query.half == "test" and a.query.lang == lang][:EXAMPLES_PER_LANG]
    return chosen


def render_examples(answers: Sequence[Answer]) -> list[str]:
    lines = ["## Examples a person can read", ""]
    chosen = example_answers(answers)
    if not chosen:
        return [*lines, "The test half was not evaluated in this run (or has no query).", ""]
    lines += [
        f"The first {EXAMPLES_PER_LANG} English and {EXAMPLES_PER_LANG} French queries of the test half, in file",
        "order, as the ranking answers them, with the grade the judgments give each program.",
        "",
    ]
    for answer in chosen:
        found = f"{answer.matched_noc} {answer.matched_title}" if answer.matched_noc else "no match"
        lines += [f"### “{answer.query.text}” ({answer.query.lang}) → {found} (judged {answer.query.noc_code})", ""]
        if not answer.programs:
            lines.append(f"No program shown. {answer.message or ''}".rstrip())
        for place, program in enumerate(answer.programs, start=1):
            grade = answer.query.grades.get(program.key)
            given = "unjudged" if grade is None else f"grade {grade}"
            lines.append(f"{place}. **{program.title}** ({program.institution}), {given}: {program.reason}")
        lines.append("")
    return lines


def render_included(heading: str, path: Path, missing: str) -> list[str]:
    """A section whose body is another report's (its own title left out), or `missing`."""
    lines = [f"## {heading}", ""]
    if not path.exists():
        return [*lines, missing, ""]
    body = path.read_text(encoding="utf-8").splitlines()
    if body and body[0].startswith("# "):
        body = body[1:]
    while body and not body[0].strip():
        body = body[1:]
    return [*lines, *body, ""]


def render(
    queries: Sequence[Query],
    rows: int,
    halves: Sequence[str],
    answers: dict[str, list[Answer]],
    latency: Latency | None,
    skill_space: str,
) -> str:
    lines = render_header(queries, rows, halves, skill_space)
    lines += render_halves(answers, halves)
    lines += render_targets(answers, halves, latency)
    lines += render_included("What limits the figures", LIMITS, f"Not written yet (`{LIMITS.name}`).")
    lines += render_languages(answers, halves)
    if latency is not None:
        lines += render_latency(latency, len(answers[MAIN]))
    lines += render_per_query(answers[MAIN])
    lines += render_examples(answers[MAIN])
    lines += render_included("Learning from clicks", LEARNING, "Made by `scripts/simulate_learning.py` (not run yet).")
    return "\n".join(lines)


def dump_json(path: Path, answers: dict[str, list[Answer]], latency: Latency | None) -> None:
    results = {
        name: [
            {
                "query": answer.query.text,
                "lang": answer.query.lang,
                "half": answer.query.half,
                "judged_noc": answer.query.noc_code,
                "matched_noc": answer.matched_noc,
                "keys": [program.key for program in answer.programs],
                "titles": [program.title for program in answer.programs],
                "metrics": asdict(answer.measures),
            }
            for answer in rows
        ]
        for name, rows in answers.items()
    }
    document: dict[str, object] = {"rankings": results}
    if latency is not None:
        document["latency_ms"] = asdict(latency)
    path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")


# --- running -----------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT, help="markdown report to write")
    parser.add_argument("--half", choices=("tune", "test", "both"), default="both", help="which judged queries")
    parser.add_argument("--json", type=Path, default=None, help="also write the per-query results here")
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS, help=argparse.SUPPRESS)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def selected_halves(choice: str) -> tuple[str, ...]:
    return HALVES if choice == "both" else (choice,)


def print_summary(answers: dict[str, list[Answer]], halves: Sequence[str], latency: Latency | None) -> None:
    for half in halves:
        for name, rows in answers.items():
            selected = _select(rows, half)
            if selected:
                s = summarise(selected)
                print(
                    f"{half:<5} {name:<20} P@1 {_figure(s.precision_at_1)}  P@10 {_figure(s.precision_at_10)}  "
                    f"shown {_figure(s.precision_shown)}  nDCG@10 {_figure(s.ndcg_at_10)}"
                )
    if latency is not None:
        print(
            f"latency recommend p50 {percentile(latency.recommend_ms, 0.5):.1f} ms "
            f"p99 {percentile(latency.recommend_ms, 0.99):.1f} ms; "
            f"search alone p50 {percentile(latency.search_ms, 0.5):.1f} ms "
            f"p99 {percentile(latency.search_ms, 0.99):.1f} ms"
        )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    progress: Progress = (lambda message: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    halves = selected_halves(args.half)
    everything = read_judgments(args.judgments)
    queries = [query for query in everything if query.half in halves]
    settings = Settings()
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    progress("loading the matcher and the skill space")
    matching = load_matching(
        session_factory, settings.matcher_backend, settings.index_dir, settings.data_dir, progress=not args.quiet
    )
    if matching is None:
        print("import the reference data first (make run)", file=sys.stderr)
        return 2
    space = load_skill_space_for(session_factory, settings.data_dir, matching.matcher.embedder, settings.index_dir)
    if space is None:
        print("no skill space: import the reference data first (make run)", file=sys.stderr)
        return 2
    answers: dict[str, list[Answer]] = {}
    latency: Latency | None = None
    with session_factory() as session:
        for name, weights in RANKINGS.items():
            recommender = Recommender(matching.matcher, space, settings.max_institution_share, weights)
            answers[name] = answer_all(recommender, session, queries, name, progress)
            if name == MAIN and queries:
                latency = time_queries(recommender, matching.matcher, session, queries, progress)
    matching.close()
    engine.dispose()
    report = render(everything, judgment_rows(args.judgments), halves, answers, latency, space.key)
    args.report.write_text(report, encoding="utf-8")
    if args.json is not None:
        dump_json(args.json, answers, latency)
    print_summary(answers, halves, latency)
    print(f"report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
