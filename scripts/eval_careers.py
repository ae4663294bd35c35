"""Skills to occupations and career moves, against the career judgments of tests/data → reports/careers.md.

Judgments (written for this project, each row with its source; see the report):
- `tests/data/career_skill_judgments.csv`: a person's skills as people type them (a list, or a pasted
  text), in English or French, with the occupation a career counsellor would give first (`first_noc`)
  and those they would also accept (`accepted`);
- `tests/data/career_move_judgments.csv`: for a source occupation, the moves a counsellor calls strong
  (grade 2) and plausible (grade 1); a move nobody listed counts as not relevant.
Each is split into a tuning half (the weights were chosen on it) and a test half (never tuned on).

Measured over HTTP (the service's own app, in this process), per half and per language:
- skills: the counsellor's first choice first (first@1), an acceptable one first (acceptable@1), the
  first choice in the top five (first@5), and how often no answer was given (no_match);
- moves: precision@5 (strong or plausible among the first five) and nDCG@5 (gains 2 and 1);
- the latency of both routes (p50, p95), beside the job-title search's, timed in the same run;
beside two naive baselines computed in the same run: skills embedded with e5 against each occupation's
title, definition and duties; moves by the cosine of the OaSIS profiles as published.

Run after `make run` (or `lmi import-reference && lmi build-index`):
    .venv/bin/python scripts/eval_careers.py [--tune] [--json PATH] [--quiet]
`--tune` searches the weights on the tuning half in process and prints the best (nothing is written).
"""

import argparse
import csv
import itertools
import json
import math
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

from careers.moves import DEFAULT_MOVE_WEIGHTS, MoveWeights, move_scores
from careers.search import CareerSearch
from careers.skill_scoring import DEFAULT_SCORING, SkillScoring, joint_text, recognized, skill_fit
from careers.skill_text import cleaned_skills, split_skills
from models.database import create_database_engine, create_session_factory
from service.config import Settings
from service.resources import load_models

ROOT = Path(__file__).resolve().parent.parent
SKILL_JUDGMENTS = ROOT / "tests" / "data" / "career_skill_judgments.csv"
MOVE_JUDGMENTS = ROOT / "tests" / "data" / "career_move_judgments.csv"
REPORT = ROOT / "reports" / "careers.md"
LIMITS = ROOT / "reports" / "careers_limits.md"  # written by hand from this report's figures
HALVES = ("tune", "test")
LANGS = ("en", "fr")
CUTOFF = 5
LIST_SEPARATOR = " | "  # between the skills of a list, in the judgments file only
TIMED = 3  # timed answers per judged input, after one warm-up

Progress = Callable[[str], None]


@dataclass(frozen=True)
class SkillCase:
    id: str
    lang: str
    half: str
    form: str  # "list" or "text"
    skills: list[str]  # the list, or [the text]
    first: str
    accepted: frozenset[str]
    source: str

    def body(self) -> dict[str, Any]:
        return {"text": self.skills[0]} if self.form == "text" else {"skills": self.skills}


@dataclass(frozen=True)
class MoveCase:
    source: str
    half: str
    grades: dict[str, int]  # target → 2 strong, 1 plausible


def read_skill_cases(path: Path = SKILL_JUDGMENTS) -> list[SkillCase]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            SkillCase(
                row["id"],
                row["lang"],
                row["half"],
                row["form"],
                [row["skills"]] if row["form"] == "text" else [s.strip() for s in row["skills"].split(LIST_SEPARATOR)],
                row["first_noc"],
                frozenset(row["accepted"].split()),
                row["source"],
            )
            for row in csv.DictReader(handle)
        ]


