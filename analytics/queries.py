"""The counts behind every figure, aggregated by the database: events by type, unique sessions,
robots apart, over a period, grouped by a time bucket or a dimension, for everyone or one
institution."""

import datetime as dt
from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, and_, case, distinct, exists, func, literal, select
from sqlalchemy.orm import Session, aliased

from analytics.periods import Period
from models.events import Event

GroupBy = Literal["day", "week", "month", "institution", "course", "occupation", "teer", "region", "lang", "variant"]
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
    }[group_by]


def count_events(
    session: Session, window: Period, scope: Scope, group_by: GroupBy | None = None
) -> dict[str | None, dict[str, int]]:
    """Counts per group, robots left out of every measure but `robots` (the key None: the whole period
    when not grouped, or events without the dimension). A group of robots' events only is left out."""
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
    key = group_key(session.get_bind().dialect.name, group_by) if group_by else literal(None)
    statement = select(key.label("key"), *measures).where(*_filters(window, scope, robots=True))
    if group_by:
        statement = statement.group_by(key)
    found = {
        _key(row["key"]): {name: int(row[name] or 0) for name in (*COUNTS, "robots")}
        for row in session.execute(statement).mappings()
        if not group_by or row["robots"] < row["events"]
    }
    if not group_by and not found:
        found = {None: dict.fromkeys((*COUNTS, "robots"), 0)}
    return found


def _key(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


@dataclass(frozen=True)
class FunnelCounts:
    sessions: int
    searched: int | None  # None for one institution: searches are nobody's in particular
    saw_programs: int
    clicked: int
    inquired_or_referred: int


def funnel_counts(session: Session, window: Period, scope: Scope) -> FunnelCounts:
    """Sessions that reached each step, and every step before it, in the period. For one institution
    the steps are its programs': shown, clicked, asked about or referred to (a search came before)."""

    def reached(*types: str) -> Any:
        return func.max(case((Event.type.in_(types), 1), else_=0))

    searched = reached("search") if scope.institution_id is None else literal(1)
    per_session = (
        select(
            searched.label("searched"),
            (searched * reached("impression")).label("saw"),
            (searched * reached("impression") * reached("click")).label("clicked"),
            (searched * reached("impression") * reached("click") * reached("inquiry", "referral")).label("converted"),
        )
        .where(*_filters(window, scope), Event.session_id.is_not(None))
        .group_by(Event.session_id)
        .subquery()
    )
    row = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_session.c.searched), 0),
            func.coalesce(func.sum(per_session.c.saw), 0),
            func.coalesce(func.sum(per_session.c.clicked), 0),
            func.coalesce(func.sum(per_session.c.converted), 0),
        )
    ).one()
    sessions, searched_count, saw, clicked, converted = (int(value) for value in row)
    return FunnelCounts(sessions, searched_count if scope.institution_id is None else None, saw, clicked, converted)


@dataclass(frozen=True)
class UsageCounts:
    sessions: int  # sessions with at least one action
    session_seconds: float  # their total duration, first to last event
    bounced: int  # sessions whose only action was a page view or a search
    visitors: int
    new_visitors: int


def usage_counts(session: Session, window: Period, scope: Scope) -> UsageCounts:
    dialect = session.get_bind().dialect.name
    first, last = func.min(Event.occurred_at), func.max(Event.occurred_at)
    seconds = (
        func.extract("epoch", last - first)
        if dialect == "postgresql"
        else (func.julianday(last) - func.julianday(first)) * 86400.0
    )
    actions = func.sum(case((Event.type.in_(ACTIONS), 1), else_=0))
    entries = func.sum(case((Event.type.in_(ENTRIES), 1), else_=0))
    per_session = (
        select(seconds.label("seconds"), actions.label("actions"), entries.label("entries"))
        .where(*_filters(window, scope), Event.session_id.is_not(None))
        .group_by(Event.session_id)
        .subquery()
    )
    sessions, total_seconds, bounced = session.execute(
        select(
            func.count(),
            func.coalesce(func.sum(per_session.c.seconds), 0),
            func.coalesce(
                func.sum(case((and_(per_session.c.actions == 1, per_session.c.entries == 1), 1), else_=0)), 0
            ),
        ).where(per_session.c.actions >= 1)
    ).one()
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
    return UsageCounts(
        sessions=int(sessions),
        session_seconds=float(total_seconds or 0),
        bounced=int(bounced),
        visitors=int(visitors),
        new_visitors=int(visitors) - int(returning),
    )
