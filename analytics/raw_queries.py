"""The counts behind every figure computed from the events themselves, as the analytics did before the
daily roll-ups (analytics.rollups): the reference the roll-ups are tested against (they must give the same
numbers), and the benchmark's baseline. The service reads analytics.queries."""

from typing import Any

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from analytics.periods import Period
from analytics.queries import (
    ACTIONS,
    COUNTS,
    ENTRIES,
    TIME_BUCKETS,
    TYPE_MEASURES,
    CountSource,
    Daily,
    DayUsage,
    FunnelCounts,
    GroupBy,
    Scope,
    UsageCounts,
    bucket_of,
    text_key,
)
from models.events import Event


def _filters(window: Period, scope: Scope, robots: bool = False) -> list[ColumnElement[bool]]:
    """The period's events (a person's only, unless `robots`), of everyone or of one institution."""
    conditions = [Event.occurred_at >= window.begins, Event.occurred_at < window.ends]
    if not robots:
        conditions.append(Event.robot.is_(False))
    if scope.institution_id is not None:
        conditions.append(Event.institution_id == scope.institution_id)
    return conditions


def _time_bucket(dialect: str, group_by: str) -> Any:
    """A day, a week (its Monday) or a month of the UTC timestamp, as ISO text."""
    column = Event.occurred_at
    if dialect == "postgresql":
        utc = func.timezone("UTC", column)
        formats = {
            "day": (utc, "YYYY-MM-DD"),
            "week": (func.date_trunc("week", utc), "YYYY-MM-DD"),
            "month": (utc, "YYYY-MM"),
        }
        value, text_format = formats[group_by]
        return func.to_char(value, text_format)
    return {
        "day": func.strftime("%Y-%m-%d", column),
        "week": func.date(column, "weekday 0", "-6 days"),
        "month": func.strftime("%Y-%m", column),
    }[group_by]


def group_key(dialect: str, group_by: GroupBy) -> Any:
    """The SQL expression of a group: a time bucket or a dimension."""
    if group_by in ("day", "week", "month"):
        return _time_bucket(dialect, group_by)
    return {
        "institution": Event.institution_id,
        "course": Event.course_key,
        "occupation": Event.noc_code,
        "teer": func.substr(Event.noc_code, 2, 1),
        "region": Event.region,
        "lang": Event.lang,
        "variant": Event.variant,
        "portal": Event.portal_id,
    }[group_by]


