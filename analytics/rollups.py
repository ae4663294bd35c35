"""Daily roll-ups of the events, which the analytics read instead of the events themselves.

What they hold (models.events):
- `event_daily`: per UTC day, scope (everyone's events, or one institution's: those about its programs),
  breakdown and group, the counts by type, the helpful feedback, robots' events, all events, and the
  day's distinct sessions (people's events only);
- `event_session_repeat`: a session seen in a group again on a later day, with the day it was last seen
  there before: a period's distinct sessions are the sum of its days' less the repeats whose previous day
  is in the period too (so every count stays exactly what a count over the events gives);
- `event_session_day`, `event_session_institution_day`: each session's day (first and last event, actions,
  entries, funnel steps; and the steps with each institution's programs), from which the funnel, the
  session lengths and bounces of a day or of a whole period are computed; a session's day is linked to
  its other days before and after (`prev_day`, `next_day`), so that a period reads the days of sessions
  seen on one of its days only as they are and merges only the others;
- `event_visitor_day`: the visitors of each day, each linked to the visitor's day before (a period's
  visitors are its rows whose day before is outside it; the returning ones, those that have one).

**Kept current.** Every event is stored by analytics.store.insert_new, which calls `record_rollups` in the
same transaction: a committed event is always in the roll-ups, and a rolled-back one never. Counts add
up; whether an event adds a session to a cell (or a repeat) depends on the session's other events, read
from `event` under a transaction-level advisory lock (PostgreSQL; SQLite has a single writer) taken after
the batch's events are inserted, so two ingests of one session never both count it (the second to take
the lock sees the first's events, committed).

**Rebuilt.** `rebuild_days` recomputes the days given from the events, in SQL (a bulk load, and every
deletion: analytics.retention), with the links of the sessions and visitors seen on them, and
`rebuild_repeats` the repeats of the sessions given; `rebuild_all` all of it (migration 0007 does the same
with SQL of its own). `delete_events` deletes events and corrects the roll-ups of the days and sessions
they touched.

On PostgreSQL the rows go in as one array per column (`insert_rows`): the statement is the same whatever
the batch, so it is parsed once.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    String,
    and_,
    bindparam,
    case,
    cast,
    delete,
    distinct,
    func,
    insert,
    literal,
    or_,
    select,
    text,
    union_all,
    update,
)
from sqlalchemy.orm import Session

from analytics.queries import ACTIONS, ENTRIES, TYPE_MEASURES
from models.events import (
    EVERYONE,
    ROLLUP_DIMENSIONS,
    Event,
    EventDaily,
    EventDedupe,
    EventSessionDay,
    EventSessionInstitutionDay,
    EventSessionRepeat,
    EventVisitorDay,
)

MEASURE_OF_TYPE = {event_type: measure for measure, event_type in TYPE_MEASURES.items()}
COUNT_COLUMNS = (*TYPE_MEASURES, "helpful", "sessions", "robots", "events")
_INDEX = {name: index for index, name in enumerate(COUNT_COLUMNS)}
CONVERSIONS = ("inquiry", "referral")
CHUNK = 500
_ROLLUP_LOCK = "SELECT pg_advisory_xact_lock(hashtext(current_schema() || '/lmi-event-rollups'))"

Cell = tuple[int, str, str]  # scope, dimension, key
Member = tuple[int, str, str, str, dt.date]  # scope, dimension, key, session, day


@dataclass(frozen=True)
class RolledEvent:
    """What the roll-ups need of one event."""

    occurred_at: dt.datetime
    type: str
    robot: bool
    helpful: bool | None = None
    session_id: str | None = None
    visitor_id: str | None = None
    institution_id: int | None = None
    course_key: str | None = None
    noc_code: str | None = None
    region: str | None = None
    lang: str | None = None
    variant: str | None = None
    portal_id: int | None = None

    @property
    def day(self) -> dt.date:
        return self.occurred_at.astimezone(dt.UTC).date()

    @property
    def human(self) -> bool:
        return not self.robot

    def keys(self) -> tuple[str, ...]:
        """The event's group in each breakdown of ROLLUP_DIMENSIONS, as text ('' when it has none)."""
        noc = self.noc_code
        return (
            "",
            "" if self.institution_id is None else str(self.institution_id),
            self.course_key or "",
            noc or "",
            noc[1:2] if noc else "",
            self.region or "",
            self.lang or "",
            self.variant or "",
            "" if self.portal_id is None else str(self.portal_id),
        )

    def cells(self) -> list[Cell]:
        """Every (scope, breakdown, group) the event counts in."""
        scopes = [EVERYONE] if self.institution_id is None else [EVERYONE, self.institution_id]
        keys = self.keys()
        return [
            (scope, dimension, key) for scope in scopes for dimension, key in zip(ROLLUP_DIMENSIONS, keys, strict=True)
        ]

    def members(self) -> list[Member]:
        """The (cell, session, day) memberships that count the event's session (people's events only)."""
        if self.robot or self.session_id is None:
            return []
        day = self.day
        return [(scope, dimension, key, self.session_id, day) for scope, dimension, key in self.cells()]


