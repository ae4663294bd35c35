"""The daily roll-ups give exactly what counting the events gives (analytics.raw_queries), on SQLite and
PostgreSQL: after random events arrive in random batches (out of order, retried, robots, sessions over
several days), after a rebuild, after a migration of stored events, after purges and after the retention
period; and the published figures (exact, and the analysts' rounded day cells) are the same. On
PostgreSQL, months get their partitions as events arrive, concurrent ingests into a new month both
succeed, and the retention drops whole months."""

import datetime as dt
import random
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from alembic import command
from sqlalchemy import Engine, delete, func, insert, select, text
from sqlalchemy.orm import Session

from analytics import raw_queries
from analytics.disclosure import DisclosureRule
from analytics.funnel import funnel
from analytics.periods import Period
from analytics.queries import GROUP_BYS, ROLLUPS, CountSource, GroupBy, Scope
from analytics.retention import PurgeCriteria, purge_before, purge_events
from analytics.rollups import rebuild_all
from analytics.store import event_row, insert_new
from analytics.summary import Viewer, summarize
from models.database import create_database_engine, create_session_factory
from models.events import (
    Event,
    EventDaily,
    EventDedupe,
    EventSessionDay,
    EventSessionInstitutionDay,
    EventSessionRepeat,
    EventVisitorDay,
)
from models.migrate import alembic_config, upgrade_to_head
from models.partitions import existing_months, partition_name

RAW = raw_queries.RAW
START = dt.date(2026, 1, 24)  # the random events span 24 January to 11 February: weeks and months are cut
DAYS = 19
TYPES = ["page_view"] * 4 + ["search"] * 3 + ["impression"] * 8 + ["click"] * 3 + ["inquiry", "referral", "feedback"]
ROLLUP_TABLES = (EventDaily, EventSessionDay, EventSessionInstitutionDay, EventSessionRepeat, EventVisitorDay)
WINDOWS = [
    Period(START - dt.timedelta(days=40), START + dt.timedelta(days=DAYS)),  # everything, and days before
    Period(START + dt.timedelta(days=3), START + dt.timedelta(days=12)),  # starts after sessions began
    Period(dt.date(2026, 1, 29), dt.date(2026, 2, 4)),  # across a month, cutting weeks
]
# Every breakdown for everyone's events; a few for an institution's (the same code, another scope).
BREAKDOWNS: dict[Scope, list[GroupBy | None]] = {
    Scope(): [None, *GROUP_BYS],
    Scope(1): [None, "week", "course", "variant", "portal"],
}


@pytest.fixture(scope="module")
def module_engine(database_factory: Any) -> Iterator[Engine]:
    engine = create_database_engine(database_factory.new_url())
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def engine(module_engine: Engine) -> Engine:
    """The module's database, its events and roll-ups emptied (each test starts from nothing)."""
    with Session(module_engine) as session:
        for model in (Event, EventDedupe, *ROLLUP_TABLES):
            session.execute(delete(model))
        session.commit()
    return module_engine


def random_events(seed: int, count: int = 700) -> list[dict[str, Any]]:
    """Events over DAYS days: sessions of one to three days, some without a session or visitor, robots,
    institutions with their programs, feedback helpful or not, and some events without a dimension."""
    rng = random.Random(seed)
    rows = []
    sessions = {f"s{index}": (rng.randrange(DAYS), rng.choice([0, 0, 0, 1, 2])) for index in range(45)}
    for index in range(count):
        name = rng.choice([*sessions, None]) if rng.random() < 0.97 else None
        first, spread = sessions[name] if name else (rng.randrange(DAYS), 0)
        day = START + dt.timedelta(days=min(DAYS - 1, first + rng.randint(0, spread)))
        moment = dt.datetime.combine(day, dt.time(rng.randrange(24), rng.randrange(60)), dt.UTC)
        kind = rng.choice(TYPES)
        institution = rng.choice([None, 1, 2, 3]) if kind not in ("page_view", "search", "feedback") else None
        noc = rng.choice(["31301", "72106", "21232", None])
        rows.append(
            event_row(
                f"event:{seed}-{index}",
                f"{seed}-{index}",
                kind,
                "client",
                moment,
                rng.random() < 0.08,
                session_id=name,
                visitor_id=rng.choice([f"v{index % 12}", None]) if name else None,
                variant=rng.choice(["control", "B", None]),
                lang=rng.choice(["en", "fr", None]),
                region=rng.choice(["3530", "59", None]),
                institution_id=institution,
                course_key=f"c{institution}:{rng.randrange(4)}" if institution else None,
                noc_code=noc,
                helpful=rng.random() < 0.6 if kind == "feedback" else None,
                portal_id=rng.choice([None, 7, 8]),
            )
        )
    return rows