def count_events(
    session: Session, window: Period, scope: Scope, group_by: GroupBy | None = None, *, by_day: bool = False
) -> dict[str | None, Daily]:
    """Counts per group (the key None: the whole period when not grouped, or events without the
    dimension), of the whole period or, `by_day`, of each day; robots are left out of every measure but
    `robots`, and a group of robots' events only is left out."""
    human = Event.robot.is_(False)

    def counted(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    measures = [
        counted(and_(human, Event.type == event_type)).label(name) for name, event_type in TYPE_MEASURES.items()
    ]
    measures.append(counted(and_(human, Event.type == "feedback", Event.helpful.is_(True))).label("helpful"))
    measures.append(func.count(distinct(case((human, Event.session_id)))).label("sessions"))
    measures.append(counted(Event.robot.is_(True)).label("robots"))
    measures.append(func.count().label("events"))
    dialect = session.get_bind().dialect.name
    day = _time_bucket(dialect, "day") if by_day else None
    # By day, a time bucket is made of days: its cells are the days'.
    dimension = group_key(dialect, group_by) if group_by and not (by_day and group_by in TIME_BUCKETS) else None
    grouped = [column for column in (day, dimension) if column is not None]
    statement = select(
        (day if day is not None else literal(None)).label("day"),
        (dimension if dimension is not None else literal(None)).label("key"),
        *measures,
    ).where(*_filters(window, scope, robots=True))
    if grouped:
        statement = statement.group_by(*grouped)
    found: dict[str | None, Daily] = {}
    for row in session.execute(statement).mappings():
        if group_by and row["robots"] >= row["events"]:
            continue
        when = text_key(row["day"])
        key = bucket_of(when, group_by) if dimension is None and group_by and when else text_key(row["key"])
        found.setdefault(key, {})[when] = {name: int(row[name] or 0) for name in (*COUNTS, "robots")}
    if not group_by and not found:
        found = {None: {}}
    return found


def funnel_counts(
    session: Session, window: Period, scope: Scope, *, by_day: bool = False
) -> dict[str | None, FunnelCounts]:
    """Sessions that reached each step, and every step before it, in the period (the key None) or,
    `by_day`, in each day (a session is counted in each day it acted). For one institution the steps
    are its programs': shown, clicked, asked about or referred to (a search came before)."""

    def reached(*types: str) -> Any:
        return func.max(case((Event.type.in_(types), 1), else_=0))

    day = _time_bucket(session.get_bind().dialect.name, "day") if by_day else literal(None)
    searched = reached("search") if scope.institution_id is None else literal(1)
    per_session = (
        select(
            day.label("day"),
            searched.label("searched"),
            (searched * reached("impression")).label("saw"),
            (searched * reached("impression") * reached("click")).label("clicked"),
            (searched * reached("impression") * reached("click") * reached("inquiry", "referral")).label("converted"),
        )
        .where(*_filters(window, scope), Event.session_id.is_not(None))
        .group_by(Event.session_id, *([day] if by_day else []))
        .subquery()
    )
    rows = session.execute(
        select(
            per_session.c.day,
            func.count(),
            func.coalesce(func.sum(per_session.c.searched), 0),
            func.coalesce(func.sum(per_session.c.saw), 0),
            func.coalesce(func.sum(per_session.c.clicked), 0),
            func.coalesce(func.sum(per_session.c.converted), 0),
        ).group_by(per_session.c.day)
    ).all()
    found = {}
    for when, *values in rows:
        sessions, searched_count, saw, clicked, converted = (int(value) for value in values)
        searched_or_none = searched_count if scope.institution_id is None else None
        found[text_key(when)] = FunnelCounts(sessions, searched_or_none, saw, clicked, converted)
    return found


def usage_counts(session: Session, window: Period, scope: Scope, *, by_day: bool = False) -> UsageCounts:
    """Sessions, their duration and bounces over the period or, `by_day`, in each day (a session is cut
    at midnight); visitors, new and returning, over the whole period."""
    dialect = session.get_bind().dialect.name
    first, last = func.min(Event.occurred_at), func.max(Event.occurred_at)
    seconds = (
        func.extract("epoch", last - first)
        if dialect == "postgresql"
        else (func.julianday(last) - func.julianday(first)) * 86400.0
    )
    actions = func.sum(case((Event.type.in_(ACTIONS), 1), else_=0))
    entries = func.sum(case((Event.type.in_(ENTRIES), 1), else_=0))
    day = _time_bucket(dialect, "day") if by_day else literal(None)
    per_session = (
        select(day.label("day"), seconds.label("seconds"), actions.label("actions"), entries.label("entries"))
        .where(*_filters(window, scope), Event.session_id.is_not(None))
        .group_by(Event.session_id, *([day] if by_day else []))
        .subquery()
    )
    rows = session.execute(
        select(
            per_session.c.day,
            func.count(),
            func.coalesce(func.sum(per_session.c.seconds), 0),
            func.coalesce(
                func.sum(case((and_(per_session.c.actions == 1, per_session.c.entries == 1), 1), else_=0)), 0
            ),
        )
        .where(per_session.c.actions >= 1)
        .group_by(per_session.c.day)
    ).all()
    days = {
        text_key(when): DayUsage(int(sessions), float(total or 0), int(bounced))
        for when, sessions, total, bounced in rows
    }
    visitors_in_period = (
        select(Event.visitor_id).where(*_filters(window, scope), Event.visitor_id.is_not(None)).distinct().subquery()
    )
    earlier = aliased(Event)
    seen_before = (
        exists()
        .where(
            earlier.visitor_id == visitors_in_period.c.visitor_id,
            earlier.occurred_at < window.begins,
            earlier.robot.is_(False),
        )
        .correlate(visitors_in_period)
    )
    visitors, returning = session.execute(
        select(func.count(), func.coalesce(func.sum(case((seen_before, 1), else_=0)), 0)).select_from(
            visitors_in_period
        )
    ).one()
    return UsageCounts(days, int(visitors), int(visitors) - int(returning))


RAW = CountSource(count_events, funnel_counts, usage_counts)