ROW_FIELDS = (
    "occurred_at",
    "type",
    "robot",
    "helpful",
    "session_id",
    "visitor_id",
    "institution_id",
    "course_key",
    "noc_code",
    "region",
    "lang",
    "variant",
    "portal_id",
)


def rolled(row: Mapping[str, Any]) -> RolledEvent:
    """An event row (analytics.store.event_row) as the roll-ups see it."""
    return RolledEvent(
        occurred_at=row["occurred_at"],
        type=row["type"],
        robot=bool(row["robot"]),
        helpful=row.get("helpful"),
        session_id=row.get("session_id"),
        visitor_id=row.get("visitor_id"),
        institution_id=row.get("institution_id"),
        course_key=row.get("course_key"),
        noc_code=row.get("noc_code"),
        region=row.get("region"),
        lang=row.get("lang"),
        variant=row.get("variant"),
        portal_id=row.get("portal_id"),
    )


# ---------------------------------------------------------------------------------------------------------
# Kept current at ingest


def record_rollups(session: Session, added: Sequence[Mapping[str, Any]], added_ids: Collection[int]) -> None:
    """Add the events just inserted (their rows, and their ids) to the roll-ups, in the same transaction."""
    if not added:
        return
    lock_rollups(session)
    events = [rolled(row) for row in added]
    sessions = {event.session_id for event in events if event.human and event.session_id is not None}
    stored = [event for event_id, event in _stored_events(session, sessions) if event_id not in added_ids]
    counts: dict[tuple[int, str, dt.date, str], list[int]] = defaultdict(lambda: [0] * len(COUNT_COLUMNS))
    for event in events:
        day = event.day
        measure = MEASURE_OF_TYPE.get(event.type)
        for scope, dimension, key in event.cells():
            vector = counts[(scope, dimension, day, key)]
            vector[_INDEX["events"]] += 1
            if event.robot:
                vector[_INDEX["robots"]] += 1
                continue
            if measure is not None:
                vector[_INDEX[measure]] += 1
            if event.type == "feedback" and event.helpful:
                vector[_INDEX["helpful"]] += 1
    before = {member for event in stored for member in event.members()}
    new_members = {member for event in events for member in event.members()} - before
    for scope, dimension, key, _session, day in new_members:
        counts[(scope, dimension, day, key)][_INDEX["sessions"]] += 1
    _add_daily(session, counts)
    _update_repeats(session, before, new_members)
    _add_session_days(session, [event for event in events if event.human], stored)
    session.flush()


