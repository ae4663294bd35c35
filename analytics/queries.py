"""The counts behind every figure: events by type, unique sessions, robots apart, over a period, grouped by
a time bucket or a dimension, for everyone or one institution; the funnel's sessions; the sessions' length
and bounces; the visitors, new and returning. Read from the daily roll-ups (analytics.rollups), which give
exactly what a count over the events gives (analytics.raw_queries, the reference they are tested against):
a few hundred to a few thousand rows for a period, whatever the number of events."""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from analytics.periods import Period
from models.events import (
    EVERYONE,
    EventDaily,
    EventSessionDay,
    EventSessionInstitutionDay,
    EventSessionRepeat,
    EventVisitorDay,
)

GroupBy = Literal[
    "day", "week", "month", "institution", "course", "occupation", "teer", "region", "lang", "variant", "portal"
]
GROUP_BYS: tuple[GroupBy, ...] = (
    "day",
    "week",
    "month",
    "institution",
    "course",
    "occupation",
    "teer",
    "region",
    "lang",
    "variant",
    "portal",
)
TYPE_MEASURES = {
    "page_views": "page_view",
    "searches": "search",
    "impressions": "impression",
    "clicks": "click",
    "inquiries": "inquiry",
    "referrals": "referral",
    "feedback": "feedback",
}
# What a person does; an impression is what the service showed, not an action.
ACTIONS = ("page_view", "search", "click", "inquiry", "referral", "feedback")
# A session that has only one of these, and nothing else, bounced.
ENTRIES = ("page_view", "search")
COUNTS = (*TYPE_MEASURES, "helpful", "sessions")


@dataclass(frozen=True)
class Scope:
    """Whose rows: everyone's, or one institution's (its programs' impressions, clicks, inquiries…)."""

    institution_id: int | None = None

    @property
    def rollup_scope(self) -> int:
        """The scope of the roll-up rows that hold these events."""
        return EVERYONE if self.institution_id is None else self.institution_id


# Counts of one cell by day: the day (ISO), or None for the whole period, → measure → count.
Daily = dict[str | None, dict[str, int]]
TIME_BUCKETS = ("day", "week", "month")
PUBLISHED = (*COUNTS, "robots")


def bucket_of(day: str, group_by: str) -> str:
    """The time bucket of an ISO day: itself, its week's Monday, or its month."""
    if group_by == "week":
        date = dt.date.fromisoformat(day)
        return (date - dt.timedelta(days=date.weekday())).isoformat()
    return day[:7] if group_by == "month" else day


def bucket_start(day: dt.date, group_by: str) -> dt.date:
    """The first day of a day's time bucket."""
    if group_by == "week":
        return day - dt.timedelta(days=day.weekday())
    return day.replace(day=1) if group_by == "month" else day