def read_move_cases(path: Path = MOVE_JUDGMENTS) -> list[MoveCase]:
    grades: dict[tuple[str, str], dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            grades[(row["source_noc"], row["half"])][row["target_noc"]] = int(row["grade"])
    return [MoveCase(source, half, found) for (source, half), found in sorted(grades.items())]


# --- measures (pure: tests/careers/test_eval_measures.py) ---


def skill_hits(case: SkillCase, ranked: Sequence[str]) -> dict[str, float]:
    top = ranked[0] if ranked else None
    return {
        "first@1": float(top == case.first),
        "acceptable@1": float(top is not None and (top == case.first or top in case.accepted)),
        "first@5": float(case.first in ranked[:CUTOFF]),
        "no_match": float(not ranked),
    }


def precision_at(grades: dict[str, int], ranked: Sequence[str], cutoff: int = CUTOFF) -> float:
    return sum(1 for code in ranked[:cutoff] if grades.get(code, 0) > 0) / cutoff


def ndcg_at(grades: dict[str, int], ranked: Sequence[str], cutoff: int = CUTOFF) -> float:
    gained = sum(grades.get(code, 0) / math.log2(place + 2) for place, code in enumerate(ranked[:cutoff]))
    ideal_gains = sorted(grades.values(), reverse=True)[:cutoff]
    ideal = sum(gain / math.log2(place + 2) for place, gain in enumerate(ideal_gains))
    return gained / ideal if ideal else 0.0


def mean(values: Sequence[float]) -> float:
    return statistics.fmean(values) if values else float("nan")


# --- in process: tuning and baselines ---


class InProcess:
    """The career space loaded as the service loads it, to score many variants quickly."""

    def __init__(self, settings: Settings):
        engine = create_database_engine(settings.database_url)
        models = load_models(
            create_session_factory(engine), settings.matcher_backend, settings.index_dir, settings.data_dir, 0.5
        )
        if models.careers is None:
            sys.exit("nothing imported: run `make run` (or lmi import-reference && lmi build-index) first")
        self.models = models
        self.careers: CareerSearch = models.careers
        self._vectors: dict[str, np.ndarray | None] = {}

    def given_skills(self, case: SkillCase) -> list[str]:
        return split_skills(case.skills[0]) if case.form == "text" else cleaned_skills(case.skills)

    def skill_vectors(self, case: SkillCase) -> tuple[list[str], np.ndarray | None]:
        """The recognized skills of a case and their embeddings, the whole list's last (cached)."""
        given = self.given_skills(case)
        skills = [skill for skill, counts in zip(given, recognized(self.careers.space, given), strict=True) if counts]
        if case.id not in self._vectors:
            texts = [*skills, joint_text(skills)] if len(skills) > 1 else skills
            self._vectors[case.id] = self.careers.space.skills.embedder.embed_queries(texts) if skills else None
        return skills, self._vectors[case.id]

    def ranked_for_skills(self, case: SkillCase, scoring: SkillScoring) -> list[str]:
        skills, vectors = self.skill_vectors(case)
        if vectors is None:
            return []
        joint = vectors[-1] if len(skills) > 1 else None
        fit = skill_fit(self.careers.space, skills, vectors[: len(skills)], self.careers.titles, scoring, joint)
        order = np.argsort(-fit.scores, kind="stable")[:CUTOFF]
        return [self.careers.space.codes[column] for column in order]

    def naive_skills(self, case: SkillCase) -> list[str]:
        """The baseline: every skill given embedded with e5, their mean cosine with each occupation's
        embedded titles, definition and duties."""
        vectors = self.careers.space.skills.embedder.embed_queries(self.given_skills(case))
        similarity = self.careers.space.skills.occupation_similarity(vectors).mean(axis=0)
        return [self.careers.space.codes[c] for c in np.argsort(-similarity, kind="stable")[:CUTOFF]]

    def ranked_moves_for(self, scores: np.ndarray, case: "MoveCase") -> list[str]:
        return self.ranked_moves(scores, case.source)

    def ranked_moves(self, scores: np.ndarray, source: str) -> list[str]:
        row = self.careers.space.skills.occupation_rows[source]
        return [self.careers.space.codes[c] for c in np.argsort(-scores[row], kind="stable")[:CUTOFF]]

    def naive_move_scores(self) -> np.ndarray:
        """The baseline: the cosine of the OaSIS profiles as published (every dimension, not standardized)."""
        from careers.reference_facts import read_reference_facts  # noqa: PLC0415

        engine = create_database_engine(Settings().database_url)
        with create_session_factory(engine)() as session:
            facts = read_reference_facts(session)
        codes = self.careers.space.codes
        matrix = np.array([[facts.ratings.get(c, {}).get(d, 0.0) for d in facts.descriptors] for c in codes])
        unit = matrix / np.maximum(np.linalg.norm(matrix, axis=1, keepdims=True), 1e-9)
        scores: np.ndarray = unit @ unit.T
        np.fill_diagonal(scores, -np.inf)
        return scores


def skill_summary(cases: Sequence[SkillCase], ranked: Callable[[SkillCase], list[str]]) -> dict[str, float]:
    hits = [skill_hits(case, ranked(case)) for case in cases]
    return {key: mean([hit[key] for hit in hits]) for key in hits[0]} if hits else {}


def move_summary(cases: Sequence[MoveCase], ranked: Callable[[MoveCase], list[str]]) -> dict[str, float]:
    lists = [(case, ranked(case)) for case in cases]
    return {
        "precision@5": mean([precision_at(case.grades, found) for case, found in lists]),
        "ndcg@5": mean([ndcg_at(case.grades, found) for case, found in lists]),
    }


def tune(process: InProcess, skill_cases: list[SkillCase], move_cases: list[MoveCase], say: Progress) -> None:
    tuning = [case for case in skill_cases if case.half == "tune"]
    best: tuple[float, SkillScoring] | None = None
    grid = itertools.product((0.3,), (0.2, 0.3), (0.2,), (2.5, 3.0), (1.0, 1.5), (3, 4, 6), (0.3, 0.4, 0.6))
    for duty, title, text, cap, whole, lexical, prevalence in grid:
        scoring = replace(
            DEFAULT_SCORING,
            duty_weight=duty,
            title_weight=title,
            text_weight=text,
            z_cap=cap,
            joint_weight=whole,
            lexical_weight=lexical,
            prevalence_weight=prevalence,
        )
        found = skill_summary(tuning, partial(process.ranked_for_skills, scoring=scoring))
        value = found["first@1"] + found["acceptable@1"] + found["first@5"]
        if best is None or value > best[0]:
            best = (value, scoring)
            say(f"skills {found} {scoring}")
    if "--skills-only" in sys.argv:
        return
    move_tuning = [case for case in move_cases if case.half == "tune"]
    best_moves: tuple[float, MoveWeights] | None = None
    options = {
        "skill": (0.1, 0.2, 0.3),
        "work_activity": (0.1, 0.2, 0.3),
        "ability": (0.0, 0.05),
        "duties": (0.1, 0.2, 0.3),
        "text": (0.1, 0.2, 0.3),
        "shared_level": (0.0, 0.03, 0.06),
        "cited": (0.0, 0.1, 0.2),
        "teer_step": (0.0, 0.03, 0.06),
    }
    for values in itertools.product(*options.values()):
        weights = replace(DEFAULT_MOVE_WEIGHTS, **dict(zip(options, values, strict=True)))
        scores = move_scores(process.careers.space.measures, weights)
        found = move_summary(move_tuning, partial(process.ranked_moves_for, scores))
        value = found["precision@5"] + found["ndcg@5"]
        if best_moves is None or value > best_moves[0]:
            best_moves = (value, weights)
            say(f"moves {found} {weights}")


@dataclass
class HttpRun:
    """What the service answered over HTTP, and how long each answer took (ms)."""

    skills: dict[str, list[str]]  # case id → the occupations, best first (empty: no match)
    skill_answers: dict[str, dict[str, Any]]
    moves: dict[str, list[str]]  # source → the moves, best first
    move_answers: dict[str, dict[str, Any]]
    timings: dict[str, list[float]]


def run_over_http(
    settings: Settings, skill_cases: list[SkillCase], move_cases: list[MoveCase], say: Progress
) -> HttpRun:
    from fastapi.testclient import TestClient  # noqa: PLC0415

    from service.app import create_app  # noqa: PLC0415

    run = HttpRun({}, {}, {}, {}, defaultdict(list))
    unlimited = "1000000/second"
    app = create_app(
        settings.model_copy(
            update={"startup_wait_seconds": None, "rate_limit_address": unlimited, "retag_on_startup": False}
        )
    )
    with TestClient(app) as client:
        for step, case in enumerate(skill_cases):
            body = case.body() | {"limit": CUTOFF}
            for attempt in range(1 + TIMED):  # the first: skills not seen before; then: seen (their embeddings kept)
                started = time.perf_counter()
                response = client.post("/v1/occupations/by-skills", json=body)
                elapsed = 1000 * (time.perf_counter() - started)
                run.timings["by-skills, skills seen before" if attempt else "by-skills, new skills"].append(elapsed)
            response.raise_for_status()
            answer = response.json()
            run.skill_answers[case.id] = answer
            run.skills[case.id] = [occupation["noc_code"] for occupation in answer["occupations"]]
            if step % 20 == 0:
                say(f"skills {step + 1}/{len(skill_cases)}")
            title = answer["occupations"][0]["title"] if answer["occupations"] else "x"
            started = time.perf_counter()
            client.get("/v1/occupations/search", params={"q": title, "limit": CUTOFF})
            run.timings["job-title search (baseline)"].append(1000 * (time.perf_counter() - started))
        client.get("/v1/occupations/72200/transitions")  # warm-up
        for source in move_cases:
            address = f"/v1/occupations/{source.source}/transitions"
            for _ in range(TIMED):
                started = time.perf_counter()
                response = client.get(address, params={"limit": CUTOFF, "region": "ER3530"})
                run.timings["transitions"].append(1000 * (time.perf_counter() - started))
            response.raise_for_status()
            answer = response.json()
            run.move_answers[source.source] = answer
            run.moves[source.source] = [move["noc_code"] for move in answer["transitions"]]
    return run


def percentile(values: Sequence[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def write_report(
    run: HttpRun, process: InProcess, skill_cases: list[SkillCase], move_cases: list[MoveCase]
) -> dict[str, Any]:
    titles = {o.noc_code: (o.title_en, o.title_fr) for o in process.careers.space.skills.occupations}
    naive_moves = process.naive_move_scores()
    figures: dict[str, Any] = {"skills": {}, "moves": {}, "latency_ms": {}}
    rows = []
    for half in HALVES:
        for lang in (*LANGS, "all"):
            lists = [c for c in skill_cases if c.half == half and (lang in ("all", c.lang))]
            served = skill_summary(lists, lambda case: run.skills[case.id][:CUTOFF])
            naive = skill_summary(lists, process.naive_skills)
            figures["skills"][f"{half}/{lang}"] = {"service": served, "naive": naive, "cases": len(lists)}
            rows.append(
                f"| {half} | {lang} | {len(lists)} | {served['first@1']:.2f} ({naive['first@1']:.2f}) | "
                f"{served['acceptable@1']:.2f} ({naive['acceptable@1']:.2f}) | "
                f"{served['first@5']:.2f} ({naive['first@5']:.2f}) | {served['no_match']:.2f} |"
            )
    move_rows = []
    for half in HALVES:
        sources = [c for c in move_cases if c.half == half]
        served = move_summary(sources, lambda case: run.moves[case.source][:CUTOFF])
        naive = move_summary(sources, partial(process.ranked_moves_for, naive_moves))
        figures["moves"][half] = {"service": served, "naive": naive, "sources": len(sources)}
        move_rows.append(
            f"| {half} | {len(sources)} | {served['precision@5']:.2f} ({naive['precision@5']:.2f}) | "
            f"{served['ndcg@5']:.2f} ({naive['ndcg@5']:.2f}) |"
        )
    latency_rows = []
    for name, values in run.timings.items():
        figures["latency_ms"][name] = {
            "p50": percentile(values, 0.5),
            "p95": percentile(values, 0.95),
            "n": len(values),
        }
        latency_rows.append(
            f"| {name} | {len(values)} | {percentile(values, 0.5):.1f} | {percentile(values, 0.95):.1f} |"
        )
    examples = _skill_examples(run, skill_cases, titles) + _move_examples(run, move_cases, titles)
    limits = LIMITS.read_text(encoding="utf-8") if LIMITS.is_file() else ""
    REPORT.write_text(
        "\n".join(
            [
                "# Skills to occupations and career moves",
                "",
                f"Written by `scripts/eval_careers.py` on {time.strftime('%Y-%m-%d')}, over the HTTP API of the "
                "service (the app of `make run` in the script's process, its whole middleware stack; e5 matcher, "
                "SQLite), on two cores.",
                "",
                "## Judgments",
                "",
                f"- `tests/data/career_skill_judgments.csv`: {len(skill_cases)} persons' skills as people type them "
                f"({sum(c.lang == 'fr' for c in skill_cases)} in French; "
                f"{sum(c.form == 'text' for c in skill_cases)} pasted as a text, the rest as lists; typos, "
                'abbreviations, Québec jargon, a few lists with one non-skill such as "asdf"), each with the '
                "occupation a career counsellor would give first and those they would also accept, and its source "
                "(the NOC 2021 duties, or a counsellor's knowledge of the field). Written for this project in the "
                "manner of a counsellor; one first answer per occupation, across the ten broad categories and "
                "TEER 0 to 5.",
                f"- `tests/data/career_move_judgments.csv`: {len(move_cases)} source occupations "
                f"({sum(len(c.grades) for c in move_cases)} judged moves: strong, grade 2, and plausible, grade 1), "
                "each move with its reason (the NOC's *Additional information* and *Exclusions*, supervisory "
                "steps, bridging programs, the same tools and duties). A move nobody listed counts as wrong.",
                "- Each file is split in two halves, alternating: the weights were chosen on the tuning half only "
                "(`--tune`); the test half was never tuned on.",
                "",
                "## Skills to occupations",
                "",
                "First@1: the counsellor's first choice first; acceptable@1: the first answer is the first choice "
                "or an accepted one; first@5: the first choice among the first five. In brackets, the naive "
                "prototype measured in the same run (each skill embedded with e5 against each occupation's "
                "embedded titles, definition and duties; the mean cosine). Goals: 0.80, 0.90, 0.95.",
                "",
                "| half | lang | lists | first@1 | acceptable@1 | first@5 | no match |",
                "|---|---|---|---|---|---|---|",
                *rows,
                "",
                "## Career moves",
                "",
                "Precision@5: strong or plausible moves among the first five; nDCG@5 with gains 2 and 1. In "
                "brackets, the naive prototype measured in the same run (the cosine of the OaSIS profiles as "
                "published). Goals: 0.80 and 0.70.",
                "",
                "| half | sources | precision@5 | nDCG@5 |",
                "|---|---|---|---|",
                *move_rows,
                "",
                "## Latency",
                "",
                f"Each judged input answered {1 + TIMED} times over HTTP, one request at a time: the skills the first "
                "time (embedded then), then again (their embeddings kept, as when a person adds a skill to their "
                "list); the moves of each source with Toronto's wages. Beside them, the job-title search of the "
                "same service in the same run. Goal: p50 of both answers 50 ms.",
                "",
                "| route | requests | p50 ms | p95 ms |",
                "|---|---|---|---|",
                *latency_rows,
                "",
                *examples,
                limits,
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    return figures


def _skill_examples(run: HttpRun, cases: list[SkillCase], titles: dict[str, tuple[str, str]]) -> list[str]:
    lines = ["## Examples (test half)", "", "### What a person can do", ""]
    chosen = [c for c in cases if c.half == "test" and c.form == "list"]
    for case in [*[c for c in chosen if c.lang == "en"][:3], *[c for c in chosen if c.lang == "fr"][:3]]:
        answer = run.skill_answers[case.id]
        first = titles[case.first][1 if case.lang == "fr" else 0]
        lines.append(f"- *{' ; '.join(case.skills)}* ({case.lang}; counsellor: {case.first} {first})")
        for place, occupation in enumerate(answer["occupations"][:3], start=1):
            uses = ", ".join(m["input"] for m in occupation["matched"]) or "-"
            mark = (
                " ✓"
                if occupation["noc_code"] == case.first
                else " (accepted)"
                if occupation["noc_code"] in case.accepted
                else ""
            )
            lines.append(f"  {place}. {occupation['noc_code']} {occupation['title']}{mark}: uses {uses}")
        if answer["unrecognized"]:
            lines.append(f"  not recognized: {', '.join(answer['unrecognized'])}")
    return [*lines, ""]


def _move_examples(run: HttpRun, cases: list[MoveCase], titles: dict[str, tuple[str, str]]) -> list[str]:
    lines = ["### Career moves", "", "Wages for Toronto (ER3530) where published, else the nearest area.", ""]
    for case in [c for c in cases if c.half == "test"][:4]:
        answer = run.move_answers[case.source]
        lines.append(f"- From {case.source} {titles[case.source][0]}:")
        for place, move in enumerate(answer["transitions"][:5], start=1):
            grade = {2: "strong", 1: "plausible"}.get(case.grades.get(move["noc_code"], 0), "not judged")
            change = move["wage_change"]
            wage = f"{change['change']:+.2f} $/h" if change else "wage unknown"
            training = ", more training" if move["more_training"] else ""
            good = {True: ", desirable", False: "", None: ""}[move["desirable"]]
            learn = ", ".join(s["name"] for s in move["to_learn"][:3]) or "-"
            lines.append(
                f"  {place}. {move['noc_code']} {move['title']} ({grade}; {wage}{training}{good}); to learn: {learn}"
            )
    return [*lines, ""]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tune", action="store_true")
    parser.add_argument("--skills-only", action="store_true", help="with --tune: the skills' weights only")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args(argv)
    say: Progress = (lambda _: None) if args.quiet else (lambda text: print(text, file=sys.stderr, flush=True))
    settings = Settings()
    skill_cases, move_cases = read_skill_cases(), read_move_cases()
    process = InProcess(settings)
    if args.tune:
        tune(process, skill_cases, move_cases, say)
        return 0
    started = time.perf_counter()
    run = run_over_http(settings, skill_cases, move_cases, say)
    figures = write_report(run, process, skill_cases, move_cases)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    say(f"{REPORT} written in {time.perf_counter() - started:.0f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