def lock_rollups(session: Session) -> None:
    """Serialise the writers of the roll-ups (PostgreSQL; SQLite's writer already holds the database)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(_ROLLUP_LOCK))


def _stored_events(session: Session, sessions: Collection[str]) -> Iterator[tuple[int, RolledEvent]]:
    """People's stored events of these sessions, with their ids."""
    columns = [getattr(Event, name) for name in ROW_FIELDS]
    for chunk in _chunks(sorted(sessions)):
        rows = session.execute(
            select(Event.id, *columns).where(Event.session_id.in_(chunk), Event.robot.is_(False))
        ).all()
        for row in rows:
            yield row[0], RolledEvent(*row[1:])


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def dialect_insert(session: Session, model: Any) -> Any:
    """The dialect's INSERT into the model's table, which has ON CONFLICT. Each dialect's module is imported
    by its own branch: a service on SQLite never loads PostgreSQL's."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        return postgresql.insert(model.__table__)
    from sqlalchemy.dialects import sqlite  # noqa: PLC0415

    return sqlite.insert(model.__table__)


def insert_rows(
    session: Session,
    model: Any,
    rows: Sequence[Mapping[str, Any]],
    finish: Callable[[Any], Any] | None = None,
    *,
    returning: bool = False,
) -> list[Any]:
    """Insert many rows into a model's table, in one statement; `finish` completes the dialect's INSERT
    (ON CONFLICT, RETURNING), and the rows it returns are returned if `returning`.

    On PostgreSQL the rows are sent as one array per column and inserted from `unnest()` of them: the
    statement's text is the same whatever the number of rows (a multi-row VALUES list would be parsed anew
    by the driver and the server for every batch). Elsewhere an executemany of the Core statement (an ORM
    one would leave out the nulls and split the batch by which columns are null)."""
    if not rows:
        return []
    finish = finish or (lambda statement: statement)
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        table = model.__table__
        names = list(rows[0])
        arrays = [
            bindparam(f"{name}_values", [row[name] for row in rows], type_=postgresql.ARRAY(table.c[name].type))
            for name in names
        ]
        unnested = func.unnest(*arrays).table_valued(*names).render_derived()
        statement = finish(postgresql.insert(table).from_select(names, select(*unnested.c)))
        result = session.execute(statement)
    else:
        result = session.execute(finish(dialect_insert(session, model)), list(rows))
    return list(result.all()) if returning else []


def _least(session: Session, left: Any, right: Any) -> Any:
    return func.least(left, right) if session.get_bind().dialect.name == "postgresql" else func.min(left, right)


def _greatest(session: Session, left: Any, right: Any) -> Any:
    return func.greatest(left, right) if session.get_bind().dialect.name == "postgresql" else func.max(left, right)


def _add_daily(session: Session, counts: Mapping[tuple[int, str, dt.date, str], list[int]]) -> None:
    table = EventDaily.__table__

    def adding(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["scope", "dimension", "day", "key"],
            set_={name: table.c[name] + statement.excluded[name] for name in COUNT_COLUMNS},
        )

    rows = [
        {
            "scope": scope,
            "dimension": dimension,
            "day": day,
            "key": key,
            **dict(zip(COUNT_COLUMNS, vector, strict=True)),
        }
        for (scope, dimension, day, key), vector in sorted(counts.items())
    ]
    insert_rows(session, EventDaily, rows, adding)


def _repeats_of(days: Iterable[dt.date]) -> dict[dt.date, dt.date]:
    """Each day after the first → the day before it (the repeats of one session in one cell)."""
    ordered = sorted(set(days))
    return dict(zip(ordered[1:], ordered[:-1], strict=True))


def _update_repeats(session: Session, before: set[Member], new_members: set[Member]) -> None:
    """The repeats of the (cell, session) pairs that gained a day. A pair seen on one day only, before and
    now, has none: only the sessions seen on several days are looked at."""
    days_of: dict[str, set[dt.date]] = defaultdict(set)
    for member in (*before, *new_members):
        days_of[member[3]].add(member[4])
    several = {session_id for session_id, days in days_of.items() if len(days) > 1}
    if not several:
        return
    gained: dict[tuple[int, str, str, str], set[dt.date]] = defaultdict(set)
    for scope, dimension, key, session_id, day in new_members:
        if session_id in several:
            gained[(scope, dimension, key, session_id)].add(day)
    had: dict[tuple[int, str, str, str], set[dt.date]] = defaultdict(set)
    for scope, dimension, key, session_id, day in before:
        pair = (scope, dimension, key, session_id)
        if pair in gained:
            had[pair].add(day)
    upserts = []
    for pair, days in gained.items():
        if not had.get(pair) and len(days) == 1:
            continue
        old = _repeats_of(had.get(pair, ()))
        new = _repeats_of(had.get(pair, set()) | days)
        scope, dimension, key, session_id = pair
        upserts += [
            {"scope": scope, "dimension": dimension, "key": key, "session_id": session_id, "day": day, "prev_day": prev}
            for day, prev in new.items()
            if old.get(day) != prev
        ]

    def replacing(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["scope", "dimension", "key", "session_id", "day"],
            set_={"prev_day": statement.excluded.prev_day},
        )

    insert_rows(session, EventSessionRepeat, sorted(upserts, key=lambda row: tuple(row.values())), replacing)


def _neighbours(days: Iterable[dt.date]) -> dict[dt.date, tuple[dt.date | None, dt.date | None]]:
    """Each day → the day before it and the day after it among `days` (None: none)."""
    ordered = sorted(set(days))
    return {
        day: (ordered[index - 1] if index else None, ordered[index + 1] if index + 1 < len(ordered) else None)
        for index, day in enumerate(ordered)
    }


def _add_session_days(session: Session, events: Sequence[RolledEvent], stored: Sequence[RolledEvent]) -> None:
    """People's events (`stored`: the other events of their sessions) into their sessions' days, linked to
    the sessions' other days; their sessions' days with an institution; and their visitors' days, linked to
    the visitors' days before."""
    days: dict[tuple[dt.date, str], dict[str, Any]] = {}
    with_institutions: dict[tuple[int, dt.date, str], dict[str, int]] = {}
    visitors: set[tuple[dt.date, str]] = set()
    for event in events:
        day = event.day
        if event.visitor_id is not None:
            visitors.add((day, event.visitor_id))
        if event.session_id is None:
            continue
        steps = {
            "shown": int(event.type == "impression"),
            "clicked": int(event.type == "click"),
            "converted": int(event.type in CONVERSIONS),
        }
        found = days.setdefault(
            (day, event.session_id),
            {
                "first_at": event.occurred_at,
                "last_at": event.occurred_at,
                "actions": 0,
                "entries": 0,
                "searched": 0,
                "shown": 0,
                "clicked": 0,
                "converted": 0,
            },
        )
        found["first_at"] = min(found["first_at"], event.occurred_at)
        found["last_at"] = max(found["last_at"], event.occurred_at)
        found["actions"] += int(event.type in ACTIONS)
        found["entries"] += int(event.type in ENTRIES)
        found["searched"] |= int(event.type == "search")
        for name, reached in steps.items():
            found[name] |= reached
        if event.institution_id is not None:
            own = with_institutions.setdefault(
                (event.institution_id, day, event.session_id), {"shown": 0, "clicked": 0, "converted": 0}
            )
            for name, reached in steps.items():
                own[name] |= reached
    relinked = _link_session_days(days, stored)
    session_days = EventSessionDay.__table__

    def merging(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["day", "session_id"],
            set_={
                "first_at": _least(session, session_days.c.first_at, statement.excluded.first_at),
                "last_at": _greatest(session, session_days.c.last_at, statement.excluded.last_at),
                "actions": session_days.c.actions + statement.excluded.actions,
                "entries": session_days.c.entries + statement.excluded.entries,
                **{
                    name: _greatest(session, session_days.c[name], statement.excluded[name])
                    for name in ("searched", "shown", "clicked", "converted")
                },
                "prev_day": statement.excluded.prev_day,
                "next_day": statement.excluded.next_day,
            },
        )

    insert_rows(
        session,
        EventSessionDay,
        [{"day": day, "session_id": sid, **values} for (day, sid), values in sorted(days.items())],
        merging,
    )
    _update_links(session, EventSessionDay, "session_id", relinked)
    institution_days = EventSessionInstitutionDay.__table__

    def reaching(statement: Any) -> Any:
        return statement.on_conflict_do_update(
            index_elements=["institution_id", "day", "session_id"],
            set_={
                name: _greatest(session, institution_days.c[name], statement.excluded[name])
                for name in ("shown", "clicked", "converted")
            },
        )

    insert_rows(
        session,
        EventSessionInstitutionDay,
        [
            {"institution_id": institution, "day": day, "session_id": sid, **values}
            for (institution, day, sid), values in sorted(with_institutions.items())
        ],
        reaching,
    )
    _add_visitor_days(session, visitors)


