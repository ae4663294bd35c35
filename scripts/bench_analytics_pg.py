"""Benchmark of PostgreSQL as the production store of events and analytics → reports/analytics_scale.md.

    .venv/bin/python scripts/bench_analytics_pg.py [--events 10000000] [--ingest-seconds 30] [--runs 20]
        [--raw-runs 5] [--keep]

On the PostgreSQL server of POSTGRES_SERVER (default: the local one, user postgres), in databases of their
own (`lmi_bench`, `lmi_bench_raw`, made anew and dropped afterwards unless `--keep`):

1. **Load.** `--events` synthetic events over the last 13 months (sessions of a page view or two, one or
   more searches each showing programs, clicks, inquiries, referrals and feedback; 20% page views, 15%
   searches, 50% impressions, 8% clicks, the rest inquiries, referrals and feedback; 2 arms, 4 institutions,
   400 programs, 3 portals, robots) are written with COPY into `lmi_bench`, migrated to head (`event`
   partitioned by month), its indexes built after, as a bulk import would; then their dedupe keys are
   claimed and the daily roll-ups built (analytics.rollups.rebuild_all). In the same pass every tenth
   session goes into `lmi_bench_raw`, a database at migration 0006 (the plain `event` table with the
   covering index the analytics read before the roll-ups): the baseline, about a tenth of the events.
2. **Ingest.** `lmi serve --workers 4` on `lmi_bench`; 4 client processes post batches of 500 events
   (`POST /v1/events`, an admin's key, so every type is allowed) for `--ingest-seconds`; then every
   accepted event is looked for in the database.
3. **Reads.** Each analytics read (summary of 30 days, by day, by course, by variant with the intervals,
   against the previous 30 days, 90 days by week, the funnel), for an admin (exact) and an analyst (rounded
   day cells): `--runs` times over HTTP and in-process from the roll-ups of `lmi_bench`, and `--raw-runs`
   times in-process from the events of `lmi_bench_raw` with the code that counts events (the same figures
   the analytics computed before the roll-ups). p50 and p95 of each.
"""

import argparse
import datetime as dt
import multiprocessing
import os
import platform
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
from alembic import command
from sqlalchemy import Engine, create_engine, func, select, text
from sqlalchemy.orm import Session
from tqdm import tqdm

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the live-server helper the tests use

from accounts.institutions import create_institution  # noqa: E402
from accounts.keys import create_key  # noqa: E402
from accounts.portals import portal_named  # noqa: E402
from analytics.disclosure import DisclosureRule, disclosure_key  # noqa: E402
from analytics.funnel import funnel  # noqa: E402
from analytics.links import stored_secret  # noqa: E402
from analytics.periods import Period  # noqa: E402
from analytics.queries import ROLLUPS, CountSource, GroupBy, Scope  # noqa: E402
from analytics.raw_queries import RAW  # noqa: E402
from analytics.rollups import rebuild_all  # noqa: E402
from analytics.summary import Viewer, summarize  # noqa: E402
from models.database import create_database_engine, create_session_factory  # noqa: E402
from models.events import Event  # noqa: E402
from models.migrate import alembic_config, upgrade_to_head  # noqa: E402
from service.config import UNLIMITED_RATES  # noqa: E402
from tests.support.live_server import free_port  # noqa: E402
from tests.support.source_data import DATA_DIR  # noqa: E402

REPORT = REPO_ROOT / "reports" / "analytics_scale.md"
CHART = REPO_ROOT / "reports" / "analytics_scale.svg"
SERVER = os.environ.get("POSTGRES_SERVER", "postgresql+psycopg://postgres@127.0.0.1:5432")
DATABASE, BASELINE = "lmi_bench", "lmi_bench_raw"
MONTHS = 13
WORKERS, CLIENTS, BATCH = 4, 4, 500
TARGET_MS = 300
COPY_COLUMNS = (
    "dedupe_key, event_id, type, source, occurred_at, received_at, session_id, visitor_id, variant, lang, region, "
    "impression_id, course_key, institution_id, noc_code, rank, target_url, helpful, comment, robot, portal_id"
)
NOCS = [
    f"{teer}{rest:04d}" for teer in range(6) for rest in (1101, 1102, 2201, 2232, 3101, 3301, 4201, 5100, 6321, 7310)
]
REGIONS = ["ER3530", "ER3510", "ER5920", "ER2465", "ER4830", "ER4610", "35", "59", "24", "48", "46", "47", "13", "12"]
REGULARS = 30_000  # visitors who come back; the others come once


