"""Writing events: one statement per batch that skips those already stored (same dedupe key), on
SQLite and PostgreSQL alike, and reports which were new."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from models.events import Event

# Every column an insert of many rows names; the ones an event does not concern are null.
OPTIONAL_COLUMNS = (
    "session_id",
    "visitor_id",
    "variant",
    "lang",
    "region",
    "impression_id",
    "course_key",
    "institution_id",
    "noc_code",
    "rank",
    "target_url",
    "helpful",
    "comment",
    "portal_id",
)


def event_row(
    dedupe_key: str,
    event_id: str,
    event_type: str,
    source: str,
    occurred_at: dt.datetime,
    robot: bool,
    received_at: dt.datetime | None = None,
    **fields: Any,
) -> dict[str, Any]:
    """The values of one event row, the optional ones null unless given."""
    unknown = set(fields) - set(OPTIONAL_COLUMNS)
    if unknown:
        raise ValueError(f"not event columns: {sorted(unknown)}")
    return {
        "dedupe_key": dedupe_key,
        "event_id": event_id,
        "type": event_type,
        "source": source,
        "occurred_at": occurred_at,
        "received_at": received_at or occurred_at,
        "robot": robot,
        **dict.fromkeys(OPTIONAL_COLUMNS),
        **fields,
    }


def insert_new(session: Session, rows: Sequence[dict[str, Any]]) -> set[str]:
    """Insert the rows whose dedupe key is not stored yet; the keys inserted. Not committed."""
    if not rows:
        return set()
    dialect = session.get_bind().dialect.name
    # Each dialect's module is imported by its own branch: a service on SQLite never loads PostgreSQL's.
    if dialect == "sqlite":
        from sqlalchemy.dialects import sqlite  # noqa: PLC0415

        statement: Any = sqlite.insert(Event).on_conflict_do_nothing(index_elements=["dedupe_key"])
    elif dialect == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        statement = postgresql.insert(Event).on_conflict_do_nothing(index_elements=["dedupe_key"])
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL only
        statement = insert(Event)
    result = session.execute(statement.returning(Event.dedupe_key), list(rows))
    return set(result.scalars().all())