def _link_session_days(
    days: dict[tuple[dt.date, str], dict[str, Any]], stored: Sequence[RolledEvent]
) -> list[dict[str, Any]]:
    """Set the neighbours of the sessions' new days (in `days`, for the upsert); the sessions' other days
    whose neighbours change, to update."""
    had: dict[str, set[dt.date]] = defaultdict(set)
    for event in stored:
        if event.session_id is not None:
            had[event.session_id].add(event.day)
    gained: dict[str, set[dt.date]] = defaultdict(set)
    for day, session_id in days:
        gained[session_id].add(day)
    relinked = []
    for session_id, new_days in gained.items():
        old = _neighbours(had.get(session_id, ()))
        linked = _neighbours(had.get(session_id, set()) | new_days)
        for day, (prev_day, next_day) in linked.items():
            if day in new_days:
                days[(day, session_id)].update(prev_day=prev_day, next_day=next_day)
            elif old[day] != (prev_day, next_day):
                relinked.append({"day": day, "owner": session_id, "prev_day": prev_day, "next_day": next_day})
    return relinked


def _add_visitor_days(session: Session, visitors: set[tuple[dt.date, str]]) -> None:
    """The visitors' new days, each with the visitor's day before it; and the days after them, whose day
    before changes."""
    if not visitors:
        return
    had: dict[str, set[dt.date]] = defaultdict(set)
    for chunk in _chunks(sorted({visitor for _, visitor in visitors})):
        found = session.execute(
            select(EventVisitorDay.visitor_id, EventVisitorDay.day).where(EventVisitorDay.visitor_id.in_(chunk))
        )
        for visitor, day in found:
            had[visitor].add(day)
    gained: dict[str, set[dt.date]] = defaultdict(set)
    for day, visitor in visitors:
        if day not in had.get(visitor, ()):
            gained[visitor].add(day)
    rows, relinked = [], []
    for visitor, new_days in gained.items():
        old = _neighbours(had.get(visitor, ()))
        for day, (prev_day, _) in _neighbours(had.get(visitor, set()) | new_days).items():
            if day in new_days:
                rows.append({"day": day, "visitor_id": visitor, "prev_day": prev_day})
            elif old[day][0] != prev_day:
                relinked.append({"day": day, "owner": visitor, "prev_day": prev_day})
    insert_rows(
        session,
        EventVisitorDay,
        sorted(rows, key=lambda row: (row["day"], row["visitor_id"])),
        lambda statement: statement.on_conflict_do_nothing(index_elements=["day", "visitor_id"]),
    )
    _update_links(session, EventVisitorDay, "visitor_id", relinked)


