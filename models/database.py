"""Engine and session creation for SQLite (WAL mode, foreign keys on) and PostgreSQL.

The service's engine keeps a pool of connections per worker process (`pool_size`, from
LMI_DB_POOL_SIZE) and may open `max_overflow` more when busy (LMI_DB_MAX_OVERFLOW); a request that finds
none free waits up to 30 s for one. A worker serves its requests on a pool of 40 threads, so 10 + 10 lets
half of them hold a connection at once (most of a request's time is not spent in the database); all the
workers of all hosts together may hold workers × (pool + overflow), which must stay under PostgreSQL's
`max_connections` (100 by default, a few of them reserved): 4 workers take at most 80.
"""

from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker


def create_database_engine(
    database_url: str, *, pool_size: int | None = None, max_overflow: int | None = None, **engine_options: Any
) -> Engine:
    """Create an engine; for a SQLite file, create its folder and turn on WAL and foreign keys. The pool's
    size and overflow default to SQLAlchemy's (5 and 10) when not given (one-off commands, tests)."""
    url = make_url(database_url)
    pool = {
        name: value for name, value in (("pool_size", pool_size), ("max_overflow", max_overflow)) if value is not None
    }
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            Path(url.database).parent.mkdir(parents=True, exist_ok=True)
        else:
            pool = {}  # an in-memory database has one connection per thread, not a pool
        engine = create_engine(url, connect_args={"check_same_thread": False}, **pool, **engine_options)
        event.listen(engine, "connect", _configure_sqlite_connection)
        return engine
    return create_engine(url, pool_pre_ping=True, **pool, **engine_options)


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(bind=engine, expire_on_commit=False)
