"""Measure the matcher and write `reports/matching.md`.

1. Hold out a stratified 5% of the index titles in each language, build the lexicon and the
   embedding index without them, query them: top-1/3/5, MRR and no-match rate by language and
   TEER for fuzzy only, embeddings only and the hybrid, for each embedding backend.
2. Fit the fusion weights on those held-out queries (two-fold: each half is scored with weights
   fitted on the other half, so the reported figures are out of sample) and, with --fit, write
   the weights fitted on all of them to `matching/calibration.json`.
3. Score the people queries (`tests/data/people_queries_en.csv`, `people_queries_fr.csv`: titles as
   people write them, with the industry and duties they gave, and non-answers) against the full
   index. They are split into a tuning half, whose evidence is fitted with the held-out titles,
   and a test half, which is only reported: by kind and language, before (the rankings an earlier
   version wrote to `reports/matching_baseline.json`, see `scripts/eval_baseline.py`) and after.
   `tests/data/realistic_queries.csv` (the first, smaller set) is scored too.
4. Time the default backend: search in process and over HTTP, batch throughput, index build,
   start with a cached index, resident memory.

Usage: python scripts/eval_matching.py [--fit] [--backends e5,minilm] [--skip-http]
The reference database must be imported first (`lmi import-reference`); the indexes are cached in
LMI_INDEX_DIR (default var/index), so a second run embeds nothing.
"""

import argparse
import csv
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path

import httpx
from matching_report import label, render  # scripts/ is on the path when run as a script

from matching.assembly import assemble_matcher, semantic_passages
from matching.backends import NO_EMBEDDINGS
from matching.engine import Matcher, SearchQuery
from matching.esco import ESCO_OCCUPATIONS_FILE, EscoLabels, read_esco_occupations
from matching.esco_linking import link_occupations, linked_labels
from matching.evaluation import (
    TEST,
    TUNE,
    RankingScores,
    Thresholds,
    fit_calibration,
    percentile,
    ranking_scores,
    split_halves,
    stratified_holdout,
)
from matching.fusion import CALIBRATION_FILE, FEATURES, Calibration, Evidence, save_calibrations
from matching.lexicon import Lexicon, LexiconSources
from matching.query import normalize_query
from matching.vector_index import cache_key, cache_paths
from models.database import create_database_engine, create_session_factory
from service.config import UNLIMITED_RATES, Settings
from service.resources import read_lexicon_sources

REPOSITORY = Path(__file__).resolve().parent.parent
HOLDOUT_SHARE = 0.05
HOLDOUT_SEED = 2021
REALISTIC_QUERIES = REPOSITORY / "tests" / "data" / "realistic_queries.csv"
PEOPLE_QUERIES = tuple(REPOSITORY / "tests" / "data" / f"people_queries_{lang}.csv" for lang in ("en", "fr"))
BASELINE = REPOSITORY / "reports" / "matching_baseline.json"
TUNING_WEIGHT = 3  # each tuning query counts as this many held-out titles in the fit
REPORT = REPOSITORY / "reports" / "matching.md"
CANDIDATE_LIMIT = 10
STARTS = 3  # service starts timed; the median is reported
NO_MATCH_THRESHOLD = 0.15
HIGH_THRESHOLD = 0.8
MEDIUM_THRESHOLD = 0.5
LEXICAL_FEATURES = ("lexical", "exact", "lexical_first", "lexical_margin", "lexical_votes", "adds_rank")


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    expected: frozenset[str]
    stratum: str  # TEER for held-out titles, category for realistic queries


@dataclass(frozen=True)
class PeopleQuery(Query):
    industry: str | None
    duties: str | None
    half: str  # TUNE or TEST

    def key(self) -> str:
        """How the baseline's rankings name this query."""
        return f"{self.lang}\t{self.text}\t{self.industry or ''}\t{self.duties or ''}"


@dataclass
class QueryEvidence:
    """Every candidate unit group's evidence for one query, under one backend."""

    query: Query
    codes: list[str]
    evidence: list[Evidence]