def _update_links(session: Session, model: Any, owner: str, rows: Sequence[dict[str, Any]]) -> None:
    """Set the linked days of existing rows: each of `rows` names a row by its day and owner (session or
    visitor) and gives its `prev_day` (and `next_day`)."""
    if not rows:
        return
    table = model.__table__
    rows = sorted(rows, key=lambda row: (row["day"], row["owner"]))
    names = [name for name in ("prev_day", "next_day") if name in rows[0]]
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects import postgresql  # noqa: PLC0415

        columns: dict[str, Any] = {"day": table.c.day, "owner": table.c[owner]}
        columns.update({name: table.c[name] for name in names})
        arrays = [
            bindparam(f"{name}_values", [row[name] for row in rows], type_=postgresql.ARRAY(column.type))
            for name, column in columns.items()
        ]
        given = func.unnest(*arrays).table_valued(*columns).render_derived()
        session.execute(
            update(table)
            .values({name: given.c[name] for name in names})
            .where(table.c.day == given.c.day, table.c[owner] == given.c.owner)
        )
        return
    statement = (
        update(table)
        .values({name: bindparam(f"new_{name}") for name in names})
        .where(table.c.day == bindparam("at_day"), table.c[owner] == bindparam("at_owner"))
    )
    session.execute(
        statement,
        [
            {"at_day": row["day"], "at_owner": row["owner"], **{f"new_{name}": row[name] for name in names}}
            for row in rows
        ],
    )


# ---------------------------------------------------------------------------------------------------------
# Rebuilt from the events


def day_of_event(dialect: str) -> ColumnElement[Any]:
    """An event's UTC day, as a date (PostgreSQL) or its ISO text (SQLite, which stores dates so)."""
    if dialect == "postgresql":
        return cast(func.timezone(literal("UTC", String), Event.occurred_at), Date)
    return func.date(Event.occurred_at)