@dataclass(frozen=True)
class World:
    institutions: list[tuple[int, str]]  # id, slug
    courses: list[tuple[str, int]]  # key, institution id
    course_weights: list[float]
    portals: list[int | None]


# ---------------------------------------------------------------------------------------------------------
# Synthetic events


def _stamp(days: list[str], day: int, seconds: int) -> str:
    day += seconds // 86400
    seconds %= 86400
    return f"{days[min(day, len(days) - 1)]} {seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}+00"


def session_rows(rng: random.Random, world: World, number: int, days: list[str], day: int) -> list[list[Any]]:
    """One session's events, each the list of COPY_COLUMNS' values (None for null)."""
    robot = rng.random() < 0.04
    visitor = (
        None if robot or rng.random() < 0.1 else f"v{rng.randrange(REGULARS)}" if rng.random() < 0.4 else f"n{number}"
    )
    context = {
        "session": f"s{number}",
        "visitor": visitor,
        "variant": rng.choice(("control", "ranking-v2")) if rng.random() < 0.9 else None,
        "lang": "fr" if rng.random() < 0.3 else "en",
        "region": rng.choice(REGIONS),
        "portal": rng.choice(world.portals),
    }
    hour = rng.choices(range(24), weights=[1, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 8, 9, 9, 9, 8, 7, 7, 7, 6, 5, 3, 2])[0]
    clock = hour * 3600 + rng.randrange(3600)
    rows: list[list[Any]] = []

    def add(kind: str, **fields: Any) -> None:
        nonlocal clock
        clock += rng.randint(3, 60)
        index = f"{number}-{len(rows)}"
        stamp = _stamp(days, day, clock)
        rows.append(
            [
                f"event:b{index}",
                f"b{index}",
                kind,
                "client",
                stamp,
                stamp,
                context["session"],
                context["visitor"],
                context["variant"],
                context["lang"],
                context["region"],
                fields.get("impression"),
                fields.get("course"),
                fields.get("institution"),
                fields.get("noc"),
                fields.get("rank"),
                None,
                fields.get("helpful"),
                None,
                robot,
                context["portal"],
            ]
        )

    searches = 1
    while rng.random() < 0.4:
        searches += 1
    for search in range(searches):
        add("page_view")
        if search == 0 and rng.random() < 0.33:
            add("page_view")
        noc = rng.choice(NOCS)
        add("search", noc=noc)
        shown = rng.choices(world.courses, weights=world.course_weights, k=rng.choice((3, 3, 4)))
        for rank, (course, institution) in enumerate(shown, 1):
            impression = f"i{number}-{len(rows)}"
            add("impression", impression=impression, course=course, institution=institution, noc=noc, rank=rank)
            if rng.random() < 0.16:
                add("click", impression=impression, course=course, institution=institution, noc=noc, rank=rank)
                for kind in ("inquiry", "referral"):
                    if rng.random() < 0.28:
                        add(kind, impression=impression, course=course, institution=institution, noc=noc)
        if rng.random() < 0.15:
            add("feedback", noc=noc, helpful=rng.random() < 0.7)
    return rows


def _line(row: list[Any]) -> str:
    return (
        "\t".join(
            "\\N" if value is None else ("t" if value else "f") if isinstance(value, bool) else str(value)
            for value in row
        )
        + "\n"
    )


def day_weights(count: int) -> list[float]:
    """Traffic that grows by half over the year, lower at weekends."""
    first = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=count)
    return [
        (1 + 0.5 * index / count) * (0.6 if (first + dt.timedelta(days=index)).weekday() >= 5 else 1.0)
        for index in range(count)
    ]