def ingest(engine: Engine, rows: list[dict[str, Any]], seed: int) -> None:
    """The rows in random batches, shuffled, some sent twice (in the same batch, and later)."""
    rng = random.Random(seed)
    rows = list(rows)
    rng.shuffle(rows)
    rows += rng.sample(rows, len(rows) // 10)
    with create_session_factory(engine)() as session:
        while rows:
            size = rng.randint(1, 60)
            batch, rows = rows[:size], rows[size:]
            insert_new(session, batch + batch[: rng.randint(0, 2)])
            session.commit()


def assert_same_counts(engine: Engine) -> None:
    """Every count the analytics read, from the roll-ups and from the events."""
    with Session(engine) as session:
        for window in WINDOWS:
            for scope, group_bys in BREAKDOWNS.items():
                for by_day in (False, True):
                    for group_by in group_bys:
                        expected = RAW.count_events(session, window, scope, group_by, by_day=by_day)
                        found = ROLLUPS.count_events(session, window, scope, group_by, by_day=by_day)
                        assert found == expected, (window, scope, group_by, by_day)
                    expected_funnel = RAW.funnel_counts(session, window, scope, by_day=by_day)
                    assert ROLLUPS.funnel_counts(session, window, scope, by_day=by_day) == expected_funnel
                    if scope.institution_id is None:
                        expected_usage = RAW.usage_counts(session, window, scope, by_day=by_day)
                        usage = ROLLUPS.usage_counts(session, window, scope, by_day=by_day)
                        assert (usage.visitors, usage.new_visitors) == (
                            expected_usage.visitors,
                            expected_usage.new_visitors,
                        )
                        assert usage.days.keys() == expected_usage.days.keys()
                        for day, counts in usage.days.items():
                            other = expected_usage.days[day]
                            assert (counts.sessions, counts.bounced) == (other.sessions, other.bounced)
                            assert counts.session_seconds == pytest.approx(other.session_seconds, rel=1e-9)


def rollup_rows(engine: Engine) -> dict[str, set[tuple[Any, ...]]]:
    with Session(engine) as session:
        return {
            model.__tablename__: {tuple(row) for row in session.execute(select(*model.__table__.c)).all()}
            for model in ROLLUP_TABLES
        }


def test_rollups_kept_at_ingest_give_the_counts_of_the_events(engine: Engine) -> None:
    rows = random_events(1)
    ingest(engine, rows, 2)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == len(rows)  # each retry counted once
        assert session.scalar(select(func.count()).select_from(EventSessionRepeat))  # sessions over days
    assert_same_counts(engine)


def test_the_published_figures_are_those_of_the_events(engine: Engine) -> None:
    """Exact (admin) and rounded day cells with suppression (analyst, institution): the same numbers."""
    ingest(engine, random_events(3), 4)
    rules = [DisclosureRule(exact=True), DisclosureRule(exact=False, min_count=10, round_to=5, key=b"k" * 32)]
    with Session(engine) as session:
        for rule in rules:
            for scope in (Scope(), Scope(2)):
                viewer = Viewer(scope, rule, sees_targets=False)
                for group_by in (None, "week", "course", "variant", "region"):

                    def published(source: CountSource, group: GroupBy | None = group_by, who: Viewer = viewer) -> Any:
                        return summarize(session, who, WINDOWS[1], group, WINDOWS[2], today=START, source=source)

                    assert published(ROLLUPS) == published(RAW), (rule.exact, scope, group_by)
                assert funnel(session, WINDOWS[1], scope, rule, ROLLUPS) == funnel(
                    session, WINDOWS[1], scope, rule, RAW
                )


def test_a_rebuild_gives_the_rollups_kept_at_ingest(engine: Engine) -> None:
    ingest(engine, random_events(5), 6)
    kept = rollup_rows(engine)
    with Session(engine) as session:
        rebuild_all(session)
        session.commit()
    assert rollup_rows(engine) == kept


def test_purges_correct_the_rollups(engine: Engine) -> None:
    """An operator's purges by portal, institution, variant and period, and a deletion of some sessions'
    events: the roll-ups of the days and sessions they touched are recomputed."""
    ingest(engine, random_events(7), 8)
    purges = [
        PurgeCriteria(portal_id=7),
        PurgeCriteria(institution_id=2),
        PurgeCriteria(variant="B", occurred_from=dt.datetime(2026, 1, 30, 12, tzinfo=dt.UTC)),
        PurgeCriteria(
            occurred_from=dt.datetime(2026, 2, 3, 6, tzinfo=dt.UTC),
            occurred_before=dt.datetime(2026, 2, 5, tzinfo=dt.UTC),
        ),
    ]
    with create_session_factory(engine)() as session:
        for number, criteria in enumerate(purges):
            before = session.scalar(select(func.count()).select_from(Event))
            purged = purge_events(session, criteria)
            assert purged and session.scalar(select(func.count()).select_from(Event)) == before - purged
            if number % 2:
                assert_same_counts(engine)
    kept = rollup_rows(engine)
    with Session(engine) as session:
        rebuild_all(session)
        session.commit()
    assert rollup_rows(engine) == kept


def test_retention_drops_whole_months_and_deletes_the_part_of_a_day(engine: Engine) -> None:
    """Events of November and December, and of 1 to 3 January in sessions that span those days: the
    retention period ends on 2 January at 13:30. November and December go whole (on PostgreSQL their
    partitions are dropped), 1 January and 2 January up to 13:30 go row by row; the rest stays, its
    roll-ups exactly those of its events, and the dedupe keys of the deleted events go with them."""
    rows = random_events(9)
    old = random_events(10, 200)
    for row in old:  # 25 November to 13 December
        row["occurred_at"] -= dt.timedelta(days=60)
        row["dedupe_key"] = "old-" + row["dedupe_key"]
    rng = random.Random(11)
    for index in range(150):
        moment = dt.datetime(2026, 1, 1, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(3 * 24 * 60))
        name = f"b{index % 6}"
        old.append(
            event_row(
                f"b:{index}",
                f"b{index}",
                rng.choice(TYPES),
                "client",
                moment,
                False,
                session_id=name,
                visitor_id=name,
                variant=rng.choice(["control", "B"]),
                institution_id=rng.choice([None, 1]),
            )
        )
    ingest(engine, rows + old, 12)
    cutoff = dt.datetime(2026, 1, 2, 13, 30, tzinfo=dt.UTC)
    expected = sum(1 for row in old if row["occurred_at"] < cutoff)
    assert 0 < expected < len(old)
    postgresql = engine.dialect.name == "postgresql"
    if postgresql:
        with engine.connect() as connection:
            assert {dt.date(2025, 11, 1), dt.date(2025, 12, 1)} <= existing_months(connection)
    with create_session_factory(engine)() as session:
        assert purge_before(session, cutoff, now=dt.datetime(2026, 2, 12, tzinfo=dt.UTC)) == expected
        assert session.scalar(select(func.min(Event.occurred_at))) >= cutoff
        assert session.scalar(select(func.count()).select_from(EventDedupe)) == len(rows) + len(old) - expected
    if postgresql:
        with engine.connect() as connection:
            months = existing_months(connection)
        assert not {dt.date(2025, 11, 1), dt.date(2025, 12, 1)} & months
        assert {dt.date(2026, 1, 1), dt.date(2026, 4, 1)} <= months
    assert_same_counts(engine)
    with Session(engine) as session:
        assert session.scalar(select(func.min(EventDaily.day))) == cutoff.date()
        assert session.scalar(select(func.min(EventSessionRepeat.prev_day))) == cutoff.date()


def test_a_key_is_stored_once_whatever_months_its_reports_name(engine: Engine) -> None:
    """A click reported on 31 January and again on 1 February (each in its month's partition on
    PostgreSQL) is one click; in one batch or in two."""
    click = event_row("click:i_1", "c1", "click", "client", dt.datetime(2026, 1, 31, 23, 59, tzinfo=dt.UTC), False)
    again = {**click, "event_id": "c2", "occurred_at": dt.datetime(2026, 2, 1, 0, 1, tzinfo=dt.UTC)}
    with create_session_factory(engine)() as session:
        assert insert_new(session, [again, click]) == {"click:i_1"}
        session.commit()
        assert insert_new(session, [click]) == set()
        assert insert_new(session, [again]) == set()
        session.commit()
        assert session.scalars(select(Event.event_id)).all() == ["c2"]  # the batch's first report
        assert session.scalar(select(func.sum(EventDaily.clicks)).where(EventDaily.dimension == "total")) == 1


def _ingest_new_month(url: str, worker: int, barrier: threading.Barrier | None, month: dt.date) -> None:
    """Batches into a month no partition holds yet, sharing sessions and keys with the other worker."""
    engine = create_database_engine(url)
    try:
        at = dt.datetime.combine(month, dt.time(12), dt.UTC)
        with create_session_factory(engine)() as session:
            if barrier is not None:
                barrier.wait()
            for batch in range(3):
                rows = [
                    event_row(
                        f"event:{batch}-{index}",  # the same keys from both workers: stored once
                        f"w{worker}-{batch}-{index}",
                        "search",
                        "client",
                        at + dt.timedelta(minutes=index),
                        False,
                        session_id=f"s{index % 5}",
                        visitor_id=f"v{index % 3}",
                    )
                    for index in range(40)
                ]
                insert_new(session, rows)
                session.commit()
    finally:
        engine.dispose()


def test_concurrent_ingests_into_a_new_month_both_succeed(engine: Engine) -> None:
    """Two writers send at once into a month that has no partition yet (on PostgreSQL: one makes it,
    the other finds it made), with sessions and keys in common: nothing fails, nothing is counted twice."""
    month = dt.date(2090 + random.randrange(9), random.randrange(1, 13), 1)  # a month no other test made
    url = engine.url.render_as_string(hide_password=False)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def work(worker: int) -> None:
        try:
            _ingest_new_month(url, worker, barrier, month)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(worker,)) for worker in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Event)) == 120
        total = session.execute(
            select(EventDaily.searches, EventDaily.sessions).where(
                EventDaily.dimension == "total", EventDaily.scope == 0
            )
        ).one()
        assert tuple(total) == (120, 5)
        window = Period(month, month + dt.timedelta(days=3))
        assert ROLLUPS.usage_counts(session, window, Scope()) == RAW.usage_counts(session, window, Scope())
    if engine.dialect.name == "postgresql":
        with engine.connect() as connection:
            assert month in existing_months(connection)
            held = connection.scalar(text(f"SELECT count(*) FROM {partition_name(month)}"))
        assert held == 120


