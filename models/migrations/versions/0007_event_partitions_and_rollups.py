"""event partitions and daily roll-ups

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-15 10:00:00.000000

On PostgreSQL, `event` becomes a table partitioned by RANGE (occurred_at), one partition per UTC month
(`event_YYYY_MM`), its rows moved in: the partitions of the months holding events, of the 13 months
before this one and of the 2 after it are made here; later ones are made when events for them arrive
(models.partitions). Its primary key becomes (id, occurred_at) (a partitioned table's unique indexes hold
its partition key); the dedupe key stays unique through the new table `event_dedupe`. On SQLite `event`
stays a plain table, and `event_dedupe` is filled too. On both, the index for the raw analytics
(ix_event_period_figures) and the visitors' index go (the analytics read the roll-ups now), and the
sessions' index comes (an ingest reads a session's other events to count it once).

The daily roll-ups (analytics.rollups) are created and filled from the events, with SQL frozen here.
Downgrade puts the plain table back with its rows (on PostgreSQL) and drops the roll-ups.
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

import models.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

DIMENSIONS = (
    ("total", "''"),
    ("institution", "CAST(institution_id AS VARCHAR)"),
    ("course", "course_key"),
    ("occupation", "noc_code"),
    ("teer", "substr(noc_code, 2, 1)"),
    ("region", "region"),
    ("lang", "lang"),
    ("variant", "variant"),
    ("portal", "CAST(portal_id AS VARCHAR)"),
)
MEASURES = (
    ("page_views", "NOT robot AND type = 'page_view'"),
    ("searches", "NOT robot AND type = 'search'"),
    ("impressions", "NOT robot AND type = 'impression'"),
    ("clicks", "NOT robot AND type = 'click'"),
    ("inquiries", "NOT robot AND type = 'inquiry'"),
    ("referrals", "NOT robot AND type = 'referral'"),
    ("feedback", "NOT robot AND type = 'feedback'"),
    ("helpful", "NOT robot AND type = 'feedback' AND helpful"),
)
ACTIONS = "type IN ('page_view', 'search', 'click', 'inquiry', 'referral', 'feedback')"
ENTRIES = "type IN ('page_view', 'search')"
COLUMNS = (
    "dedupe_key, event_id, type, source, occurred_at, received_at, session_id, visitor_id, variant, lang, region, "
    "impression_id, course_key, institution_id, noc_code, rank, target_url, helpful, comment, robot, portal_id"
)
OLD_INDEXES = (
    ("ix_event_institution_occurred_at", ["institution_id", "occurred_at"]),
    (
        "ix_event_period_figures",
        ["occurred_at", "robot", "type", "session_id", "visitor_id", "institution_id", "helpful"],
    ),
    ("ix_event_visitor_occurred_at", ["visitor_id", "occurred_at"]),
    ("ix_event_portal_occurred_at", ["portal_id", "occurred_at"]),
)
NEW_INDEXES = (
    ("ix_event_institution_occurred_at", ["institution_id", "occurred_at"]),
    ("ix_event_portal_occurred_at", ["portal_id", "occurred_at"]),
    ("ix_event_session_occurred_at", ["session_id", "occurred_at"]),
)


def event_columns(sequence: str) -> str:
    """The columns of `event`, the same partitioned (upgrade) and plain (downgrade)."""
    return f"""id BIGINT NOT NULL DEFAULT nextval('{sequence}'),
            dedupe_key VARCHAR(80) NOT NULL,
            event_id VARCHAR(100) NOT NULL,
            type VARCHAR(12) NOT NULL,
            source VARCHAR(6) NOT NULL,
            occurred_at TIMESTAMP WITH TIME ZONE NOT NULL,
            received_at TIMESTAMP WITH TIME ZONE NOT NULL,
            session_id VARCHAR(100),
            visitor_id VARCHAR(100),
            variant VARCHAR(100),
            lang VARCHAR(2),
            region VARCHAR(10),
            impression_id VARCHAR(40),
            course_key VARCHAR(300),
            institution_id INTEGER,
            noc_code VARCHAR(5),
            rank SMALLINT,
            target_url VARCHAR(2000),
            helpful BOOLEAN,
            comment VARCHAR(500),
            robot BOOLEAN NOT NULL,
            portal_id INTEGER,"""


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    _create_rollup_tables()
    if dialect == "postgresql":
        _partition_event()
    else:
        op.drop_index("ix_event_period_figures", table_name="event")
        op.drop_index("ix_event_visitor_occurred_at", table_name="event")
        op.create_index("ix_event_session_occurred_at", "event", ["session_id", "occurred_at"])
    op.execute("INSERT INTO event_dedupe (dedupe_key, occurred_at) SELECT dedupe_key, occurred_at FROM event")
    _fill_rollups(dialect)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unpartition_event()
    else:
        op.drop_index("ix_event_session_occurred_at", table_name="event")
        op.create_index("ix_event_period_figures", "event", list(OLD_INDEXES[1][1]))
        op.create_index("ix_event_visitor_occurred_at", "event", list(OLD_INDEXES[2][1]))
    op.drop_table("event_visitor_day")
    op.drop_table("event_session_institution_day")
    op.drop_table("event_session_day")
    op.drop_table("event_session_repeat")
    op.drop_table("event_daily")
    op.drop_table("event_dedupe")


def _create_rollup_tables() -> None:
    op.create_table(
        "event_dedupe",
        sa.Column("dedupe_key", sa.String(length=80), nullable=False),
        sa.Column("occurred_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("dedupe_key", name=op.f("pk_event_dedupe")),
    )
    op.create_index("ix_event_dedupe_occurred_at", "event_dedupe", ["occurred_at"])
    op.create_table(
        "event_daily",
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        *(sa.Column(name, sa.Integer(), nullable=False) for name, _ in MEASURES),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.Column("robots", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "dimension", "day", "key", name=op.f("pk_event_daily")),
    )
    op.create_table(
        "event_session_repeat",
        sa.Column("scope", sa.Integer(), nullable=False),
        sa.Column("dimension", sa.String(length=12), nullable=False),
        sa.Column("key", sa.String(length=300), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("scope", "dimension", "key", "session_id", "day", name=op.f("pk_event_session_repeat")),
    )
    op.create_index("ix_event_session_repeat_period", "event_session_repeat", ["scope", "dimension", "day", "prev_day"])
    op.create_index("ix_event_session_repeat_session_id", "event_session_repeat", ["session_id"])
    op.create_table(
        "event_session_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("first_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("last_at", models.types.UtcDateTime(timezone=True), nullable=False),
        sa.Column("actions", sa.Integer(), nullable=False),
        sa.Column("entries", sa.Integer(), nullable=False),
        sa.Column("searched", sa.SmallInteger(), nullable=False),
        sa.Column("shown", sa.SmallInteger(), nullable=False),
        sa.Column("clicked", sa.SmallInteger(), nullable=False),
        sa.Column("converted", sa.SmallInteger(), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.Column("next_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("day", "session_id", name=op.f("pk_event_session_day")),
    )
    op.create_index("ix_event_session_day_session_id", "event_session_day", ["session_id", "day"])
    several = sa.text("prev_day IS NOT NULL OR next_day IS NOT NULL")
    op.create_index(
        "ix_event_session_day_several", "event_session_day", ["day"], postgresql_where=several, sqlite_where=several
    )
    op.create_table(
        "event_session_institution_day",
        sa.Column("institution_id", sa.Integer(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_id", sa.String(length=100), nullable=False),
        sa.Column("shown", sa.SmallInteger(), nullable=False),
        sa.Column("clicked", sa.SmallInteger(), nullable=False),
        sa.Column("converted", sa.SmallInteger(), nullable=False),
        sa.PrimaryKeyConstraint("institution_id", "day", "session_id", name=op.f("pk_event_session_institution_day")),
    )
    op.create_table(
        "event_visitor_day",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("visitor_id", sa.String(length=100), nullable=False),
        sa.Column("prev_day", sa.Date(), nullable=True),
        sa.PrimaryKeyConstraint("day", "visitor_id", name=op.f("pk_event_visitor_day")),
    )
    op.create_index("ix_event_visitor_day_visitor_id", "event_visitor_day", ["visitor_id", "day"])
    op.create_index("ix_event_visitor_day_period", "event_visitor_day", ["day", "prev_day"])


def _month(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def _partition_event() -> None:
    """The plain table's rows moved into a table partitioned by month (PostgreSQL)."""
    bind = op.get_bind()
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence('event', 'id')"))
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute("ALTER TABLE event RENAME TO event_unpartitioned")
    op.execute("ALTER TABLE event_unpartitioned DROP CONSTRAINT pk_event")
    op.execute("ALTER TABLE event_unpartitioned DROP CONSTRAINT uq_event_dedupe_key")
    for name, _ in OLD_INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute(
        f"""CREATE TABLE event (
            {event_columns(sequence)}
            CONSTRAINT pk_event PRIMARY KEY (id, occurred_at)
        ) PARTITION BY RANGE (occurred_at)"""
    )
    today = dt.datetime.now(dt.UTC).date()
    first, last = _month(today), _month(today)
    for _ in range(13):
        first = _month(first - dt.timedelta(days=1))
    for _ in range(2):
        last = _next_month(last)
    oldest, newest = bind.execute(sa.text("SELECT min(occurred_at), max(occurred_at) FROM event_unpartitioned")).one()
    if oldest is not None:
        first = min(first, _month(oldest.astimezone(dt.UTC).date()))
        last = max(last, _month(newest.astimezone(dt.UTC).date()))
    month = first
    while month <= last:
        following = _next_month(month)
        op.execute(
            f"CREATE TABLE event_{month.year:04d}_{month.month:02d} PARTITION OF event FOR VALUES FROM "
            f"('{month.isoformat()} 00:00:00+00') TO ('{following.isoformat()} 00:00:00+00')"
        )
        month = following
    op.execute(f"INSERT INTO event (id, {COLUMNS}) SELECT id, {COLUMNS} FROM event_unpartitioned")
    for name, columns in NEW_INDEXES:
        op.execute(f"CREATE INDEX {name} ON event ({', '.join(columns)})")
    op.execute("CREATE INDEX ix_event_dedupe_key ON event (dedupe_key)")
    op.execute("DROP TABLE event_unpartitioned")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY event.id")