@dataclass
class Section:
    """One block of results: a method scored on a set of queries, overall and by stratum."""

    overall: dict[str, RankingScores] = field(default_factory=dict)  # by language, and "all"
    by_stratum: dict[str, dict[str, RankingScores]] = field(default_factory=dict)


def main() -> int:
    arguments = _arguments()
    settings = Settings()
    started = time.perf_counter()
    engine = create_database_engine(settings.database_url)
    with create_session_factory(engine)() as session:
        sources = read_lexicon_sources(session)
    engine.dispose()
    if not sources.unit_groups:
        print("the reference database is empty; run `lmi import-reference` first", file=sys.stderr)
        return 2
    holdout_lexicon, holdout_queries = _hold_out(sources)
    full_lexicon = sources.build()
    if arguments.timing_only:
        esco_file = settings.data_dir / ESCO_OCCUPATIONS_FILE  # as the service searches
        matcher = assemble_matcher(full_lexicon, arguments.timing_only, settings.index_dir, esco_file=esco_file)
        measured = _measure_in_process(matcher, holdout_queries, _read_realistic_queries(), _read_people_queries())
        print(json.dumps(measured))
        return 0
    print(f"held out {len(holdout_queries):,} of {len(sources.titles):,} titles", file=sys.stderr)

    build_seconds: dict[str, float] = {}
    holdout_matchers, full_matchers = _assemble(
        holdout_lexicon, full_lexicon, arguments.backends, settings, build_seconds
    )
    if arguments.build_only:
        return 0
    _add_esco_labels(holdout_matchers, full_matchers, settings)

    print("collecting evidence on the held-out titles and the tuning half", file=sys.stderr)
    people = _read_people_queries()
    tuning = [query for query in people if query.half == TUNE]
    evidence = {backend: _collect(matcher, holdout_queries) for backend, matcher in holdout_matchers.items()}
    tuning_evidence = {backend: _collect_people(full_matchers[backend], tuning) for backend in full_matchers}
    calibrations = {
        backend: _fit([*collected, *tuning_evidence[backend] * TUNING_WEIGHT], _features(backend))
        for backend, collected in evidence.items()
    }
    if arguments.fit:
        save_calibrations(calibrations)
        print(f"wrote {CALIBRATION_FILE.relative_to(REPOSITORY)}", file=sys.stderr)
    cross_fitted = {
        backend: _cross_fitted_rankings(collected, tuning_evidence[backend] * TUNING_WEIGHT, _features(backend))
        for backend, collected in evidence.items()
    }
    holdout_sections = _holdout_sections(holdout_queries, evidence, cross_fitted)

    print("searching the test half and the realistic queries", file=sys.stderr)
    test_half = [query for query in people if query.half == TEST]
    realistic = _read_realistic_queries()
    for backend, uncalibrated in full_matchers.items():
        full_matchers[backend] = uncalibrated.recalibrated(calibrations[backend], calibrations[NO_EMBEDDINGS])
    realistic_sections, realistic_no_match, people_results = _score_full_index(full_matchers, realistic, test_half)

    default = _choose_default(holdout_sections, arguments.backends)
    print(f"timing {default}", file=sys.stderr)
    performance = _measure_in_fresh_process(default)
    if not arguments.skip_http:
        timed = _timed_queries([*realistic, *people])
        performance.update(_measure_http(timed, _long_titles(holdout_queries[1::5], 1000), default))
    if arguments.time_build:
        print(f"building the {default} index from scratch", file=sys.stderr)
        with tempfile.TemporaryDirectory() as scratch:
            build_seconds[f"{default} full, from scratch in this run"] = _timed_build(
                full_lexicon, default, Path(scratch)
            )
    performance["index build (s)"] = build_seconds
    _write_report(
        holdout_queries,
        holdout_sections,
        cross_fitted,
        realistic,
        realistic_sections,
        realistic_no_match,
        test_half,
        people_results,
        calibrations,
        default,
        performance,
        time.perf_counter() - started,
    )
    print(f"wrote {REPORT.relative_to(REPOSITORY)}; default backend: {default}", file=sys.stderr)
    return 0