def test_the_migration_rolls_up_the_stored_events_and_goes_back(empty_database_url: str) -> None:
    """A database of before the roll-ups (0006) with events: migrated, its roll-ups are its events';
    migrated back, its events are all there in the plain table."""
    engine = create_database_engine(empty_database_url)
    try:
        command.upgrade(alembic_config(engine), "0006")
        rows = random_events(12, 300)
        with engine.begin() as connection:
            connection.execute(insert(Event), rows)
        upgrade_to_head(engine)
        assert_same_counts(engine)
        with Session(engine) as session:
            assert session.scalar(select(func.count()).select_from(EventDedupe)) == len(rows)
        command.downgrade(alembic_config(engine), "0006")
        with engine.connect() as connection:
            assert connection.scalar(select(func.count()).select_from(Event)) == len(rows)
            if engine.dialect.name == "postgresql":
                kind = connection.scalar(text("SELECT relkind FROM pg_class WHERE oid = 'event'::regclass"))
                assert kind == "r"
    finally:
        engine.dispose()


def test_a_new_months_partition_is_made_when_its_first_event_arrives(engine: Engine) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite keeps one plain table")
    month = dt.date(2080 + random.randrange(9), random.randrange(1, 13), 1)
    with engine.connect() as connection:
        assert month not in existing_months(connection)
    row = event_row(
        f"event:{uuid.uuid4().hex}",
        "e",
        "search",
        "client",
        dt.datetime(month.year, month.month, 2, tzinfo=dt.UTC),
        False,
    )
    with create_session_factory(engine)() as session:
        assert insert_new(session, [row])
        session.commit()
    with engine.connect() as connection:
        assert month in existing_months(connection)
        assert connection.scalar(text(f"SELECT count(*) FROM {partition_name(month)}")) == 1
