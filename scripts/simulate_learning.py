"""Simulated people and the learning arm of the ranking → reports/recommendations_learning.md (+ .svg).

Each judged query of tests/data/recommendation_judgments.csv is an occupation (its judged NOC code)
with the programs graded for it. The base ranking's candidate lists (its first 30 programs for each
occupation, in the query's language) come from the service's own Recommender over the database of
`make run` and are kept in LMI_INDEX_DIR (`simulation-candidates.json`, a derived artefact), so
that the simulation itself is pure and fast; `--rebuild-candidates` makes them again.

Then some thousands of searches: each picks a judged query at random and is put in the control arm
(the base ranking's first ten) or the learning arm (recommendations.learning.rerank over the 30
candidates, by the posterior means as the service ranks them; `--thompson`: a draw seeded per
search), half each. The simulated person looks down the list and clicks a program with a chance by its grade
(2: 0.30, 1: 0.12, 0 or not judged: 0.02) times a decay with its place (0.85 per place: not the
model's own 1/log2(place + 1)). Both arms' impressions and clicks feed the learning arm's feedback,
which is read again every 50 searches (as the service reads it every five minutes).

Measured per block of searches: precision@10 (programs graded 1 or 2 in the first ten, over ten, as
scripts/eval_recommendations.py counts it) and the click-through rate of each arm; over the run,
the arms' click-through rates compared as the analytics' variant comparison does (Newcombe's
interval), and each institution's impressions in the learning arm against those the base ranking
gave it for the same searches, beside the floor.

    .venv/bin/python scripts/simulate_learning.py [--searches 8000] [--seed 1] [--rebuild-candidates] [--quiet]
"""

import argparse
import csv
import datetime as dt
import json
import math
import random
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from html import escape
from pathlib import Path
from typing import Any

import numpy as np

from recommendations.learning import (
    DEFAULT_TUNING,
    Candidate,
    Observed,
    Tuning,
    examination,
    floor_places,
    rerank,
)

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "data" / "recommendation_judgments.csv"
REPORT = ROOT / "reports" / "recommendations_learning.md"
CHART = REPORT.with_suffix(".svg")
CANDIDATES = "simulation-candidates.json"  # in LMI_INDEX_DIR
ARMS = ("control", "learning")
CUTOFF = 10
RELEVANT = 1
CLICK_CHANCE = {2: 0.30, 1: 0.12, 0: 0.02}  # by grade; a program nobody judged counts as grade 0
DECAY = 0.85  # the chance of a click falls by this factor with each place down the list
MAX_SHARE = 0.5  # LMI_MAX_INSTITUTION_SHARE's default

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Judged:
    query: str
    lang: str
    half: str
    noc_code: str
    grades: dict[str, int]


@dataclass(frozen=True)
class CandidateList:
    judged: Judged
    candidates: list[Candidate]
    institutions: dict[int, str]  # id → name
    shown: int  # how many the base ranking shows (its relative floor cuts the candidates short)

    @property
    def learning_places(self) -> int:
        """As the service's arm: one place more than the base list, none when it is empty."""
        return min(CUTOFF, self.shown + 1) if self.shown else 0