def _assemble(
    holdout_lexicon: Lexicon,
    full_lexicon: Lexicon,
    backends: Sequence[str],
    settings: Settings,
    build_seconds: dict[str, float],
) -> tuple[dict[str, Matcher], dict[str, Matcher]]:
    """The held-out and full matchers of each backend, words only included, noting build times."""
    holdout_matchers = {
        NO_EMBEDDINGS: assemble_matcher(holdout_lexicon, NO_EMBEDDINGS, settings.index_dir, _provisional())
    }
    full_matchers = {NO_EMBEDDINGS: assemble_matcher(full_lexicon, NO_EMBEDDINGS, settings.index_dir, _provisional())}
    for backend in backends:
        full_matchers[backend] = _timed_assembly(full_lexicon, backend, settings.index_dir, build_seconds, "full")
        holdout_matchers[backend] = _timed_assembly(
            holdout_lexicon, backend, settings.index_dir, build_seconds, "held-out"
        )
    return holdout_matchers, full_matchers


def _add_esco_labels(
    holdout_matchers: dict[str, Matcher], full_matchers: dict[str, Matcher], settings: Settings
) -> None:
    """ESCO's titles as the service uses them: linked by each matcher with its shipped calibration
    (the held-out matchers' links are made without the held-out titles, and not cached)."""
    esco_file = settings.data_dir / ESCO_OCCUPATIONS_FILE
    print("linking ESCO occupations to NOC", file=sys.stderr)
    for backend, matcher in full_matchers.items():
        shipped = matcher.recalibrated(Calibration.load(backend))
        matcher.esco_labels = linked_labels(shipped, esco_file, settings.index_dir)
    occupations = read_esco_occupations(esco_file)
    for backend, matcher in holdout_matchers.items():
        matcher.esco_labels = EscoLabels(link_occupations(matcher.recalibrated(Calibration.load(backend)), occupations))


def _hold_out(sources: LexiconSources) -> tuple[Lexicon, list[Query]]:
    """The lexicon without a stratified 5% of the titles, and those titles as queries."""
    teer = {group.code: str(group.teer) for group in sources.unit_groups}
    held = set(stratified_holdout(sources.titles, HOLDOUT_SHARE, HOLDOUT_SEED))
    training = replace(sources, titles=[row for index, row in enumerate(sources.titles) if index not in held])
    queries = [
        Query(title, lang, frozenset({code}), teer[code])
        for index, (code, lang, title) in enumerate(sources.titles)
        if index in held
    ]
    return training.build(), queries


def _features(backend: str) -> Sequence[str]:
    return LEXICAL_FEATURES if backend == NO_EMBEDDINGS else FEATURES


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--backends",
        default="e5,minilm",
        type=lambda text: [b for b in text.split(",") if b],
        help="embedding backends to compare (empty: fuzzy only)",
    )
    parser.add_argument("--fit", action="store_true", help="write the fitted weights to matching/calibration.json")
    parser.add_argument("--build-only", action="store_true", help="build the indexes and stop")
    parser.add_argument("--skip-http", action="store_true", help="do not start a server to time HTTP")
    parser.add_argument("--timing-only", metavar="BACKEND", help=argparse.SUPPRESS)
    parser.add_argument(
        "--time-build",
        action="store_true",
        help="also build the default backend's index from scratch in a scratch folder, timed",
    )
    return parser.parse_args()


def _provisional() -> Calibration:
    """Any weights will do where only the evidence, not the score, is used."""
    return Calibration((0.0,) * len(FEATURES), 0.0, NO_MATCH_THRESHOLD, HIGH_THRESHOLD, MEDIUM_THRESHOLD)


def _timed_assembly(
    lexicon: Lexicon, backend: str, index_dir: Path, build_seconds: dict[str, float], label: str
) -> Matcher:
    """The matcher, noting how long its index took to build (from the cache's record if it was cached)."""
    matcher = assemble_matcher(lexicon, backend, index_dir, _provisional())
    passages = [entry.title for entry in semantic_passages(lexicon)]
    _, sidecar = cache_paths(index_dir, matcher.embedder.name, cache_key(matcher.embedder, passages))
    build_seconds[f"{backend} {label} ({len(passages):,} titles)"] = json.loads(sidecar.read_text())["build_seconds"]
    return matcher