def load(main_url: str, baseline_url: str, world: World, events: int, seed: int) -> tuple[int, int, float]:
    """COPY the events into both databases (every tenth session into the baseline); (events, baseline
    events, seconds)."""
    last = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)  # today's events are the ingest's
    count = (last - _months_back(last, MONTHS)).days + 1
    days = [(last - dt.timedelta(days=count - 1 - index)).isoformat() for index in range(count)]
    weights = day_weights(count)
    sessions = round(events / 10.8)  # 10.8 events a session on average
    per_day = [round(sessions * weight / sum(weights)) for weight in weights]
    rng = random.Random(seed)
    written = baseline_written = number = 0
    started = time.monotonic()
    with (
        psycopg.connect(_libpq(main_url)) as main,
        psycopg.connect(_libpq(baseline_url)) as baseline,
        main.cursor().copy(f"COPY event ({COPY_COLUMNS}) FROM STDIN") as main_copy,
        baseline.cursor().copy(f"COPY event ({COPY_COLUMNS}) FROM STDIN") as baseline_copy,
        tqdm(total=events, unit=" events", unit_scale=True, desc="COPY", smoothing=0.05) as progress,
    ):
        main_lines: list[str] = []
        baseline_lines: list[str] = []
        for day, in_day in enumerate(per_day):
            for _ in range(in_day):
                rows = session_rows(rng, world, number, days, day)
                lines = [_line(row) for row in rows]
                main_lines += lines
                if number % 10 == 0:
                    baseline_lines += lines
                    baseline_written += len(lines)
                number += 1
                written += len(rows)
                if len(main_lines) >= 20_000:
                    main_copy.write("".join(main_lines))
                    progress.update(len(main_lines))
                    main_lines = []
                if len(baseline_lines) >= 20_000:
                    baseline_copy.write("".join(baseline_lines))
                    baseline_lines = []
        main_copy.write("".join(main_lines))
        baseline_copy.write("".join(baseline_lines))
        progress.update(len(main_lines))
    return written, baseline_written, time.monotonic() - started


def _months_back(today: dt.date, months: int) -> dt.date:
    """The first day of the month `months` before today's (the events begin then)."""
    month = today.replace(day=1)
    for _ in range(months):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


# ---------------------------------------------------------------------------------------------------------
# Databases


def recreate(name: str) -> str:
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        connection.execute(text(f"CREATE DATABASE {name}"))
    admin.dispose()
    return f"{SERVER}/{name}"


def drop(name: str) -> None:
    admin = create_engine(f"{SERVER}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()


def without_indexes(engine: Engine, table: str) -> list[str]:
    """Drop a table's constraints and indexes (a bulk load builds them after); the statements that make
    them again, in order."""
    again = []
    with engine.begin() as connection:
        constraints = connection.execute(
            text(
                "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
                "WHERE conrelid = CAST(:table AS regclass) AND contype IN ('p', 'u')"
            ),
            {"table": table},
        ).all()
        for name, _ in constraints:
            connection.execute(text(f"ALTER TABLE {table} DROP CONSTRAINT {name}"))
        indexes = connection.execute(
            text(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = :table AND schemaname = current_schema()"
            ),
            {"table": table},
        ).all()
        for name, definition in indexes:
            connection.execute(text(f"DROP INDEX {name}"))
            # A partitioned table's index reads "ON ONLY event" (the parent alone): made again on every partition.
            again.append(definition.replace(" ON ONLY ", " ON "))
    return again + [f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}" for name, definition in constraints]


def build(engine: Engine, statements: list[str], what: str) -> float:
    started = time.monotonic()
    with engine.connect() as connection:
        connection.execute(text("SET maintenance_work_mem = '512MB'"))
        for statement in tqdm(statements, desc=what, unit=" index"):
            connection.execute(text(statement))
        connection.commit()
        invalid = connection.scalar(text("SELECT count(*) FROM pg_index WHERE NOT indisvalid"))
        assert not invalid, f"{invalid} indexes left invalid"
    return time.monotonic() - started


def vacuum(url: str) -> float:
    started = time.monotonic()
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text("VACUUM (ANALYZE)"))
    engine.dispose()
    return time.monotonic() - started


def size(engine: Engine, *tables: str) -> int:
    with engine.connect() as connection:
        return sum(
            int(
                connection.scalar(
                    text(
                        "SELECT coalesce((SELECT sum(pg_total_relation_size(relid)) FROM "
                        "pg_partition_tree(CAST(:t AS regclass))), pg_total_relation_size(CAST(:t AS regclass)))"
                    ),
                    {"t": table},
                )
                or 0
            )
            for table in tables
        )


def setup(engine: Engine) -> tuple[World, dict[str, str]]:
    with create_session_factory(engine)() as session:
        institutions = [create_institution(session, f"Bench College {name}", f"bench-{name}") for name in "abcd"]
        portals = [portal_named(session, f"Bench portal {number}").id for number in range(3)]
        keys = {role: create_key(session, role)[1] for role in ("admin", "analyst")}
        session.commit()
        stored_secret(session)
        pairs = [(institution.id, institution.slug) for institution in institutions]
    courses = [(f"{slug}:C{number:03d}", institution_id) for institution_id, slug in pairs for number in range(100)]
    rng = random.Random(7)
    weights = [1 / (rank + 5) for rank in range(len(courses))]
    rng.shuffle(weights)
    return World(pairs, courses, weights, [*portals, None]), keys


