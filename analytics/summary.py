"""`GET /v1/analytics/summary`: the period's figures, a breakdown, the robots apart, the usage measures,
and optionally a baseline period with the relative change, the arms of an experiment, and the
progress of the analysts' targets."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from analytics.disclosure import DisclosureRule, ratio
from analytics.experiments import ArmComparison, compare_arms, reference_arm
from analytics.figures import NOT_AN_INSTITUTIONS, Figures, group_figures, total_figures, with_change
from analytics.labels import group_labels
from analytics.periods import Period
from analytics.queries import GroupBy, Scope, count_events, usage_counts
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
class Summary:
    current: PeriodFigures
    group_by: GroupBy | None
    rule: DisclosureRule
    baseline: PeriodFigures | None
    experiment: list[ArmComparison] | None
    reference_variant: str | None
    targets: list[TargetProgress]


def summarize(
    session: Session,
    viewer: Viewer,
    current: Period,
    group_by: GroupBy | None = None,
    baseline: Period | None = None,
    reference_variant: str | None = None,
    today: dt.date | None = None,
) -> Summary:
    now, counted = _figures(session, viewer, current, group_by)
    before = _figures(session, viewer, baseline, group_by)[0] if baseline else None
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
        arms = {key: counts for key, counts in counted.items() if key}
        reference = reference_arm(sorted(arms), reference_variant)
        experiment = compare_arms(arms, reference, viewer.rule) if reference else []
    targets = progress_of_targets(session, current, viewer.rule, today) if viewer.sees_targets else []
    return Summary(now, group_by, viewer.rule, before, experiment, reference, targets)


def _figures(
    session: Session, viewer: Viewer, window: Period, group_by: GroupBy | None
) -> tuple[PeriodFigures, dict[str | None, dict[str, int]]]:
    """The published figures of a period, and the exact counts of its groups (for the experiment's intervals)."""
    rule = viewer.rule
    hidden = NOT_AN_INSTITUTIONS if viewer.scope.institution_id is not None else ()
    counted_total = count_events(session, window, viewer.scope)[None]
    total = total_figures(counted_total, rule, hidden)
    groups: list[Figures] = []
    counted: dict[str | None, dict[str, int]] = {}
    if group_by:
        counted = count_events(session, window, viewer.scope, group_by)
        groups = group_figures(counted, rule, group_labels(session, group_by, list(counted)), hidden)
    usage = None if hidden else usage_of(session, window, viewer.scope, rule, counted_total["page_views"])
    return PeriodFigures(window, total, groups, rule.count(counted_total["robots"]), usage), counted


def usage_of(session: Session, window: Period, scope: Scope, rule: DisclosureRule, page_views: int) -> Usage:
    counts = usage_counts(session, window, scope)
    sessions = rule.count(counts.sessions)
    visitors = rule.count(counts.visitors)
    new = rule.count(counts.new_visitors)
    returning = rule.count(counts.visitors - counts.new_visitors)
    return Usage(
        page_views=rule.count(page_views),
        sessions=sessions,
        average_session_seconds=round(counts.session_seconds / counts.sessions, 1)
        if sessions is not None and counts.sessions
        else None,
        bounce_rate=ratio(rule.rounded(counts.bounced), sessions) if sessions is not None else None,
        visitors=visitors,
        new_visitors=new,
        returning_visitors=returning if new is not None else None,
    )