def _unpartition_event() -> None:
    """The partitioned table's rows moved back into a plain table (PostgreSQL)."""
    bind = op.get_bind()
    sequence = bind.scalar(sa.text("SELECT pg_get_serial_sequence('event', 'id')"))
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY NONE")
    op.execute("ALTER TABLE event RENAME TO event_partitioned")
    op.execute("ALTER TABLE event_partitioned DROP CONSTRAINT pk_event")
    for name, _ in NEW_INDEXES:
        op.execute(f"DROP INDEX {name}")
    op.execute("DROP INDEX ix_event_dedupe_key")
    op.execute(
        f"""CREATE TABLE event (
            {event_columns(sequence)}
            CONSTRAINT pk_event PRIMARY KEY (id),
            CONSTRAINT uq_event_dedupe_key UNIQUE (dedupe_key)
        )"""
    )
    op.execute(f"INSERT INTO event (id, {COLUMNS}) SELECT id, {COLUMNS} FROM event_partitioned")
    for name, columns in OLD_INDEXES:
        op.execute(f"CREATE INDEX {name} ON event ({', '.join(columns)})")
    op.execute("DROP TABLE event_partitioned")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY event.id")


def _fill_rollups(dialect: str) -> None:
    """The roll-ups of every stored event (the same figures as analytics.rollups.rebuild_all)."""
    day = "CAST(occurred_at AT TIME ZONE 'UTC' AS DATE)" if dialect == "postgresql" else "date(occurred_at)"
    sums = ", ".join(f"SUM(CASE WHEN {condition} THEN 1 ELSE 0 END)" for _, condition in MEASURES)
    names = ", ".join(name for name, _ in MEASURES)
    for scope in ("0", "institution_id"):
        for dimension, key in DIMENSIONS:
            grouped = [day] + ([scope] if scope != "0" else []) + ([key] if dimension != "total" else [])
            op.execute(
                f"INSERT INTO event_daily (scope, dimension, day, key, {names}, sessions, robots, events) "
                f"SELECT {scope}, '{dimension}', {day}, COALESCE({key}, ''), {sums}, "
                "COUNT(DISTINCT CASE WHEN NOT robot THEN session_id END), "
                "SUM(CASE WHEN robot THEN 1 ELSE 0 END), COUNT(*) FROM event"
                + (" WHERE institution_id IS NOT NULL" if scope != "0" else "")
                + f" GROUP BY {', '.join(grouped)}"
            )
    op.execute(
        "INSERT INTO event_session_day (day, session_id, first_at, last_at, actions, entries, searched, shown, "
        f"clicked, converted) SELECT {day}, session_id, MIN(occurred_at), MAX(occurred_at), "
        f"SUM(CASE WHEN {ACTIONS} THEN 1 ELSE 0 END), SUM(CASE WHEN {ENTRIES} THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN type = 'search' THEN 1 ELSE 0 END), MAX(CASE WHEN type = 'impression' THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN type = 'click' THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN type IN ('inquiry', 'referral') THEN 1 ELSE 0 END) "
        f"FROM event WHERE NOT robot AND session_id IS NOT NULL GROUP BY {day}, session_id"
    )
    op.execute(
        "INSERT INTO event_session_institution_day (institution_id, day, session_id, shown, clicked, converted) "
        f"SELECT institution_id, {day}, session_id, MAX(CASE WHEN type = 'impression' THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN type = 'click' THEN 1 ELSE 0 END), "
        "MAX(CASE WHEN type IN ('inquiry', 'referral') THEN 1 ELSE 0 END) FROM event "
        "WHERE NOT robot AND session_id IS NOT NULL AND institution_id IS NOT NULL "
        f"GROUP BY institution_id, {day}, session_id"
    )
    op.execute(
        f"INSERT INTO event_visitor_day (day, visitor_id) SELECT DISTINCT {day}, visitor_id FROM event "
        "WHERE NOT robot AND visitor_id IS NOT NULL"
    )
    _link("event_session_day", "session_id", {"prev_day": "LAG", "next_day": "LEAD"})
    _link("event_visitor_day", "visitor_id", {"prev_day": "LAG"})
    members = " UNION ALL ".join(
        f"SELECT DISTINCT {scope} AS scope, '{dimension}' AS dimension, COALESCE({key}, '') AS key, session_id, "
        f"day FROM sessions_events" + (" WHERE institution_id IS NOT NULL" if scope != "0" else "")
        for scope in ("0", "institution_id")
        for dimension, key in DIMENSIONS
    )
    op.execute(
        f"WITH sessions_events AS (SELECT {day} AS day, session_id, institution_id, course_key, noc_code, region, "
        "lang, variant, portal_id FROM event WHERE NOT robot AND session_id IN (SELECT session_id FROM "
        "event_session_day GROUP BY session_id HAVING COUNT(*) > 1)) "
        "INSERT INTO event_session_repeat (scope, dimension, key, session_id, day, prev_day) "
        "SELECT scope, dimension, key, session_id, day, prev_day FROM (SELECT scope, dimension, key, session_id, "
        "day, LAG(day) OVER (PARTITION BY scope, dimension, key, session_id ORDER BY day) AS prev_day "
        f"FROM ({members}) AS members) AS ranked WHERE prev_day IS NOT NULL"
    )


def _link(table: str, owner: str, neighbours: dict[str, str]) -> None:
    """Each row's day before (and after) among its session's or visitor's days."""
    columns = ", ".join(
        f"{function}(day) OVER (PARTITION BY {owner} ORDER BY day) AS {name}" for name, function in neighbours.items()
    )
    assignments = ", ".join(f"{name} = linked.{name}" for name in neighbours)
    some = " OR ".join(f"linked.{name} IS NOT NULL" for name in neighbours)
    op.execute(
        f"UPDATE {table} SET {assignments} FROM (SELECT day, {owner}, {columns} FROM {table}) AS linked "
        f"WHERE {table}.day = linked.day AND {table}.{owner} = linked.{owner} AND ({some})"
    )
