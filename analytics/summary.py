"""`GET /v1/analytics/summary`: the period's figures, a breakdown, the robots apart, the usage measures,
and optionally a baseline period with the relative change, the arms of an experiment, and the
progress of the analysts' targets."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analytics.disclosure import DisclosureRule, Filters, ratio
from analytics.experiments import ArmComparison, compare_arms, reference_arm
from analytics.figures import NOT_AN_INSTITUTIONS, Figures, group_figures, scope_filters, total_figures, with_change
from analytics.labels import group_labels
from analytics.periods import Period
from analytics.queries import ROLLUPS, CountSource, GroupBy, Scope, UsageCounts
from analytics.retention import purges_touching
from analytics.targets import TargetProgress, progress_of_targets


@dataclass(frozen=True)
class Viewer:
    """Who reads the figures: the rows they may see and the disclosure rule for them."""

    scope: Scope
    rule: DisclosureRule
    sees_targets: bool


@dataclass(frozen=True)
class Usage:
    page_views: int | None
    sessions: int | None
    session_minutes: float | None  # total duration of the sessions, as published
    average_session_seconds: float | None
    bounce_rate: float | None
    visitors: int | None
    new_visitors: int | None
    returning_visitors: int | None


@dataclass(frozen=True)
class PeriodFigures:
    period: Period
    total: Figures
    groups: list[Figures]
    robot_events: int | None
    usage: Usage | None


@dataclass(frozen=True)
class PurgeNote:
    """An operator's purge of events that touched the period: what it named, and how many events it
    deleted (published as counts are; for an institution's key, only of a purge of its own programs)."""

    purged_at: dt.datetime
    occurred_from: dt.datetime | None
    occurred_before: dt.datetime | None
    portal_id: int | None
    institution_id: int | None
    variant: str | None
    events: int | None


def purge_notes(session: Session, viewer: Viewer, *windows: Period) -> list[PurgeNote]:
    """The purges touching any of the periods."""
    seen: dict[int, PurgeNote] = {}
    own = viewer.scope.institution_id
    for window in windows:
        for purge in purges_touching(session, window):
            shown = own is None or purge.institution_id == own
            seen[purge.id] = PurgeNote(
                purge.purged_at,
                purge.occurred_from,
                purge.occurred_before,
                purge.portal_id,
                purge.institution_id,
                purge.variant,
                viewer.rule.published("purged_events", {None: purge.events}, (("purge", str(purge.id)),))
                if shown
                else None,
            )
    return [seen[key] for key in sorted(seen)]


@dataclass(frozen=True)
class Summary:
    current: PeriodFigures
    group_by: GroupBy | None
    rule: DisclosureRule
    baseline: PeriodFigures | None
    experiment: list[ArmComparison] | None
    reference_variant: str | None
    targets: list[TargetProgress]
    purges: list[PurgeNote]


def summarize(
    session: Session,
    viewer: Viewer,
    current: Period,
    group_by: GroupBy | None = None,
    baseline: Period | None = None,
    reference_variant: str | None = None,
    today: dt.date | None = None,
    source: CountSource = ROLLUPS,
) -> Summary:
    now = _figures(session, viewer, current, group_by, source)
    before = _figures(session, viewer, baseline, group_by, source) if baseline else None
    if before is not None:
        by_key = {row.key: row for row in before.groups}
        now = PeriodFigures(
            now.period,
            with_change(now.total, before.total),
            [with_change(row, by_key.get(row.key)) for row in now.groups],
            now.robot_events,
            now.usage,
        )
    experiment, reference = None, None
    if group_by == "variant":
        arms = {row.key: row for row in now.groups if row.key}
        reference = reference_arm(sorted(arms), reference_variant)
        experiment = compare_arms(arms, reference) if reference else []
    targets = progress_of_targets(session, current, viewer.rule, today, source) if viewer.sees_targets else []
    purges = purge_notes(session, viewer, current, *([baseline] if baseline else []))
    return Summary(now, group_by, viewer.rule, before, experiment, reference, targets, purges)


def _figures(
    session: Session, viewer: Viewer, window: Period, group_by: GroupBy | None, source: CountSource
) -> PeriodFigures:
    """The published figures of a period: from the whole period's counts for an admin, from the day
    cells for the others (see analytics.disclosure)."""
    rule = viewer.rule
    by_day = not rule.exact
    filters = scope_filters(viewer.scope)
    hidden = NOT_AN_INSTITUTIONS if viewer.scope.institution_id is not None else ()
    daily = source.count_events(session, window, viewer.scope, by_day=by_day)[None]
    total = total_figures(daily, rule, filters, hidden)
    groups: list[Figures] = []
    if group_by:
        counted = source.count_events(session, window, viewer.scope, group_by, by_day=by_day)
        groups = group_figures(counted, rule, group_labels(session, group_by, list(counted)), group_by, filters, hidden)
    usage = (
        None
        if hidden
        else published_usage(
            source.usage_counts(session, window, viewer.scope, by_day=by_day), total.counts["page_views"], rule, filters
        )
    )
    robots = rule.published("robots", {day: counts["robots"] for day, counts in daily.items()}, filters)
    return PeriodFigures(window, total, groups, robots, usage)


def published_usage(counts: UsageCounts, page_views: int | None, rule: DisclosureRule, filters: Filters) -> Usage:
    """The usage measures from published counts: sessions, their duration and bounces from the day
    cells; the average session from the published duration and sessions, the bounce rate from the
    published bounces; each withheld when what it needs is suppressed (the duration with the sessions).
    Visitors are distinct over the period: each is a cell of its own."""
    days = counts.days
    sessions = rule.published("usage_sessions", {day: usage.sessions for day, usage in days.items()}, filters)
    minutes = (
        None
        if sessions is None
        else rule.duration_minutes({day: usage.session_seconds / 60 for day, usage in days.items()}, filters)
    )
    bounced = rule.published("bounced", {day: usage.bounced for day, usage in days.items()}, filters)
    return Usage(
        page_views=page_views,
        sessions=sessions,
        session_minutes=minutes,
        average_session_seconds=None if minutes is None or not sessions else round(minutes * 60 / sessions, 1),
        bounce_rate=ratio(bounced, sessions),
        visitors=rule.published("visitors", {None: counts.visitors}, filters),
        new_visitors=rule.published("new_visitors", {None: counts.new_visitors}, filters),
        returning_visitors=rule.published("returning_visitors", {None: counts.visitors - counts.new_visitors}, filters),
    )