def text_key(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _in_window(column: Any, window: Period) -> list[ColumnElement[bool]]:
    return [column >= window.start, column <= window.end]


def count_events(
    session: Session, window: Period, scope: Scope, group_by: GroupBy | None = None, *, by_day: bool = False
) -> dict[str | None, Daily]:
    """Counts per group (the key None: the whole period when not grouped, or events without the
    dimension), of the whole period or, `by_day`, of each day; robots are left out of every measure but
    `robots`, and a group of robots' events only is left out. Sessions are distinct within each day, or
    within the whole period (within each time bucket of it) when not `by_day`."""
    time_bucket = group_by in TIME_BUCKETS
    dimension = "total" if group_by is None or time_bucket else group_by
    names = (*PUBLISHED, "events")
    rows = session.execute(
        select(EventDaily.day, EventDaily.key, *(getattr(EventDaily, name) for name in names)).where(
            EventDaily.scope == scope.rollup_scope,
            EventDaily.dimension == dimension,
            *_in_window(EventDaily.day, window),
        )
    ).all()

    def group_of(day: dt.date, key: str) -> str | None:
        if group_by is None:
            return None
        return bucket_of(day.isoformat(), group_by) if time_bucket else key or None

    found: dict[str | None, Daily] = {}
    if by_day:
        robots, events = names.index("robots"), names.index("events")
        texts: dict[dt.date, str] = {}
        for day, key, *values in rows:
            if group_by and values[robots] >= values[events]:
                continue
            text = texts.get(day) or texts.setdefault(day, day.isoformat())
            # PUBLISHED are the first of `names`: the row's counts but the events.
            found.setdefault(group_of(day, key), {})[text] = dict(zip(PUBLISHED, values, strict=False))
        return found if group_by or found else {None: {}}
    totals: dict[str | None, dict[str, int]] = {}
    for day, key, *values in rows:
        total = totals.setdefault(group_of(day, key), dict.fromkeys(names, 0))
        for name, value in zip(names, values, strict=True):
            total[name] += value
    if totals:
        _subtract_repeats(session, window, scope, dimension, group_by, totals)
    for group, total in totals.items():
        if group_by and total["robots"] >= total["events"]:
            continue
        found[group] = {None: {name: total[name] for name in PUBLISHED}}
    return found if group_by or found else {None: {None: dict.fromkeys(PUBLISHED, 0)}}


def _subtract_repeats(
    session: Session,
    window: Period,
    scope: Scope,
    dimension: str,
    group_by: GroupBy | None,
    totals: dict[str | None, dict[str, int]],
) -> None:
    """A period's (or time bucket's) distinct sessions: the sum of its days' less each session seen again
    in a group on a day whose previous day in that group is in the same period (or bucket)."""
    repeats = session.execute(
        select(EventSessionRepeat.key, EventSessionRepeat.day, EventSessionRepeat.prev_day).where(
            EventSessionRepeat.scope == scope.rollup_scope,
            EventSessionRepeat.dimension == dimension,
            *_in_window(EventSessionRepeat.day, window),
            EventSessionRepeat.prev_day >= window.start,
        )
    ).all()
    time_bucket = group_by in TIME_BUCKETS
    for key, day, prev_day in repeats:
        if group_by is None:
            group, since = None, window.start
        elif time_bucket:
            group, since = bucket_of(day.isoformat(), group_by), max(window.start, bucket_start(day, group_by))
        else:
            group, since = key or None, window.start
        if prev_day >= since and group in totals:
            totals[group]["sessions"] -= 1


@dataclass(frozen=True)
class FunnelCounts:
    sessions: int
    searched: int | None  # None for one institution: searches are nobody's in particular
    saw_programs: int
    clicked: int
    inquired_or_referred: int


def funnel_counts(
    session: Session, window: Period, scope: Scope, *, by_day: bool = False
) -> dict[str | None, FunnelCounts]:
    """Sessions that reached each step, and every step before it, in the period (the key None) or,
    `by_day`, in each day (a session is counted in each day it acted). For one institution the steps
    are its programs': shown, clicked, asked about or referred to (a search came before)."""
    table: Any
    if scope.institution_id is None:
        table = EventSessionDay
        conditions = _in_window(table.day, window)
        names = ["searched", "shown", "clicked", "converted"]
    else:
        table = EventSessionInstitutionDay
        conditions = [table.institution_id == scope.institution_id, *_in_window(table.day, window)]
        names = ["shown", "clicked", "converted"]
    if by_day:
        parts = [([table.day], [getattr(table, name) for name in names], conditions)]
    elif table is EventSessionDay:  # the sessions seen on one day of the period as they are, the others merged
        parts = [([], [getattr(table, name) for name in names], [*conditions, _alone(window)])]
        steps = _merged(table, conditions, window, {name: func.max(getattr(table, name)) for name in names})
        parts.append(([], steps, []))
    else:  # one institution's: every session's days merged
        steps = _merged(table, conditions, None, {name: func.max(getattr(table, name)) for name in names})
        parts = [([], steps, [])]
    totals: dict[str | None, list[int]] = {}
    for grouped, steps, where in parts:
        reached, running = [], None
        for step in steps:  # a step counts when every step before it was reached too
            running = step if running is None else running * step
            reached.append(func.coalesce(func.sum(running), 0))
        statement = select(*grouped, func.count(), *reached).where(*where).group_by(*grouped)
        for row in session.execute(statement).all():
            when = text_key(row[0]) if grouped else None
            values = [int(value) for value in row[len(grouped) :]]
            total = totals.setdefault(when, [0] * len(values))
            totals[when] = [old + new for old, new in zip(total, values, strict=True)]
    found = {}
    for when, values in totals.items():
        if not values[0]:
            continue
        if scope.institution_id is None:
            sessions, searched, saw, clicked, converted = values
            found[when] = FunnelCounts(sessions, searched, saw, clicked, converted)
        else:
            sessions, saw, clicked, converted = values
            found[when] = FunnelCounts(sessions, None, saw, clicked, converted)
    return found


def _alone(window: Period) -> ColumnElement[bool]:
    """A session's day that is its only day in the period."""
    table = EventSessionDay
    return and_(
        or_(table.prev_day.is_(None), table.prev_day < window.start),
        or_(table.next_day.is_(None), table.next_day > window.end),
    )


def _merged(
    table: Any, conditions: list[ColumnElement[bool]], window: Period | None, measures: dict[str, Any]
) -> list[Any]:
    """Per session over the period, the `measures` of its days (rows of `table` that meet `conditions`): of
    the sessions seen on several days of the period when `window` is given (EventSessionDay), of every
    session otherwise. Their columns, of a subquery."""
    where = list(conditions)
    if window is not None:
        several = or_(table.prev_day.is_not(None), table.next_day.is_not(None))  # the partial index's predicate
        where += [several, ~_alone(window)]
    per_session = (
        select(*(measure.label(name) for name, measure in measures.items()))
        .where(*where)
        .group_by(table.session_id)
        .subquery()
    )
    return [per_session.c[name] for name in measures]


@dataclass(frozen=True)
class DayUsage:
    sessions: int  # sessions with at least one action
    session_seconds: float  # their total duration, first to last event
    bounced: int  # sessions whose only action was a page view or a search


@dataclass(frozen=True)
class UsageCounts:
    days: dict[str | None, DayUsage]  # by day, or the whole period (None)
    visitors: int  # distinct over the whole period
    new_visitors: int


def _seconds(dialect: str, first: Any, last: Any) -> Any:
    if dialect == "postgresql":
        return func.extract("epoch", last - first)
    return (func.julianday(last) - func.julianday(first)) * 86400.0


def usage_counts(session: Session, window: Period, scope: Scope, *, by_day: bool = False) -> UsageCounts:
    """Sessions, their duration and bounces over the period or, `by_day`, in each day (a session is cut
    at midnight); visitors, new and returning, over the whole period. Of everyone's events: an
    institution's key is shown no usage measures (analytics.figures.NOT_AN_INSTITUTIONS)."""
    if scope.institution_id is not None:
        raise ValueError("the usage measures are of everyone's events")
    dialect = session.get_bind().dialect.name
    table = EventSessionDay
    in_window = _in_window(table.day, window)
    days: dict[str | None, DayUsage] = {}
    if by_day:
        rows = session.execute(_usage(dialect, table, [table.day], [*in_window])).all()
        days = {
            text_key(when): DayUsage(int(sessions), float(total or 0), int(count))
            for when, sessions, total, count in rows
        }
    else:  # the sessions seen on one day of the period as they are, the others merged
        merged = _merged(
            table,
            in_window,
            window,
            {
                "first_at": func.min(table.first_at),
                "last_at": func.max(table.last_at),
                "actions": func.sum(table.actions),
                "entries": func.sum(table.entries),
            },
        )
        first_at, last_at, actions, entries = merged
        sessions, total, count = 0, 0.0, 0
        for statement in (
            _usage(dialect, table, [], [*in_window, _alone(window)]),
            _usage(dialect, (first_at, last_at, actions, entries), [], []),
        ):
            found = session.execute(statement).one()
            sessions, total, count = sessions + int(found[0]), total + float(found[1] or 0), count + int(found[2])
        if sessions:
            days = {None: DayUsage(sessions, total, count)}
    # A period's visitors: its rows whose visitor was last seen before it (or never): each visitor's first
    # day in it. Returning: those seen before.
    visitor_days = EventVisitorDay
    first_in_period = or_(visitor_days.prev_day.is_(None), visitor_days.prev_day < window.start)
    visitors, returning = session.execute(
        select(
            func.coalesce(func.sum(case((first_in_period, 1), else_=0)), 0),
            func.coalesce(func.sum(case((visitor_days.prev_day < window.start, 1), else_=0)), 0),
        ).where(*_in_window(visitor_days.day, window))
    ).one()
    return UsageCounts(days, int(visitors), int(visitors) - int(returning))


def _usage(dialect: str, source: Any, grouped: list[Any], where: list[ColumnElement[bool]]) -> Any:
    """Sessions with an action, their total length and bounces, from rows of sessions' days (`source`: the
    table, or the columns first_at, last_at, actions, entries of merged sessions)."""
    first_at, last_at, actions, entries = (
        (source.first_at, source.last_at, source.actions, source.entries) if not isinstance(source, tuple) else source
    )
    bounced = case(((actions == 1) & (entries == 1), 1), else_=0)
    return (
        select(
            *grouped,
            func.count(),
            func.coalesce(func.sum(_seconds(dialect, first_at, last_at)), 0),
            func.coalesce(func.sum(bounced), 0),
        )
        .where(*where, actions >= 1)
        .group_by(*grouped)
    )


@dataclass(frozen=True)
class CountSource:
    """Where the counts come from: the roll-ups (ROLLUPS, what the service reads), or the events
    themselves (analytics.raw_queries.RAW: the reference, and the benchmark's baseline)."""

    count_events: Callable[..., dict[str | None, Daily]]
    funnel_counts: Callable[..., dict[str | None, FunnelCounts]]
    usage_counts: Callable[..., UsageCounts]


ROLLUPS = CountSource(count_events, funnel_counts, usage_counts)