@contextmanager
def serve(url: str, folder: Path, workers: int) -> Iterator[str]:
    """`lmi serve --workers N` on the database, its log in `folder/server.log`; yields its address."""
    port = free_port()
    environment = {
        **os.environ,
        **UNLIMITED_RATES,
        "DATABASE_URL": url,
        "LMI_DATA_DIR": str(DATA_DIR),
        "LMI_INDEX_DIR": str(folder / "index"),
        "LMI_MATCHER_BACKEND": "none",
        "LMI_RETAG_ON_STARTUP": "false",
        "LMI_STARTUP_WAIT_SECONDS": "600",
        "LMI_LOG_LEVEL": "warning",
        "LMI_WORKERS": str(workers),
    }
    with (folder / "server.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=environment, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up ({folder / 'server.log'})")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 300 s")
            time.sleep(0.5)
        time.sleep(3)  # every worker up, not only the first
        yield base
    finally:
        process.terminate()
        process.wait(timeout=60)


# ---------------------------------------------------------------------------------------------------------
# Ingest through the service


def client_batch(rng: random.Random, world: World, client: int, serial: list[int]) -> list[dict[str, Any]]:
    """A batch of events of sessions happening now, as a portal's server relays them (admin key)."""
    now = dt.datetime.now(dt.UTC)
    events: list[dict[str, Any]] = []
    while len(events) < BATCH:
        serial[0] += 1
        session = f"ing{client}-s{serial[0]}"
        context = {
            "session_id": session,
            "visitor_id": f"v{rng.randrange(REGULARS)}",
            "variant": rng.choice(("control", "ranking-v2")),
            "lang": rng.choice(("en", "fr")),
        }
        noc = rng.choice(NOCS)
        steps = [("page_view", None), ("search", None)]
        for course, _ in rng.choices(world.courses, weights=world.course_weights, k=3):
            steps.append(("impression", course))
            if rng.random() < 0.2:
                steps += [("click", course), *([("inquiry", course)] if rng.random() < 0.3 else [])]
        if rng.random() < 0.15:
            steps.append(("feedback", None))
        for kind, course in steps:
            serial[0] += 1
            event: dict[str, Any] = {
                "event_id": f"ing{client}-{serial[0]}",
                "type": kind,
                "occurred_at": now.isoformat(),
                "noc_code": noc,
                **context,
            }
            if course:
                event["course_id"] = course
            if kind == "feedback":
                event["helpful"] = rng.random() < 0.7
            events.append(event)
    return events[:BATCH]


def ingest_client(base: str, key: str, world: World, client: int, seconds: float, queue: Any) -> None:
    rng = random.Random(client)
    serial = [0]
    accepted = rejected = 0
    latencies = []
    began = time.time()  # the sending window, across the clients (their start-up left out)
    deadline = time.monotonic() + seconds
    with httpx.Client(base_url=base, timeout=60, headers={"Authorization": f"Bearer {key}"}) as http:
        while time.monotonic() < deadline:
            batch = client_batch(rng, world, client, serial)
            started = time.perf_counter()
            response = http.post("/v1/events", json={"events": batch})
            latencies.append((time.perf_counter() - started) * 1000)
            answer = response.json()
            assert response.status_code == 202, response.text
            accepted += answer["accepted"]
            rejected += len(answer["rejected"])
            if answer["rejected"]:
                print(answer["rejected"][:2], file=sys.stderr)
    queue.put((accepted, rejected, latencies, began, time.time()))


def ingest(base: str, key: str, world: World, seconds: float) -> dict[str, Any]:
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    clients = [
        context.Process(target=ingest_client, args=(base, key, world, client, seconds, queue))
        for client in range(CLIENTS)
    ]
    for process in clients:
        process.start()
    results = [queue.get() for _ in clients]
    for process in clients:
        process.join()
    elapsed = max(result[4] for result in results) - min(result[3] for result in results)
    latencies = [latency for result in results for latency in result[2]]
    return {
        "accepted": sum(result[0] for result in results),
        "rejected": sum(result[1] for result in results),
        "seconds": elapsed,
        "batches": len(latencies),
        "batch_p50": _percentile(latencies, 50),
        "batch_p95": _percentile(latencies, 95),
    }


# ---------------------------------------------------------------------------------------------------------
# Reads


@dataclass(frozen=True)
class Read:
    name: str
    path: str
    params: dict[str, str]
    run: Callable[[Session, Viewer, CountSource], object]


