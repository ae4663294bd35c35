"""Writing events: one statement per batch that skips those already stored (same dedupe key), on
SQLite and PostgreSQL alike, and reports which were new."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from models.events import Event


def insert_new(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the rows whose dedupe key is not stored yet; the keys inserted. Not committed."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        statement: Any = sqlite.insert(Event).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "postgresql":
        statement = postgresql.insert(Event).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL only
        statement = insert(Event)
    result = session.execute(statement.returning(Event.dedupe_key), list(rows))
    return set(result.scalars().all())