def key_of_event(dimension: str) -> Any:
    """An event's group in a breakdown, as text (null when it has none)."""
    if dimension == "total":
        return literal("", String)
    if dimension == "teer":
        return func.substr(Event.noc_code, literal(2, Integer), literal(1, Integer))
    columns: dict[str, Any] = {
        "institution": cast(Event.institution_id, String),
        "course": Event.course_key,
        "occupation": Event.noc_code,
        "region": Event.region,
        "lang": Event.lang,
        "variant": Event.variant,
        "portal": cast(Event.portal_id, String),
    }
    return columns[dimension]


def _counted(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _reached(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.max(case((condition, 1), else_=0))


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def rebuild_days(session: Session, first: dt.date, last: dt.date, *, link: bool = True) -> None:
    """Recompute the day cells, sessions' days and visitors' days of the days from `first` to `last`
    (both included) from the events, and (`link`) the linked days of the sessions and visitors seen on
    them, before or now. Not the repeats (see rebuild_repeats). Not committed."""
    dialect = session.get_bind().dialect.name
    owners: dict[Any, set[str]] = {EventSessionDay: set(), EventVisitorDay: set()}
    if link:
        _owners_on(session, first, last, owners)
    for model in (EventDaily, EventSessionDay, EventSessionInstitutionDay, EventVisitorDay):
        session.execute(delete(model).where(model.day >= first, model.day <= last))
    day = day_of_event(dialect)
    in_days = [Event.occurred_at >= _midnight(first), Event.occurred_at < _midnight(last + dt.timedelta(days=1))]
    human = Event.robot.is_(False)
    measures = [
        _counted(and_(human, Event.type == event_type)).label(name) for name, event_type in TYPE_MEASURES.items()
    ]
    measures.append(_counted(and_(human, Event.type == "feedback", Event.helpful.is_(True))).label("helpful"))
    measures.append(func.count(distinct(case((human, Event.session_id)))).label("sessions"))
    measures.append(_counted(Event.robot.is_(True)).label("robots"))
    measures.append(func.count().label("events"))
    for by_institution in (False, True):
        scope: Any = Event.institution_id if by_institution else literal(EVERYONE, Integer)
        for dimension in ROLLUP_DIMENSIONS:
            key = key_of_event(dimension)
            grouped: list[Any] = [day]
            if by_institution:
                grouped.append(Event.institution_id)
            if dimension != "total":
                grouped.append(key)
            query = (
                select(scope, literal(dimension, String), day, func.coalesce(key, ""), *measures)
                .where(*in_days, *([Event.institution_id.is_not(None)] if by_institution else []))
                .group_by(*grouped)
            )
            columns = ["scope", "dimension", "day", "key", *COUNT_COLUMNS]
            session.execute(insert(EventDaily).from_select(columns, query))
    people = [*in_days, human, Event.session_id.is_not(None)]
    session.execute(
        insert(EventSessionDay).from_select(
            [
                "day",
                "session_id",
                "first_at",
                "last_at",
                "actions",
                "entries",
                "searched",
                "shown",
                "clicked",
                "converted",
            ],
            select(
                day,
                Event.session_id,
                func.min(Event.occurred_at),
                func.max(Event.occurred_at),
                _counted(Event.type.in_(ACTIONS)),
                _counted(Event.type.in_(ENTRIES)),
                _reached(Event.type == "search"),
                _reached(Event.type == "impression"),
                _reached(Event.type == "click"),
                _reached(Event.type.in_(CONVERSIONS)),
            )
            .where(*people)
            .group_by(day, Event.session_id),
        )
    )
    session.execute(
        insert(EventSessionInstitutionDay).from_select(
            ["institution_id", "day", "session_id", "shown", "clicked", "converted"],
            select(
                Event.institution_id,
                day,
                Event.session_id,
                _reached(Event.type == "impression"),
                _reached(Event.type == "click"),
                _reached(Event.type.in_(CONVERSIONS)),
            )
            .where(*people, Event.institution_id.is_not(None))
            .group_by(Event.institution_id, day, Event.session_id),
        )
    )
    session.execute(
        insert(EventVisitorDay).from_select(
            ["day", "visitor_id"],
            select(day, Event.visitor_id).where(*in_days, human, Event.visitor_id.is_not(None)).distinct(),
        )
    )
    if link:
        _owners_on(session, first, last, owners)
        link_days(session, EventSessionDay, owners[EventSessionDay])
        link_days(session, EventVisitorDay, owners[EventVisitorDay])


def _owners_on(session: Session, first: dt.date, last: dt.date, owners: dict[Any, set[str]]) -> None:
    """Add the sessions and the visitors seen from `first` to `last` to `owners`."""
    for model, column in ((EventSessionDay, EventSessionDay.session_id), (EventVisitorDay, EventVisitorDay.visitor_id)):
        owners[model].update(session.scalars(select(column).where(model.day >= first, model.day <= last).distinct()))


def link_days(session: Session, model: Any, owners: Collection[str] | None = None) -> None:
    """Set the linked days (the day before, and for sessions the day after) of the rows of these sessions
    or visitors (`model`: EventSessionDay or EventVisitorDay), of every one when None. Not committed."""
    table = model.__table__
    owner = table.c.session_id if model is EventSessionDay else table.c.visitor_id
    window = {"partition_by": owner, "order_by": table.c.day}
    names = ["prev_day", "next_day"] if model is EventSessionDay else ["prev_day"]
    neighbours = {"prev_day": func.lag(table.c.day).over(**window), "next_day": func.lead(table.c.day).over(**window)}
    chunks: Iterable[Sequence[str] | None] = [None] if owners is None else _chunks(sorted(owners))
    for chunk in chunks:
        linked = select(table.c.day, owner.label("owner"), *(neighbours[name].label(name) for name in names))
        if chunk is not None:
            linked = linked.where(owner.in_(chunk))
        found = linked.subquery()
        session.execute(
            update(table)
            .values({name: found.c[name] for name in names})
            .where(
                table.c.day == found.c.day,
                owner == found.c.owner,
                or_(*(table.c[name].is_distinct_from(found.c[name]) for name in names)),
            )
        )


def rebuild_repeats(session: Session, session_ids: Collection[str] | None = None) -> None:
    """Recompute the repeats of these sessions from their events; of every session seen on more than one
    day when None (after rebuild_days of every day). Not committed."""
    if session_ids is None:
        session.execute(delete(EventSessionRepeat))
        several_days = select(EventSessionDay.session_id).group_by(EventSessionDay.session_id).having(func.count() > 1)
        _insert_repeats(session, Event.session_id.in_(several_days))
        return
    for chunk in _chunks(sorted(session_ids)):
        session.execute(delete(EventSessionRepeat).where(EventSessionRepeat.session_id.in_(chunk)))
        _insert_repeats(session, Event.session_id.in_(chunk))


def _insert_repeats(session: Session, of_sessions: ColumnElement[bool]) -> None:
    """The repeats of the sessions `of_sessions` selects, from their people's events (read once)."""
    keys = {dimension: func.coalesce(key_of_event(dimension), "").label(dimension) for dimension in ROLLUP_DIMENSIONS}
    events = (
        select(
            day_of_event(session.get_bind().dialect.name).label("day"),
            Event.session_id,
            Event.institution_id,
            *(keys[dimension] for dimension in ROLLUP_DIMENSIONS if dimension != "total"),
        )
        .where(of_sessions, Event.robot.is_(False))
        .cte("sessions_events")
    )
    parts = []
    for by_institution in (False, True):
        scope: ColumnElement[Any] = events.c.institution_id if by_institution else literal(EVERYONE, Integer)
        for dimension in ROLLUP_DIMENSIONS:
            key = literal("", String) if dimension == "total" else events.c[dimension]
            parts.append(
                select(
                    scope.label("scope"),
                    literal(dimension, String).label("dimension"),
                    key.label("key"),
                    events.c.session_id,
                    events.c.day,
                )
                .where(*([events.c.institution_id.is_not(None)] if by_institution else []))
                .distinct()
            )
    members = union_all(*parts).subquery()
    prev = func.lag(members.c.day).over(
        partition_by=(members.c.scope, members.c.dimension, members.c.key, members.c.session_id),
        order_by=members.c.day,
    )
    ranked = select(*members.c, prev.label("prev_day")).subquery()
    session.execute(
        insert(EventSessionRepeat).from_select(
            ["scope", "dimension", "key", "session_id", "day", "prev_day"],
            select(*ranked.c).where(ranked.c.prev_day.is_not(None)),
        )
    )


def rebuild_all(session: Session, progress: Callable[[dt.date], object] | None = None) -> None:
    """Recompute every roll-up from the events, month by month (`progress`: told each month done, as its
    first day). Not committed: call on a session of its own, and commit."""
    lock_rollups(session)
    if session.get_bind().dialect.name == "postgresql":  # the month's sorts and hashes in memory
        session.execute(text("SET LOCAL work_mem = '256MB'"))
    bounds = session.execute(select(func.min(Event.occurred_at), func.max(Event.occurred_at))).one()
    for model in (EventDaily, EventSessionDay, EventSessionInstitutionDay, EventVisitorDay):
        session.execute(delete(model))
    if bounds[0] is not None:
        first, last = (moment.astimezone(dt.UTC).date() for moment in bounds)
        month = first.replace(day=1)
        while month <= last:
            following = (month.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            rebuild_days(session, month, following - dt.timedelta(days=1), link=False)
            if progress is not None:
                progress(month)
            month = following
    link_days(session, EventSessionDay)
    link_days(session, EventVisitorDay)
    rebuild_repeats(session)


def adopt_bulk_loaded(session: Session, progress: Callable[[dt.date], object] | None = None) -> None:
    """After events were written straight into `event` (a bulk load with COPY, a script): claim their dedupe
    keys and rebuild every roll-up. Not committed."""
    claim = dialect_insert(session, EventDedupe).from_select(
        ["dedupe_key", "occurred_at"], select(Event.dedupe_key, Event.occurred_at)
    )
    session.execute(claim.on_conflict_do_nothing(index_elements=["dedupe_key"]))
    rebuild_all(session, progress)


# ---------------------------------------------------------------------------------------------------------
# Deleting events


def delete_events(session: Session, *conditions: ColumnElement[bool]) -> int:
    """Delete the events matching every condition (their dedupe keys with them), and correct the roll-ups
    of the days and sessions they touched; how many. Not committed."""
    lock_rollups(session)
    dialect = session.get_bind().dialect.name
    day = day_of_event(dialect)
    days = sorted(_as_date(value) for value in session.scalars(select(day).where(*conditions).distinct()))
    if not days:
        return 0
    sessions = {
        session_id
        for session_id in session.scalars(
            select(Event.session_id)
            .where(*conditions, Event.session_id.is_not(None), Event.robot.is_(False))
            .distinct()
        )
        if session_id is not None
    }
    session.execute(delete(EventDedupe).where(EventDedupe.dedupe_key.in_(select(Event.dedupe_key).where(*conditions))))
    result = session.execute(delete(Event).where(*conditions))
    deleted = int(getattr(result, "rowcount", 0) or 0)
    for first, last in _runs(days):
        rebuild_days(session, first, last)
    rebuild_repeats(session, sessions)
    return deleted


def forget_days_before(session: Session, day: dt.date) -> None:
    """Delete the roll-ups of the days before `day`, all of whose events are gone, and the repeats that
    pointed back to them. Not committed."""
    for model in (EventDaily, EventSessionDay, EventSessionInstitutionDay, EventVisitorDay):
        session.execute(delete(model).where(model.day < day))
    session.execute(
        delete(EventSessionRepeat).where(or_(EventSessionRepeat.day < day, EventSessionRepeat.prev_day < day))
    )
    for model in (EventSessionDay, EventVisitorDay):  # their days before are gone
        session.execute(update(model).where(model.prev_day < day).values(prev_day=None))


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def _runs(days: Sequence[dt.date]) -> Iterator[tuple[dt.date, dt.date]]:
    """Consecutive days as (first, last) runs."""
    start = previous = days[0]
    for day in days[1:]:
        if day != previous + dt.timedelta(days=1):
            yield start, previous
            start = day
        previous = day
    yield start, previous