def reads(today: dt.date) -> list[Read]:
    last30 = Period(today - dt.timedelta(days=29), today)
    before = Period(today - dt.timedelta(days=59), today - dt.timedelta(days=30))
    last90 = Period(today - dt.timedelta(days=89), today)
    window = {"from": last30.start.isoformat(), "to": last30.end.isoformat()}

    def summary(period: Period, group_by: GroupBy | None = None, baseline: Period | None = None) -> Any:
        return lambda session, viewer, source: summarize(
            session, viewer, period, group_by, baseline, today=today, source=source
        )

    return [
        Read("summary, 30 days", "/v1/analytics/summary", window, summary(last30)),
        Read("summary by day, 30 days", "/v1/analytics/summary", {**window, "group_by": "day"}, summary(last30, "day")),
        Read(
            "summary by course, 30 days",
            "/v1/analytics/summary",
            {**window, "group_by": "course"},
            summary(last30, "course"),
        ),
        Read(
            "summary by variant with intervals, 30 days",
            "/v1/analytics/summary",
            {**window, "group_by": "variant"},
            summary(last30, "variant"),
        ),
        Read(
            "summary against the previous 30 days",
            "/v1/analytics/summary",
            {**window, "compare_from": before.start.isoformat(), "compare_to": before.end.isoformat()},
            summary(last30, None, before),
        ),
        Read(
            "summary by week, 90 days",
            "/v1/analytics/summary",
            {"from": last90.start.isoformat(), "to": last90.end.isoformat(), "group_by": "week"},
            summary(last90, "week"),
        ),
        Read(
            "funnel, 30 days",
            "/v1/analytics/funnel",
            window,
            lambda session, viewer, source: funnel(session, last30, viewer.scope, viewer.rule, source),
        ),
    ]


def _percentile(values: list[float], percent: int) -> float:
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[percent - 1]


def timed(run: Callable[[], object], runs: int) -> tuple[float, float]:
    run()  # warm: imports (statsmodels for the intervals), caches, plans
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        run()
        times.append((time.perf_counter() - started) * 1000)
    return _percentile(times, 50), _percentile(times, 95)


def viewers(engine: Engine) -> dict[str, Viewer]:
    with Session(engine) as session:
        key = disclosure_key(stored_secret(session))
    return {
        "admin": Viewer(Scope(), DisclosureRule(True, 10, 5, key), sees_targets=True),
        "analyst": Viewer(Scope(), DisclosureRule(False, 10, 5, key), sees_targets=True),
    }


def in_process(engine: Engine, plan: list[Read], source: CountSource, runs: int, what: str) -> dict[Any, Any]:
    found = {}
    who = viewers(engine)
    with Session(engine) as session:
        for read in tqdm(plan, desc=what, unit=" read"):
            for role, viewer in who.items():
                found[(read.name, role)] = timed(
                    lambda read=read, viewer=viewer: read.run(session, viewer, source), runs
                )
    return found


def over_http(base: str, keys: dict[str, str], plan: list[Read], runs: int) -> dict[Any, Any]:
    found = {}
    for read in tqdm(plan, desc="reads over HTTP", unit=" read"):
        for role in ("admin", "analyst"):
            with httpx.Client(base_url=base, timeout=300, headers={"Authorization": f"Bearer {keys[role]}"}) as http:

                def get(read: Read = read, http: httpx.Client = http) -> None:
                    response = http.get(read.path, params=read.params)
                    assert response.status_code == 200, response.text

                found[(read.name, role)] = timed(get, runs)
    return found


NOTES = [
    "## Notes",
    "",
    "- The breakdown by program is the costly read for an analyst: 400 programs × 30 days are some 12,000 day "
    "cells, each of 11 measures, and each cell's rounding is a keyed draw (HMAC-SHA256) in Python, whatever "
    "the store. The three reads the issue sets a target for (the 30-day summary, the 90-day weekly series, the "
    "comparison of the arms) read a few hundred cells.",
    "- The baseline is a tenth of the sessions, at migration 0006, read in-process with the code that counts "
    "events (the same figures): the old service cannot run on the new schema, so it is not timed over HTTP.",
    "- Ingest is sent with an admin's key (every type allowed, impressions and clicks naming their program); "
    "a portal's impressions and clicks name impressions the service logged. The clients run on the same two "
    "cores as the four workers and PostgreSQL.",
    "- PostgreSQL keeps its default settings; the roll-ups' rebuild sets `work_mem` to 256 MB for its own "
    "transaction. Distinct sessions over a period need one row per session seen again in a group on a later "
    "day (`event_session_repeat`): sessions here rarely cross midnight; a portal that reuses a session id "
    "for months makes that table, and the reads of a period, grow with it.",
    "",
]