def _timed_build(lexicon: Lexicon, backend: str, index_dir: Path) -> float:
    started = time.perf_counter()
    assemble_matcher(lexicon, backend, index_dir, _provisional())
    return time.perf_counter() - started


def _collect(matcher: Matcher, queries: Sequence[Query]) -> list[QueryEvidence]:
    normalized = [normalize_query(query.text, matcher.detector.detect(query.text)) for query in queries]
    vectors = None
    if matcher.embedder is not None:
        vectors = matcher.embedder.embed_queries([n.cleaned or " " for n in normalized])
    collected = []
    for index, (query, norm) in enumerate(zip(queries, normalized, strict=True)):
        vector = vectors[index : index + 1] if vectors is not None else None
        evidence = matcher.evidence(norm, vector) if matcher.is_searchable(norm) else {}
        collected.append(QueryEvidence(query, list(evidence), list(evidence.values())))
    return collected


def _fit(collected: Sequence[QueryEvidence], features: Sequence[str]) -> Calibration:
    return fit_calibration(
        [(item.evidence, [code in item.query.expected for code in item.codes]) for item in collected if item.codes],
        features,
        Thresholds(NO_MATCH_THRESHOLD, HIGH_THRESHOLD, MEDIUM_THRESHOLD),
    )


def _cross_fitted_rankings(
    collected: Sequence[QueryEvidence], extra: Sequence[QueryEvidence], features: Sequence[str]
) -> list[list[tuple[float, str]]]:
    """(score, code) rankings, each query scored with weights fitted on the other half (and `extra`)."""
    halves = (collected[0::2], collected[1::2])
    calibrations = (_fit([*halves[1], *extra], features), _fit([*halves[0], *extra], features))
    rankings: list[list[tuple[float, str]]] = []
    for position, item in enumerate(collected):
        scores = calibrations[position % 2].scores(item.evidence)
        scored = sorted(zip(scores, item.codes, strict=True), key=lambda pair: (-pair[0], pair[1]))
        rankings.append(scored[:CANDIDATE_LIMIT])
    return rankings


def _no_match_cut(rankings: Sequence[Sequence[tuple[float, str]]]) -> list[list[str]]:
    return [[] if not r or r[0][0] < NO_MATCH_THRESHOLD else [code for _, code in r] for r in rankings]


def _semantic_rankings(collected: Sequence[QueryEvidence]) -> list[list[str]]:
    rankings = []
    for item in collected:
        scored = sorted(
            ((e.semantic, code) for code, e in zip(item.codes, item.evidence, strict=True) if e.semantic > 0),
            key=lambda pair: (-pair[0], pair[1]),
        )
        rankings.append([code for _, code in scored[:CANDIDATE_LIMIT]])
    return rankings


def _section(queries: Sequence[Query], rankings: Sequence[Sequence[str]]) -> Section:
    section = Section()
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, query in enumerate(queries):
        for lang in (query.lang, "all"):
            groups[("overall", lang)].append(index)
            groups[(query.stratum, lang)].append(index)
    for (stratum, lang), indexes in sorted(groups.items()):
        scores = ranking_scores([rankings[i] for i in indexes], [queries[i].expected for i in indexes])
        if stratum == "overall":
            section.overall[lang] = scores
        else:
            section.by_stratum.setdefault(stratum, {})[lang] = scores
    return section


def _read_realistic_queries() -> list[Query]:
    with REALISTIC_QUERIES.open(encoding="utf-8", newline="") as handle:
        return [
            Query(row["query"], row["lang"], frozenset(filter(None, row["expected"].split("|"))), row["category"])
            for row in csv.DictReader(handle)
        ]


