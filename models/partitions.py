"""The monthly partitions of `event` on PostgreSQL (SQLite keeps one plain table: nothing here applies).

`event` is partitioned by RANGE (occurred_at), one partition per UTC month, named `event_YYYY_MM`.
There is no default partition: a row needs its month's partition, so partitions are made before rows
go in.

- **At ingest.** Before a batch is stored, `ensure_months` makes the partitions of its months that this
  process has not seen yet (a set per database, so the usual batch costs nothing). It works on a
  connection of its own, serialised between processes by a transaction-level advisory lock (the second
  process to want a month waits, then finds it made): `CREATE TABLE … (LIKE event)` then `ALTER TABLE
  event ATTACH PARTITION`, which takes a SHARE UPDATE EXCLUSIVE lock on `event`, so neither the ingest
  that asked nor any other waits on it. (`CREATE TABLE … PARTITION OF` would take an ACCESS EXCLUSIVE
  lock: it would wait for every open transaction on `event`, the asking one included.)
- **Ahead.** The migration makes the partitions of the last 13 months and the next 2, and the daily
  retention run (analytics.retention) those of this month and the next 2, so writers that bypass the
  service (a bulk load) find them.
- **Retention.** Whole months past the retention period are dropped (`drop_months_before`): DROP TABLE
  takes an ACCESS EXCLUSIVE lock on `event`, waited for at most `DROP_LOCK_TIMEOUT`; a month that could
  not be dropped then has its rows deleted instead.
"""

import datetime as dt
import re
import threading
from collections.abc import Iterable

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

PARTITION_NAME = re.compile(r"^event_(\d{4})_(\d{2})$")
DROP_LOCK_TIMEOUT = "5s"
MONTHS_BACK, MONTHS_AHEAD = 13, 2
_PARTITION_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/lmi-event-partitions'))"

_known: dict[str, set[dt.date]] = {}  # database (its URL) → months known to have their partition
_ddl_engines: dict[str, Engine] = {}
_guard = threading.Lock()


def is_partitioned(engine: Engine | Connection) -> bool:
    return engine.dialect.name == "postgresql"


def month_of(moment: dt.datetime | dt.date) -> dt.date:
    """The month (its first day) of a UTC instant or a day."""
    if isinstance(moment, dt.datetime):
        moment = moment.astimezone(dt.UTC).date()
    return moment.replace(day=1)


def next_month(month: dt.date) -> dt.date:
    return (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)


def months_between(first: dt.date, last: dt.date) -> list[dt.date]:
    """Every month from `first`'s to `last`'s, both included."""
    months, month = [], month_of(first)
    while month <= last:
        months.append(month)
        month = next_month(month)
    return months


def partition_name(month: dt.date) -> str:
    return f"event_{month.year:04d}_{month.month:02d}"


def month_bounds(month: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and the first after it (UTC)."""
    begins = dt.datetime.combine(month, dt.time(), dt.UTC)
    return begins, dt.datetime.combine(next_month(month), dt.time(), dt.UTC)


def existing_months(connection: Connection) -> set[dt.date]:
    """The months that have a partition of `event` (in the schema `event` resolves to)."""
    names = connection.scalars(
        text(
            "SELECT child.relname FROM pg_inherits JOIN pg_class child ON child.oid = pg_inherits.inhrelid "
            "WHERE pg_inherits.inhparent = 'event'::regclass"
        )
    )
    months = set()
    for name in names:
        found = PARTITION_NAME.match(name)
        if found:
            months.add(dt.date(int(found[1]), int(found[2]), 1))
    return months


def create_month(connection: Connection, month: dt.date) -> None:
    """Make and attach one month's partition (the caller holds the partition lock)."""
    name = partition_name(month)
    begins, ends = month_bounds(month)
    connection.execute(text(f"CREATE TABLE IF NOT EXISTS {name} (LIKE event INCLUDING DEFAULTS INCLUDING CONSTRAINTS)"))
    connection.execute(
        text(
            f"ALTER TABLE event ATTACH PARTITION {name} "
            f"FOR VALUES FROM ('{begins.isoformat()}') TO ('{ends.isoformat()}')"
        )
    )


def _database(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)


def _ddl_engine(engine: Engine) -> Engine:
    """An engine without a pool on the same database: making a partition never waits for a connection of
    the service's pool (whose connections may all be ingests waiting for that partition)."""
    key = _database(engine)
    with _guard:
        if key not in _ddl_engines:
            _ddl_engines[key] = create_engine(engine.url, poolclass=NullPool)
        return _ddl_engines[key]


def ensure_months(engine: Engine, months: Iterable[dt.date]) -> None:
    """Make sure each month has its partition (PostgreSQL; nothing on SQLite). Cheap when this process
    already knows them; otherwise committed on a connection of its own before returning."""
    if not is_partitioned(engine):
        return
    key = _database(engine)
    wanted = {month_of(month) for month in months}
    with _guard:
        missing = wanted - _known.get(key, set())
    if not missing:
        return
    with _ddl_engine(engine).begin() as connection:
        connection.execute(text(_PARTITION_LOCK))
        existing = existing_months(connection)
        for month in sorted(missing - existing):
            create_month(connection, month)
    with _guard:
        _known.setdefault(key, set()).update(existing | missing)


def ensure_around(engine: Engine, today: dt.date, back: int = 0, ahead: int = MONTHS_AHEAD) -> None:
    """The partitions of the `back` months before today's, today's, and the `ahead` after it."""
    first = month_of(today)
    for _ in range(back):
        first = month_of(first - dt.timedelta(days=1))
    last = month_of(today)
    for _ in range(ahead):
        last = next_month(last)
    ensure_months(engine, months_between(first, last))


def forget(engine: Engine) -> None:
    """Forget what this process knows of the database's partitions (after some were dropped)."""
    with _guard:
        _known.pop(_database(engine), None)


def drop_months_before(session: Session, moment: dt.datetime) -> tuple[int, dt.datetime | None]:
    """Drop the partitions whose whole month is before `moment`, in the session's transaction; the number
    of events they held, and the end of the last month dropped (None if none). A partition whose lock is
    not had within DROP_LOCK_TIMEOUT is left: its rows are the caller's to delete."""
    bind = session.get_bind()
    assert isinstance(bind, Engine | Connection)
    if not is_partitioned(bind):
        return 0, None
    connection = session.connection()
    dropped, through = 0, None
    for month in sorted(existing_months(connection)):
        ends = month_bounds(month)[1]
        if ends > moment:
            break
        name = partition_name(month)
        try:
            with session.begin_nested():
                session.execute(
                    text("SELECT set_config('lock_timeout', :timeout, true)"), {"timeout": DROP_LOCK_TIMEOUT}
                )
                count = int(session.scalar(text(f"SELECT count(*) FROM {name}")) or 0)
                session.execute(text(f"DROP TABLE {name}"))
        except OperationalError:  # the lock was not had in time: the rows are deleted instead
            break
        dropped += count
        through = ends
    session.execute(text("SELECT set_config('lock_timeout', '0', true)"))
    if through is not None:
        forget(bind if isinstance(bind, Engine) else bind.engine)
    return dropped, through