# ---------------------------------------------------------------------------------------------------------
# Report


def chart(plan: list[Read], raw: dict[Any, Any], rolled: dict[Any, Any], path: Path) -> None:
    """Horizontal bars, on a log scale: each read's p50 before (events, the baseline) and after (roll-ups)."""
    rows = [(read.name, role) for read in plan for role in ("admin", "analyst")]
    width, left, bar, gap = 900, 330, 9, 8
    height = 60 + len(rows) * (2 * bar + gap)

    def x(ms: float) -> float:
        import math  # noqa: PLC0415

        return left + (width - left - 20) * (math.log10(max(ms, 1)) / 5)  # 1 ms to 100 s

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif" '
        'font-size="11">',
        f'<text x="{left}" y="16">p50 of each read, log scale: grey the events (baseline, about a tenth of the '
        "events), blue the roll-ups (all of them)</text>",
    ]
    for tick in (1, 10, 100, 300, 1000, 10_000, 100_000):
        parts.append(f'<line x1="{x(tick):.1f}" y1="24" x2="{x(tick):.1f}" y2="{height - 10}" stroke="#ddd"/>')
        parts.append(f'<text x="{x(tick):.1f}" y="{height}" text-anchor="middle">{tick:,} ms</text>')
    for index, (name, role) in enumerate(rows):
        top = 30 + index * (2 * bar + gap)
        parts.append(f'<text x="{left - 6}" y="{top + bar + 3}" text-anchor="end">{name} ({role})</text>')
        parts.append(
            f'<rect x="{left}" y="{top}" width="{x(raw[(name, role)][0]) - left:.1f}" height="{bar}" fill="#999"/>'
        )
        parts.append(
            f'<rect x="{left}" y="{top + bar}" width="{x(rolled[(name, role)][0]) - left:.1f}" height="{bar}" '
            'fill="#2a6fb0"/>'
        )
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def write_report(facts: dict[str, Any], plan: list[Read]) -> None:
    raw, rolled, http = facts["raw"], facts["rolled"], facts["http"]
    ingest_result = facts["ingest"]
    rate = ingest_result["accepted"] / ingest_result["seconds"]

    def cell(pair: tuple[float, float]) -> str:
        return f"{pair[0]:,.0f} / {pair[1]:,.0f}" if pair[1] >= 10 else f"{pair[0]:.1f} / {pair[1]:.1f}"

    worst = max(max(pair) for pair in [*rolled.values(), *http.values()])
    lines = [
        "# Analytics at 10 million events on PostgreSQL: partitions, daily roll-ups, ingest with 4 workers",
        "",
        f"Written by `scripts/bench_analytics_pg.py` on {platform.machine()}, {os.cpu_count()} cores, "
        f"{facts['memory_gb']:.0f} GB, Python {platform.python_version()}, {facts['postgres']} with its default "
        f"settings (shared_buffers {facts['shared_buffers']}, work_mem {facts['work_mem']}, max_connections "
        f"{facts['max_connections']}); the clients on the same machine. {facts['date']}.",
        "",
        "## Load",
        "",
        "| step | figure |",
        "|---|---|",
        f"| events loaded (COPY into `event`, partitioned by month) | {facts['events']:,} over {facts['months']} "
        f"partitions ({facts['first_day']} to {facts['last_day']}) |",
        f"| COPY (events generated in Python and streamed, no index) | {facts['copy_seconds']:,.0f} s "
        f"({facts['events'] / facts['copy_seconds']:,.0f} events/s) |",
        f"| indexes of `event` built after | {facts['index_seconds']:,.0f} s |",
        f"| dedupe keys claimed (`event_dedupe`) | {facts['dedupe_seconds']:,.0f} s |",
        f"| daily roll-ups built from the events (analytics.rollups.rebuild_all) | {facts['rollup_seconds']:,.0f} s |",
        f"| VACUUM ANALYZE | {facts['vacuum_seconds']:,.0f} s |",
        f"| whole load | {facts['load_seconds'] / 60:,.1f} min |",
        f"| `event` with its indexes / the roll-ups with theirs / `event_dedupe` | {facts['event_bytes'] / 2**30:.1f} "
        f"GB / {facts['rollup_bytes'] / 2**20:,.0f} MB / {facts['dedupe_bytes'] / 2**30:.1f} GB |",
        f"| roll-up rows: day cells, sessions' days, repeats | {facts['rollup_rows']} |",
        f"| baseline database (0006: plain table, covering index), every tenth session | {facts['baseline_events']:,}"
        " events |",
        "",
        "## Ingest through the service, 4 workers",
        "",
        f"`lmi serve --workers {WORKERS}` on the 10 M database; {CLIENTS} client processes post batches of {BATCH} "
        f"events (`POST /v1/events`, admin key: page views, searches, impressions, clicks, inquiries and feedback "
        f"of sessions happening now) for {ingest_result['seconds']:.0f} s (from the first batch sent to the last "
        "answered). Each batch is validated, its dedupe keys claimed, its events stored in their month's partition "
        "and added to the roll-ups, and committed before the 202.",
        "",
        "| measure | figure |",
        "|---|---|",
        f"| events accepted | {ingest_result['accepted']:,} in {ingest_result['batches']:,} batches "
        f"({ingest_result['rejected']} rejected) |",
        f"| sustained ingest | **{rate:,.0f} events/s** |",
        f"| a batch of {BATCH}, p50 / p95 | {ingest_result['batch_p50']:,.0f} / {ingest_result['batch_p95']:,.0f} ms |",
        f"| accepted events not found in the database afterwards | {facts['missing']} |",
        "",
        "## Analytics reads: p50 / p95 in ms",
        "",
        f"Before: the events counted as the analytics did before the roll-ups (analytics.raw_queries, in-process, "
        f"{facts['raw_runs']} runs) on the baseline database of {facts['baseline_events']:,} events, a tenth of the "
        "load (counting events takes time in proportion to the events of the period: ten times as many at 10 M). "
        f"After: the roll-ups of all {facts['events'] + ingest_result['accepted']:,} events, in-process and over "
        f"HTTP (`lmi serve --workers {WORKERS}`, one client), {facts['runs']} runs each after one to warm up. Admin: "
        "exact counts; analyst: every day cell randomly rounded, the sums suppressed under 10 (the same published "
        "numbers as before).",
        "",
        f"| read | key | before: events, {facts['baseline_events'] / 1e6:.1f} M | after: roll-ups, in-process, "
        f"{facts['events'] / 1e6:.0f} M | after: roll-ups over HTTP, {facts['events'] / 1e6:.0f} M "
        f"| ≤ {TARGET_MS} ms |",
        "|---|---|---|---|---|---|",
    ]
    for read in plan:
        for role in ("admin", "analyst"):
            key = (read.name, role)
            met = "yes" if max(*rolled[key], *http[key]) <= TARGET_MS else "**no**"
            lines.append(
                f"| {read.name} | {role} | {cell(raw[key])} | {cell(rolled[key])} | {cell(http[key])} | {met} |"
            )
    lines += [
        "",
        f"The slowest p95 of a read from the roll-ups: {worst:,.0f} ms.",
        "",
        "![p50 of each read, before and after](analytics_scale.svg)",
        "",
        "## How",
        "",
        "- `event` is partitioned by month (models.partitions): a month's partition is made when its first event "
        "arrives (ATTACH PARTITION from a connection of its own, which waits for no ingest), and the retention "
        "drops whole months; a dedupe key stays unique across months through `event_dedupe`.",
        "- The analytics read the daily roll-ups (analytics.rollups), kept current in the transaction that adds "
        "the events: per day, scope and group the counts, the distinct sessions of the day and the repeats of a "
        "session on later days (so a period's distinct sessions are exact), each session's day (its funnel "
        "steps, length and bounce) and each visitor's day. A 30-day read touches a few thousand rows whatever "
        "the number of events; the analysts' rounding is done on the day cells the roll-ups hold.",
        "",
        *NOTES,
    ]
    REPORT.write_text("\n".join(lines), encoding="utf-8")
    print("\n".join(lines))