def _score_realistic(matcher: Matcher, queries: Sequence[Query]) -> tuple[Section, tuple[float, float]]:
    """Ranking scores on the job titles, and (share of non-jobs rejected, share of jobs rejected)."""
    results = matcher.search_many([SearchQuery(query.text) for query in queries], "auto", CANDIDATE_LIMIT)
    rankings = [[] if result.no_match else [match.noc_code for match in result.results] for result in results]
    jobs = [(query, ranking) for query, ranking in zip(queries, rankings, strict=True) if query.expected]
    non_jobs = [ranking for query, ranking in zip(queries, rankings, strict=True) if not query.expected]
    section = _section([query for query, _ in jobs], [ranking for _, ranking in jobs])
    rejected = sum(not ranking for ranking in non_jobs) / max(1, len(non_jobs))
    missed = sum(not ranking for _, ranking in jobs) / max(1, len(jobs))
    return section, (rejected, missed)


@dataclass
class PeopleResults:
    """A method's answers to the test half: rankings, and the first result's score."""

    rankings: list[list[str]]
    first_scores: list[float]


def _read_people_queries() -> list[PeopleQuery]:
    rows = [row for path in PEOPLE_QUERIES for row in csv.DictReader(path.open(encoding="utf-8", newline=""))]
    halves = split_halves([(row["lang"], row["category"], row["query"]) for row in rows])
    return [
        PeopleQuery(
            row["query"],
            row["lang"],
            frozenset(filter(None, row["expected"].split("|"))),
            row["category"],
            row["industry"] or None,
            row["duties"] or None,
            half,
        )
        for row, half in zip(rows, halves, strict=True)
    ]


def _collect_people(matcher: Matcher, queries: Sequence[PeopleQuery]) -> list[QueryEvidence]:
    """Evidence of the whole answer, read with its industry and duties, as the matcher searches it."""
    # Every answer's full evidence, those the words alone decide included (as before they were).
    plans = [
        replace(matcher.plan(SearchQuery(query.text, query.industry, query.duties)), words_decide=False)
        for query in queries
    ]
    texts = list(dict.fromkeys(text for plan in plans for text in plan.embedding_texts()))
    vectors = {}
    if matcher.embedder is not None and texts:
        vectors = dict(zip(texts, matcher.embedder.embed_queries(texts), strict=True))
    collected = []
    for query, plan in zip(queries, plans, strict=True):
        evidence = {}
        if plan.code_result is None and plan.searchable and query.expected:
            evidence = matcher.evidence(plan.normalized, vectors.get(plan.semantic_text()), plan.context)
        collected.append(QueryEvidence(query, list(evidence), list(evidence.values())))
    return collected


def _score_people(matcher: Matcher, queries: Sequence[PeopleQuery]) -> PeopleResults:
    results = matcher.search_many(
        [SearchQuery(query.text, query.industry, query.duties) for query in queries], "auto", CANDIDATE_LIMIT
    )
    return PeopleResults(
        [[] if result.no_match else [match.noc_code for match in result.results] for result in results],
        [result.results[0].score if result.results else 0.0 for result in results],
    )


def _baseline(queries: Sequence[PeopleQuery]) -> tuple[str, PeopleResults] | None:
    """The earlier version's answers to these queries, from `reports/matching_baseline.json`."""
    if not BASELINE.is_file():
        print(f"no {BASELINE.relative_to(REPOSITORY)}: the report has no 'before'", file=sys.stderr)
        return None
    recorded = json.loads(BASELINE.read_text(encoding="utf-8"))
    rankings = recorded["rankings"]
    if any(query.key() not in rankings for query in queries):
        print(f"{BASELINE.relative_to(REPOSITORY)} lacks some queries: run scripts/eval_baseline.py", file=sys.stderr)
        return None
    answers = [rankings[query.key()] for query in queries]
    return recorded["label"], PeopleResults([a["codes"] for a in answers], [a["score"] for a in answers])


def _holdout_sections(
    queries: Sequence[Query],
    evidence: dict[str, list[QueryEvidence]],
    cross_fitted: dict[str, list[list[tuple[float, str]]]],
) -> dict[str, Section]:
    sections = {}
    for backend, collected in evidence.items():
        if backend != NO_EMBEDDINGS:
            sections[f"embeddings only ({backend})"] = _section(queries, _semantic_rankings(collected))
        sections[label(backend)] = _section(queries, _no_match_cut(cross_fitted[backend]))
    return sections


