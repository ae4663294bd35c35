"""Writing events: a batch's dedupe keys are claimed in `event_dedupe` (one statement that skips those
already stored), its new events stored (on PostgreSQL in their months' partitions, made first when
missing: models.partitions) and added to the daily roll-ups (analytics.rollups), all in the caller's
transaction, on SQLite and PostgreSQL alike; which were new is reported."""

import datetime as dt
from collections.abc import Sequence
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from analytics.rollups import insert_rows, record_rollups
from models.events import Event, EventDedupe
from models.partitions import ensure_months, month_of

# What `insert_new` inserted in a session's transaction, as (type, source) pairs, in `session.info`: whoever
# owns the session may read them once it is committed (the service counts the events stored in its metrics).
INSERTED_EVENTS = "lmi.inserted_events"
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
    """Insert the rows whose dedupe key is not stored yet (the first of a key given twice), and add them to
    the roll-ups; the keys inserted. Not committed: the caller's commit stores the events and their
    roll-ups together. Concurrent batches with a key in common store it once (the second waits for the
    first's transaction, then skips it)."""
    if not rows:
        return set()
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    ensure_months(engine, {month_of(row["occurred_at"]) for row in rows})
    first_of_key: dict[str, dict[str, Any]] = {}
    for row in rows:  # the first row of each key, in the batch's order
        first_of_key.setdefault(row["dedupe_key"], row)
    claims = [{"dedupe_key": key, "occurred_at": first_of_key[key]["occurred_at"]} for key in sorted(first_of_key)]
    claimed = {
        key
        for (key,) in insert_rows(
            session,
            EventDedupe,
            claims,
            lambda statement: statement.on_conflict_do_nothing(index_elements=["dedupe_key"]).returning(
                EventDedupe.dedupe_key
            ),
            returning=True,
        )
    }
    if not claimed:
        return set()
    # In the batch's order (the events' ids follow it); the keys were claimed in theirs (no deadlock).
    new_rows = [row for key, row in first_of_key.items() if key in claimed]
    sqlite = session.get_bind().dialect.name == "sqlite"

    def storing(statement: Any) -> Any:
        if sqlite:  # the plain table keeps its unique key too
            statement = statement.on_conflict_do_nothing(index_elements=["dedupe_key"])
        return statement.returning(Event.id, Event.dedupe_key)

    stored = insert_rows(session, Event, new_rows, storing, returning=True)
    inserted = {key for _, key in stored}
    record_rollups(session, [row for row in new_rows if row["dedupe_key"] in inserted], {id_ for id_, _ in stored})
    session.info.setdefault(INSERTED_EVENTS, []).extend(
        (row["type"], row["source"]) for row in new_rows if row["dedupe_key"] in inserted
    )
    return inserted