# ---------------------------------------------------------------------------------------------------------


def load_all(args: argparse.Namespace, engine: Engine, baseline: Engine, facts: dict[str, Any]) -> World:
    """Both databases migrated and loaded, the indexes, dedupe keys and roll-ups built, vacuumed."""
    began = time.monotonic()
    upgrade_to_head(engine)
    command.upgrade(alembic_config(baseline), "0006")
    world, facts["keys"] = setup(engine)
    rebuilds = {name: without_indexes(db, "event") for name, db in (("main", engine), ("baseline", baseline))}
    dedupe_again = without_indexes(engine, "event_dedupe")
    url, baseline_url = (db.url.render_as_string(hide_password=False) for db in (engine, baseline))
    facts["events"], facts["baseline_events"], facts["copy_seconds"] = load(
        url, baseline_url, world, args.events, args.seed
    )
    facts["index_seconds"] = build(engine, rebuilds["main"], "indexes of event")
    build(baseline, rebuilds["baseline"], "indexes of the baseline")
    started = time.monotonic()
    with engine.begin() as connection:
        connection.execute(
            text("INSERT INTO event_dedupe (dedupe_key, occurred_at) SELECT dedupe_key, occurred_at FROM event")
        )
    build(engine, dedupe_again, "indexes of event_dedupe")
    facts["dedupe_seconds"] = time.monotonic() - started
    started = time.monotonic()
    with create_session_factory(engine)() as session, tqdm(desc="roll-ups", unit=" month", total=MONTHS + 1) as bar:
        rebuild_all(session, progress=lambda month: bar.update(1))
        session.commit()
    facts["rollup_seconds"] = time.monotonic() - started
    facts["vacuum_seconds"] = vacuum(url) + vacuum(baseline_url)
    facts["load_seconds"] = time.monotonic() - began
    return world