def _score_full_index(
    matchers: dict[str, Matcher], realistic: Sequence[Query], test_half: Sequence[PeopleQuery]
) -> tuple[dict[str, Section], dict[str, tuple[float, float]], dict[str, PeopleResults]]:
    """The realistic queries' sections and no-match rates, and the answers to the test half (the
    earlier version's first, when recorded), for each calibrated matcher."""
    realistic_sections: dict[str, Section] = {}
    realistic_no_match: dict[str, tuple[float, float]] = {}
    people_results: dict[str, PeopleResults] = {}
    baseline = _baseline(test_half)
    if baseline is not None:
        people_results[f"before: {baseline[0]}"] = baseline[1]
    for backend, matcher in matchers.items():
        realistic_sections[label(backend)], realistic_no_match[label(backend)] = _score_realistic(matcher, realistic)
        people_results[label(backend)] = _score_people(matcher, test_half)
    return realistic_sections, realistic_no_match, people_results


def _choose_default(sections: dict[str, Section], backends: Sequence[str]) -> str:
    """The backend whose hybrid has the best mean of English and French held-out top-1."""

    def mean_top1(backend: str) -> float:
        overall = sections[label(backend)].overall
        return (overall["en"].top1 + overall["fr"].top1) / 2

    return max(backends, key=mean_top1, default=NO_EMBEDDINGS)


def _timed_queries(queries: Sequence[Query]) -> list[str]:
    """Distinct texts, each new to the service when it is timed: titles as people type them (held-out
    index titles would flatter the figures: most are answered from their words alone)."""
    return list(dict.fromkeys(query.text for query in queries))


def _long_titles(holdout: Sequence[Query], count: int, length: int = 200) -> list[str]:
    """`count` distinct titles of about `length` characters, made of held-out titles end to end."""
    texts = [query.text for query in holdout]
    titles = []
    for index in range(count):
        parts, position = [], index
        while len(" ".join(parts)) < length:
            parts.append(texts[position % len(texts)])
            position += count + 7
        titles.append(" ".join(parts)[:length].strip())
    return list(dict.fromkeys(titles))


def _measure_in_fresh_process(backend: str) -> dict:
    """In-process timings from a process holding only this backend's matcher: the evaluation's
    own process has run the other backend too (torch's threads), which skews timings."""
    command = [sys.executable, str(Path(__file__).resolve()), "--timing-only", backend]
    completed = subprocess.run(command, capture_output=True, text=True, check=True, cwd=REPOSITORY)
    return json.loads(completed.stdout.strip().splitlines()[-1])


def _measure_in_process(
    matcher: Matcher, holdout: Sequence[Query], realistic: Sequence[Query], people: Sequence[PeopleQuery]
) -> dict:
    queries = _timed_queries([*realistic, *(query for query in people if query.half == TUNE)])
    matcher.search("warm up")
    latencies = []
    for text in queries:
        started = time.perf_counter()
        matcher.search(text)
        latencies.append((time.perf_counter() - started) * 1000)
    # Titles the single searches did not see, so that no query vector comes from the matcher's cache.
    seen = set(queries)
    batch_titles = [
        SearchQuery(text) for text in dict.fromkeys(query.text for query in holdout if query.text not in seen)
    ]
    # The other half of people's answers, with their industry and duties: most are embedded.
    people_batch = list(
        dict.fromkeys(
            SearchQuery(query.text, query.industry, query.duties)
            for query in people
            if query.half == TEST and query.text not in seen
        )
    )
    return {
        "queries timed": len(queries),
        "batch titles": len(batch_titles),
        "batch people queries": len(people_batch),
        "in process p50 (ms)": percentile(latencies, 50),
        "in process p99 (ms)": percentile(latencies, 99),
        "batch titles/s": _batch_rate(matcher, batch_titles),
        "batch people queries/s": _batch_rate(matcher, people_batch),
    }