@dataclass
class Block:
    # By arm, and by (arm, half of the judgments).
    searches: Counter[str | tuple[str, str]] = field(default_factory=Counter)
    precision: defaultdict[str | tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    # The share of the programs shown that are relevant (an empty list: 1 when nothing is).
    precision_shown: defaultdict[str | tuple[str, str], float] = field(default_factory=lambda: defaultdict(float))
    impressions: Counter[str] = field(default_factory=Counter)
    clicks: Counter[str] = field(default_factory=Counter)
    # The learning arm's impressions by institution, and the base ranking's for the same searches.
    learning_institutions: Counter[int] = field(default_factory=Counter)
    base_institutions: Counter[int] = field(default_factory=Counter)


@dataclass
class Run:
    searches: int
    block_size: int
    blocks: list[Block]
    # Institution → impressions in the learning arm, and what the base ranking showed for the same searches.
    learning_impressions: Counter[int]
    base_impressions: Counter[int]
    # The lowest share, over the learning arm's searches, of an institution's base places it kept.
    least_kept: float
    floor_misses: int  # searches where an institution kept fewer places than the floor promises
    floor_decided: int  # searches whose first ten the floor changed (without it an institution had fewer)
    deep_shown: int  # candidates past the base list that the learning arm showed at least once
    deep_total: int
    deep_impressions: int  # the learning arm's impressions of programs past the base list


# --- judgments and candidate lists ------------------------------------------------------------


def read_judgments(path: Path) -> list[Judged]:
    """Queries in file order, read by column name; without a `half` column every query is `tune`."""
    order: list[tuple[str, str, str, str]] = []
    grades: dict[tuple[str, str, str, str], dict[str, int]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            key = (row["query"], row["lang"].strip(), (row.get("half") or "tune").strip(), row["noc_code"].strip())
            if key not in grades:
                order.append(key)
                grades[key] = {}
            course = (row.get("course") or "").strip()
            if course:
                grades[key][course] = int(row["grade"])
    return [Judged(*key, grades[key]) for key in order if key[3]]


def build_candidates(judged: Sequence[Judged], pool: int, progress: Progress) -> dict[str, Any]:
    """The base ranking's first `pool` programs for each judged occupation, by the service's Recommender
    over the configured database (LMI_* settings, as `make run` leaves them)."""
    from models.database import create_database_engine, create_session_factory  # noqa: PLC0415
    from recommendations.recommend import RecommendationRequest, Recommender  # noqa: PLC0415
    from service.config import Settings  # noqa: PLC0415
    from service.resources import load_matching, load_skill_space_for  # noqa: PLC0415

    settings = Settings()
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    progress("loading the matcher and the skill space")
    matching = load_matching(session_factory, "none", settings.index_dir, settings.data_dir)
    if matching is None:
        raise SystemExit("import the reference data first (make run)")
    space = load_skill_space_for(session_factory, settings.data_dir, matching.matcher.embedder, settings.index_dir)
    if space is None:
        raise SystemExit("no skill space: import the reference data first (make run)")
    recommender = Recommender(matching.matcher, space, settings.max_institution_share)
    from recommendations import ranking  # noqa: PLC0415

    lists = []
    institutions: dict[str, str] = {}
    with session_factory() as session:
        for place, query in enumerate(judged, start=1):
            progress(f"[candidates] {place}/{len(judged)} {query.query} ({query.noc_code})")
            request = RecommendationRequest(noc_code=query.noc_code, lang=query.lang, limit=pool)
            shown = len(recommender.recommend(session, replace(request, limit=CUTOFF)).programs)
            # The pool the service's arm chooses from: the base ranking without its relative floor.
            relative_floor, ranking.RELATIVE_FLOOR = ranking.RELATIVE_FLOOR, 0.0
            try:
                answer = recommender.recommend(session, request)
            finally:
                ranking.RELATIVE_FLOOR = relative_floor
            lists.append(
                {
                    "query": query.query,
                    "lang": query.lang,
                    "noc_code": query.noc_code,
                    "shown": shown,
                    # [course key, institution id, base score], best first
                    "candidates": [
                        [program.course.key, program.course.institution_id, program.score]
                        for program in answer.programs
                    ],
                }
            )
            for program in answer.programs:
                institutions[str(program.course.institution_id)] = program.course.institution_name
    matching.close()
    engine.dispose()
    made = dt.date.today().isoformat()
    return {"made": made, "skill_space": space.key, "pool": pool, "institutions": institutions, "lists": lists}


def candidates_text(document: dict[str, Any]) -> str:
    """The candidate lists as JSON, one list to a line."""
    head = {name: value for name, value in document.items() if name != "lists"}
    lists = ",\n".join(json.dumps(item, ensure_ascii=False) for item in document["lists"])
    return json.dumps(head, ensure_ascii=False)[:-1] + f', "lists": [\n{lists}\n]}}\n'


def candidate_lists(document: dict[str, Any], judged: Sequence[Judged]) -> list[CandidateList]:
    stored = {(item["query"], item["lang"], item["noc_code"]): item for item in document["lists"]}
    lists = []
    for query in judged:
        item = stored.get((query.query, query.lang, query.noc_code))
        if item is None:
            raise SystemExit(f"no candidate list for {query.query!r}: run with --rebuild-candidates")
        candidates = [Candidate(key, institution, score) for key, institution, score in item["candidates"]]
        names = {
            candidate.institution_id: document["institutions"][str(candidate.institution_id)]
            for candidate in candidates
        }
        lists.append(CandidateList(query, candidates, names, int(item["shown"])))
    return lists


# --- the simulation ------------------------------------------------------------------------------


def precision_at_10(keys: Sequence[str], grades: dict[str, int]) -> float:
    return sum(1 for key in keys[:CUTOFF] if grades.get(key, 0) >= RELEVANT) / CUTOFF


def precision_of_shown(keys: Sequence[str], grades: dict[str, int]) -> float:
    if not keys:
        return 0.0 if any(grade >= RELEVANT for grade in grades.values()) else 1.0
    return sum(1 for key in keys if grades.get(key, 0) >= RELEVANT) / len(keys)


def click_chance(grade: int, rank: int) -> float:
    return CLICK_CHANCE[grade] * DECAY ** (rank - 1)


class Feedback:
    """The events of the simulated people, kept as the service keeps them, read as it reads them."""

    def __init__(self) -> None:
        self.counts: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(lambda: [0, 0.0, 0]))
        self.read: dict[str, dict[str, Observed]] = {}

    def log(self, noc_code: str, key: str, rank: int, clicked: bool) -> None:
        counts = self.counts[noc_code][key]
        counts[0] += 1
        counts[1] += examination(rank)
        counts[2] += clicked

    def refresh(self) -> None:
        self.read = {
            noc: {key: Observed(int(c[0]), c[1], int(c[2])) for key, c in courses.items()}
            for noc, courses in self.counts.items()
        }

    def of(self, noc_code: str) -> dict[str, Observed]:
        return self.read.get(noc_code, {})


def simulate(
    lists: Sequence[CandidateList],
    searches: int,
    *,
    seed: int = 1,
    share: float = 0.5,
    refresh_every: int = 50,
    block_size: int = 250,
    tuning: Tuning = DEFAULT_TUNING,
    thompson: bool = False,
    shunned: int | None = None,
    progress: Progress = lambda message: None,
) -> Run:
    """`shunned`: an institution whose programs the simulated people never click (the floor's test)."""
    people = random.Random(seed)
    feedback = Feedback()
    blocks: list[Block] = []
    learning_impressions: Counter[int] = Counter()
    base_impressions: Counter[int] = Counter()
    least_kept, misses, decided = 1.0, 0, 0
    no_floor = replace(tuning, floor=0.0)
    deep_seen: set[tuple[str, str]] = set()
    deep_impressions = 0
    for search in range(searches):
        if search % block_size == 0:
            blocks.append(Block())
            progress(f"[simulation] {search}/{searches} searches")
        if search % refresh_every == 0:
            feedback.refresh()
        item = lists[people.randrange(len(lists))]
        arm = "learning" if people.random() < share else "control"
        base = item.candidates[: min(CUTOFF, item.shown)]
        if arm == "learning":
            rng = np.random.default_rng([seed, search]) if thompson else None
            learning_places = item.learning_places
            order = rerank(item.candidates, feedback.of(item.judged.noc_code), learning_places, MAX_SHARE, tuning, rng)
            shown = [item.candidates[index] for index in order]
            held = Counter(candidate.institution_id for candidate in shown)
            for institution, places in Counter(candidate.institution_id for candidate in base).items():
                least_kept = min(least_kept, held[institution] / places)
                misses += held[institution] < floor_places(base, tuning.floor)[institution]
            observed = feedback.of(item.judged.noc_code)
            rng = np.random.default_rng([seed, search]) if thompson else None
            decided += set(order) != set(rerank(item.candidates, observed, learning_places, MAX_SHARE, no_floor, rng))
            learning_impressions.update(held)
            base_impressions.update(candidate.institution_id for candidate in base)
            blocks[-1].learning_institutions.update(held)
            blocks[-1].base_institutions.update(candidate.institution_id for candidate in base)
            for index in order:
                if index >= item.shown:
                    deep_seen.add((item.judged.noc_code, item.candidates[index].key))
                    deep_impressions += 1
        else:
            shown = list(base)
        block = blocks[-1]
        precision = precision_at_10([candidate.key for candidate in shown], item.judged.grades)
        of_shown = precision_of_shown([candidate.key for candidate in shown], item.judged.grades)
        for group in (arm, (arm, item.judged.half)):
            block.searches[group] += 1
            block.precision[group] += precision
            block.precision_shown[group] += of_shown
        for rank, candidate in enumerate(shown, start=1):
            chance = click_chance(item.judged.grades.get(candidate.key, 0), rank)
            clicked = people.random() < chance and candidate.institution_id != shunned
            feedback.log(item.judged.noc_code, candidate.key, rank, clicked)
            block.impressions[arm] += 1
            block.clicks[arm] += clicked
    deep_total = len(
        {(item.judged.noc_code, candidate.key) for item in lists for candidate in item.candidates[item.shown :]}
    )
    return Run(
        searches,
        block_size,
        blocks,
        learning_impressions,
        base_impressions,
        least_kept,
        misses,
        decided,
        len(deep_seen),
        deep_total,
        deep_impressions,
    )


# --- the report ----------------------------------------------------------------------------------


def best_precision(item: CandidateList) -> float:
    """Precision@10 of the candidates' relevant programs first: what re-ranking them could reach."""
    relevant = sum(1 for candidate in item.candidates if item.judged.grades.get(candidate.key, 0) >= RELEVANT)
    return min(CUTOFF, relevant) / CUTOFF


def mean_precision(blocks: Iterable[Block], arm: str | tuple[str, str], *, of_shown: bool = False) -> float:
    blocks = list(blocks)
    searches = sum(block.searches[arm] for block in blocks)
    total = sum((block.precision_shown if of_shown else block.precision)[arm] for block in blocks)
    return total / searches if searches else math.nan


def ctr(blocks: Iterable[Block], arm: str) -> tuple[int, int]:
    blocks = list(blocks)
    return sum(block.clicks[arm] for block in blocks), sum(block.impressions[arm] for block in blocks)


def ctr_difference(run: Run) -> tuple[float, float, float]:
    """Learning minus control click-through rate, with the analytics' 95% interval (Newcombe)."""
    from statsmodels.stats.proportion import confint_proportions_2indep  # noqa: PLC0415

    clicks, shown = ctr(run.blocks, "learning")
    base_clicks, base_shown = ctr(run.blocks, "control")
    low, high = confint_proportions_2indep(
        clicks, shown, base_clicks, base_shown, method="newcomb", compare="diff", alpha=0.05
    )
    return clicks / shown - base_clicks / base_shown, float(low), float(high)


WIDTH, HEIGHT = 760, 340
LEFT, RIGHT, TOP, BOTTOM = 60, 20, 36, 48
COLOURS = {"control": "#1f77b4", "learning": "#d62728"}


def chart(run: Run, path: Path) -> None:
    """Precision@10 of each arm per block of searches: a plain SVG line chart."""
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    series = {arm: [mean_precision([block], arm) for block in run.blocks] for arm in ARMS}
    top = math.ceil(max(value for values in series.values() for value in values if not math.isnan(value)) * 10) / 10
    top = max(top, 0.1)

    def x(index: int) -> float:
        return LEFT + plot_w * (index + 0.5) / len(run.blocks)

    def y(value: float) -> float:
        return TOP + plot_h * (1 - value / top)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    tick = 0.0
    while tick <= top + 1e-9:
        parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick):.1f}" y2="{y(tick):.1f}" stroke="#e5e5e5"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y(tick) + 4:.1f}" text-anchor="end">{tick:.1f}</text>')
        tick += 0.1
    every = max(1, len(run.blocks) // 8)
    for index in range(0, len(run.blocks), every):
        searches = (index + 1) * run.block_size
        parts.append(f'<text x="{x(index):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{searches}</text>')
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>')
    for place, arm in enumerate(ARMS):
        points = " ".join(
            f"{x(index):.1f},{y(value):.1f}" for index, value in enumerate(series[arm]) if not math.isnan(value)
        )
        parts.append(f'<polyline points="{points}" fill="none" stroke="{COLOURS[arm]}" stroke-width="2"/>')
        parts.append(f'<rect x="{LEFT + 10 + place * 140}" y="14" width="14" height="3" fill="{COLOURS[arm]}"/>')
        parts.append(f'<text x="{LEFT + 28 + place * 140}" y="19">{escape(arm)} arm</text>')
    parts.append(f'<text x="{LEFT + 300}" y="19">precision@10 per block of {run.block_size} searches</text>')
    parts.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 12}" text-anchor="middle">searches so far (both arms)</text>'
    )
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def render(
    run: Run,
    shunned: tuple[int, Run],
    lists: Sequence[CandidateList],
    tuning: Tuning,
    args: argparse.Namespace,
    made: str,
    space: str,
) -> str:
    names = {institution: name for item in lists for institution, name in item.institutions.items()}
    first, last = run.blocks[0], run.blocks[-1]
    tail = run.blocks[len(run.blocks) // 2 :]
    difference, low, high = ctr_difference(run)
    lines = [
        "# Learning from what people chose: a simulation",
        "",
        f"Written by `scripts/simulate_learning.py` ({run.searches} searches, seed {args.seed}). The base ranking's",
        f"candidate lists are the service's own (first {tuning.pool} programs for each of the {len(lists)} judged",
        f"occupations, in the query's language; made {made}, skill space `{space}`). Simulated people click a",
        "program with a chance by its grade in `tests/data/recommendation_judgments.csv` (2: 0.30, 1: 0.12,",
        f"0 or not judged: 0.02) times {DECAY} per place down the list; each search is put in the control arm",
        "(the base ranking) or the learning arm (`recommendations/learning.py`), half each, and both arms'",
        "impressions and clicks are read back as feedback every 50 searches. Precision@10 counts the programs",
        "graded 1 or 2 in the first ten, over ten.",
        "",
        f"![precision@10 per block of {run.block_size} searches, control and learning arms]({CHART.name})",
        "",
        "| searches | control P@10 | learning P@10 | control CTR | learning CTR |",
        "|---|---|---|---|---|",
    ]
    for index, block in enumerate(run.blocks):
        start, end = index * run.block_size + 1, min((index + 1) * run.block_size, run.searches)
        lines.append(
            f"| {start}–{end} | {mean_precision([block], 'control'):.3f} | {mean_precision([block], 'learning'):.3f} "
            f"| {_rate(ctr([block], 'control'))} | {_rate(ctr([block], 'learning'))} |"
        )
    lines += [
        "",
        f"Over the second half of the run the learning arm's precision@10 is "
        f"{mean_precision(tail, 'learning'):.3f} against {mean_precision(tail, 'control'):.3f} for the control arm",
        f"(first block: {mean_precision([first], 'learning'):.3f} against {mean_precision([first], 'control'):.3f};",
        f"last block: {mean_precision([last], 'learning'):.3f} against {mean_precision([last], 'control'):.3f}).",
        "The arm shows one program more than the base list (a place to try one), which alone can raise",
        "precision@10; the precision of the list shown, over the second half, is "
        f"{mean_precision(tail, 'learning', of_shown=True):.3f} in the learning arm against "
        f"{mean_precision(tail, 'control', of_shown=True):.3f} in the control arm.",
        f"The analytics' variant comparison of the whole run: learning CTR minus control CTR {difference:+.4f},",
        f"95% interval [{low:+.4f}, {high:+.4f}] (Newcombe, as `analytics/experiments.py`).",
        "",
        "By half of the judgments (the learning arm's settings were chosen on runs over the tune half's queries),",
        "over the second half of the run, beside the best precision@10 the 30 candidates allow:",
        "",
        "| half | queries | control P@10 | learning P@10 | best of the candidates |",
        "|---|---|---|---|---|",
    ]
    for half in ("tune", "test"):
        chosen = [item for item in lists if item.judged.half == half]
        if chosen:
            best = sum(best_precision(item) for item in chosen) / len(chosen)
            lines.append(
                f"| {half} | {len(chosen)} | {mean_precision(tail, ('control', half)):.3f} "
                f"| {mean_precision(tail, ('learning', half)):.3f} | {best:.3f} |"
            )
    lines += [
        "",
        "### The floor",
        "",
        f"An institution holding k places of the base ranking's first ten keeps at least ceil({tuning.floor} × k) of",
        "them in the learning arm's first ten, so its impressions there are at least "
        f"{tuning.floor} times those the base",
        "ranking gives it for the same searches. Over the learning arm's searches:",
        "",
        "| institution | base ranking's impressions | learning arm's impressions | ratio |",
        "|---|---|---|---|",
    ]
    ratios = []
    for institution in sorted(run.base_impressions, key=lambda key: -run.base_impressions[key]):
        ratio = run.learning_impressions[institution] / run.base_impressions[institution]
        ratios.append(ratio)
        lines.append(
            f"| {escape(names.get(institution, str(institution)))} | {run.base_impressions[institution]} "
            f"| {run.learning_impressions[institution]} | {ratio:.2f} |"
        )
    lines += [
        "",
        f"Lowest ratio over the institutions: {min(ratios):.2f} (floor {tuning.floor}). In single searches, the lowest",
        f"share of its base places an institution kept was {run.least_kept:.2f}; searches where an institution kept",
        f"fewer places than the floor promises: {run.floor_misses}; searches whose first ten the floor changed:",
        f"{run.floor_decided} of {sum(block.searches['learning'] for block in run.blocks)}.",
        "",
        "In a second run (same seed and searches) the simulated people never click the programs of",
        f"{escape(names.get(shunned[0], str(shunned[0])))}: each of them sinks once it has been tried, and its",
        "programs further down the base list, not tried yet, come in to be tried in their turn, so over this many",
        "searches it keeps most of its impressions:",
        "",
        "| institution | ratio over the run | over its second half |",
        "|---|---|---|",
    ]
    other = shunned[1]
    other_tail = other.blocks[len(other.blocks) // 2 :]
    late_learning = sum((block.learning_institutions for block in other_tail), Counter())
    late_base = sum((block.base_institutions for block in other_tail), Counter())
    for institution in sorted(
        other.base_impressions, key=lambda key: (key != shunned[0], -other.base_impressions[key])
    ):
        ratio = other.learning_impressions[institution] / other.base_impressions[institution]
        late = late_learning[institution] / late_base[institution] if late_base[institution] else math.nan
        lines.append(f"| {escape(names.get(institution, str(institution)))} | {ratio:.2f} | {late:.2f} |")
    lines += [
        "",
        f"Searches of that run where an institution kept fewer places than the floor promises: {other.floor_misses}; "
        f"searches whose first ten the floor changed: {other.floor_decided}; "
        f"precision@10 of its second half: control {mean_precision(other_tail, 'control'):.3f}, "
        f"learning {mean_precision(other_tail, 'learning'):.3f}.",
        "",
        "### Programs past the base list",
        "",
        f"Of the {run.deep_total} candidates past the base ranking's list (never shown by it), the learning arm",
        f"showed {run.deep_shown} at least once ({run.deep_impressions} impressions,",
        f"{run.deep_impressions / max(1, sum(run.learning_impressions.values())):.1%} of its impressions): a program",
        f"never shown starts at {tuning.optimism} times the occupation's rate and is tried, then judged on its record.",
        "",
        "### Settings of the run",
        "",
        f"`{tuning}`; {'Thompson draws seeded per search' if args.thompson else 'posterior means'};",
        f"institution cap {MAX_SHARE} of the first ten.",
        "",
        "### What the simulation leaves out",
        "",
        "The people here choose by the judgments' grades alone and click only (no inquiries or referrals), a",
        "program nobody judged is as unattractive as one judged not relevant, and the catalogs do not change",
        "during the run. The service reads the same counts from its events, less those of robots and those",
        "refused as forged (`recommendations/feedback.py`; `tests/recommendations/test_feedback.py` checks both).",
        "Real people may click less than these simulated ones: the prior is worth ten choices, so an occupation",
        "needs some tens of choices before its programs move much, and fewer clicks mean more searches first.",
        "",
    ]
    return "\n".join(lines)


def _rate(counts: tuple[int, int]) -> str:
    clicks, shown = counts
    return f"{clicks / shown:.3f}" if shown else "–"


# --- running -------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--searches", type=int, default=8000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--block", type=int, default=400, help="searches per block of the report")
    parser.add_argument("--share", type=float, default=0.5, help="share of searches in the learning arm")
    parser.add_argument("--thompson", action="store_true", help="Thompson draws rather than the posterior means")
    parser.add_argument(
        "--candidates", type=Path, help=f"the base ranking's candidate lists (default: LMI_INDEX_DIR/{CANDIDATES})"
    )
    parser.add_argument("--rebuild-candidates", action="store_true", help="make them again from the database")
    parser.add_argument("--report", type=Path, default=REPORT)
    parser.add_argument("--judgments", type=Path, default=JUDGMENTS)
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    progress: Progress = (lambda message: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    judged = read_judgments(args.judgments)
    tuning = DEFAULT_TUNING
    if args.candidates is None:
        from service.config import Settings  # noqa: PLC0415

        args.candidates = Settings().index_dir / CANDIDATES
    if args.rebuild_candidates or not args.candidates.exists():
        document = build_candidates(judged, tuning.pool, progress)
        args.candidates.write_text(candidates_text(document), encoding="utf-8")
    document = json.loads(args.candidates.read_text(encoding="utf-8"))
    lists = candidate_lists(document, judged)
    run_searches = partial(
        simulate,
        lists,
        args.searches,
        seed=args.seed,
        share=args.share,
        block_size=args.block,
        tuning=tuning,
        thompson=args.thompson,
        progress=progress,
    )
    run = run_searches()
    biggest = max(run.base_impressions, key=lambda institution: run.base_impressions[institution])
    progress(f"the same searches, people never clicking institution {biggest}'s programs")
    shunned = run_searches(shunned=biggest)
    chart(run, args.report.with_suffix(".svg"))
    args.report.write_text(
        render(run, (biggest, shunned), lists, tuning, args, str(document["made"]), str(document["skill_space"])),
        encoding="utf-8",
    )
    tail = run.blocks[len(run.blocks) // 2 :]
    print(
        f"precision@10, second half: control {mean_precision(tail, 'control'):.3f}, "
        f"learning {mean_precision(tail, 'learning'):.3f}; lowest institution ratio "
        f"{min(run.learning_impressions[i] / run.base_impressions[i] for i in run.base_impressions):.2f} "
        f"(floor {tuning.floor}); floor misses {run.floor_misses}"
    )
    print(f"report written to {args.report}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