def describe(engine: Engine, facts: dict[str, Any]) -> None:
    """The server, and what the load made."""
    with engine.connect() as connection:
        facts["postgres"] = str(connection.scalar(text("SELECT version()"))).split(" on ")[0]
        for setting in ("shared_buffers", "work_mem", "max_connections"):
            facts[setting] = connection.scalar(text(f"SHOW {setting}"))
        facts["months"] = connection.scalar(
            text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'event'::regclass")
        )
        first, last = connection.execute(select(func.min(Event.occurred_at), func.max(Event.occurred_at))).one()
        facts["first_day"], facts["last_day"] = first.date().isoformat(), last.date().isoformat()
        counts = [
            connection.scalar(text(f"SELECT count(*) FROM {table}"))
            for table in ("event_daily", "event_session_day", "event_session_repeat")
        ]
    facts["memory_gb"] = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    facts["rollup_rows"] = ", ".join(f"{count:,}" for count in counts)
    facts["event_bytes"] = size(engine, "event")
    facts["dedupe_bytes"] = size(engine, "event_dedupe")
    facts["rollup_bytes"] = size(
        engine,
        "event_daily",
        "event_session_day",
        "event_session_institution_day",
        "event_session_repeat",
        "event_visitor_day",
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000_000)
    parser.add_argument("--ingest-seconds", type=float, default=30)
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--raw-runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--keep", action="store_true", help="keep the two databases afterwards")
    args = parser.parse_args()
    folder = REPO_ROOT / "var" / "bench-analytics"
    folder.mkdir(parents=True, exist_ok=True)
    began = time.monotonic()
    facts: dict[str, Any] = {"runs": args.runs, "raw_runs": args.raw_runs, "date": dt.date.today().isoformat()}
    url = recreate(DATABASE)
    engine, baseline = create_database_engine(url), create_database_engine(recreate(BASELINE))
    try:
        world = load_all(args, engine, baseline, facts)
        describe(engine, facts)
        plan = reads(dt.datetime.now(dt.UTC).date())
        facts["raw"] = in_process(baseline, plan, RAW, args.raw_runs, "reads from the events (baseline)")
        with serve(url, folder, WORKERS) as base:
            ingest_started = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=1)
            facts["ingest"] = ingest(base, facts["keys"]["admin"], world, args.ingest_seconds)
            with engine.connect() as connection:
                stored = connection.scalar(
                    select(func.count())
                    .select_from(Event)
                    .where(Event.occurred_at >= ingest_started, Event.event_id.like("ing%"))
                )
            facts["missing"] = facts["ingest"]["accepted"] - int(stored or 0)
            facts["http"] = over_http(base, facts["keys"], plan, args.runs)
        facts["rolled"] = in_process(engine, plan, ROLLUPS, args.runs, "reads from the roll-ups")
    finally:
        engine.dispose()
        baseline.dispose()
        if not args.keep:
            drop(DATABASE)
            drop(BASELINE)
    chart(plan, facts["raw"], facts["rolled"], CHART)
    write_report(facts, plan)
    print(f"whole run: {(time.monotonic() - began) / 60:.1f} min", file=sys.stderr)


if __name__ == "__main__":
    main()