def _batch_rate(matcher: Matcher, queries: Sequence[SearchQuery]) -> float:
    """Queries per second through `search_many`, in chunks of 1,000 as the batch API takes them."""
    started = time.perf_counter()
    for start in range(0, len(queries), 1000):
        matcher.search_many(list(queries[start : start + 1000]), "auto", 5)
    return len(queries) / (time.perf_counter() - started)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


DURING_BATCH_EVERY = 4  # one timed query in so many is sent while a batch runs


def _measure_http(queries: Sequence[str], long_titles: Sequence[str], backend: str) -> dict:
    """Start `lmi serve` on the cached index (median of STARTS starts), then time its searches
    one after another and read its memory."""
    start_seconds = []
    for attempt in range(STARTS):
        with _served(backend) as (server, client, seconds):
            start_seconds.append(seconds)
            if attempt < STARTS - 1:
                continue
            client.get("/v1/occupations/search", params={"q": "warm up"})
            alone = [text for index, text in enumerate(queries) if index % DURING_BATCH_EVERY]
            latencies = _timed_searches(client, alone)
            during, batch_seconds = _searches_during_a_batch(client, queries[::DURING_BATCH_EVERY], long_titles)
            resident = _resident_megabytes(server.pid)
    return {
        "start with a cached index (s)": percentile(start_seconds, 50),
        "HTTP p50 (ms)": percentile(latencies, 50),
        "HTTP p99 (ms)": percentile(latencies, 99),
        "HTTP p50 during a 1,000-title batch (ms)": percentile(during, 50),
        "HTTP p99 during a 1,000-title batch (ms)": percentile(during, 99),
        "that batch, 200-character titles, limit 50 (s)": batch_seconds,
        "resident memory (MB)": resident,
    }


def _timed_searches(client: httpx.Client, queries: Sequence[str]) -> list[float]:
    latencies = []
    for text in queries:
        begin = time.perf_counter()
        response = client.get("/v1/occupations/search", params={"q": text[:200]})
        latencies.append((time.perf_counter() - begin) * 1000)
        response.raise_for_status()
    return latencies


def _searches_during_a_batch(
    client: httpx.Client, queries: Sequence[str], long_titles: Sequence[str]
) -> tuple[list[float], float]:
    """Single searches sent one after another while a batch of new long titles runs: their
    latencies, and how long the batch took."""
    body = {"limit": 50, "items": [{"q": title} for title in long_titles]}
    outcome: dict[str, float] = {}

    def run_batch() -> None:
        begin = time.perf_counter()
        with httpx.Client(base_url=client.base_url, timeout=600) as batch_client:
            batch_client.post("/v1/occupations/search/batch", json=body).raise_for_status()
        outcome["seconds"] = time.perf_counter() - begin

    batch = threading.Thread(target=run_batch)
    batch.start()
    time.sleep(0.5)  # the batch is under way
    latencies = []
    for text in queries:
        if not batch.is_alive():
            break
        latencies.extend(_timed_searches(client, [text]))
    batch.join()
    return latencies, outcome.get("seconds", float("nan"))


@contextmanager
def _served(backend: str) -> Iterator[tuple[subprocess.Popen, httpx.Client, float]]:
    """A running `lmi serve`, a client for it and the seconds it took to answer /readyz."""
    port = _free_port()
    environment = {
        **os.environ,
        **UNLIMITED_RATES,
        "LMI_MATCHER_BACKEND": backend,
        "LMI_PORT": str(port),
        "LMI_LOG_LEVEL": "warning",
    }
    started = time.perf_counter()
    server = subprocess.Popen(
        [str(Path(sys.executable).with_name("lmi")), "serve", "--port", str(port)], env=environment, cwd=REPOSITORY
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            while True:
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if server.poll() is not None or time.perf_counter() - started > 600:
                    raise RuntimeError("the server did not become ready")
                time.sleep(0.05)
            yield server, client, time.perf_counter() - started
    finally:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=30)


def _resident_megabytes(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _write_report(*sections: object) -> None:
    REPORT.parent.mkdir(exist_ok=True)
    REPORT.write_text(render(*sections, today=date.today().isoformat(), machine=_machine()), encoding="utf-8")


def _machine() -> str:
    return f"{os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


if __name__ == "__main__":
    sys.exit(main())
