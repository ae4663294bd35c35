"""Targets analysts set ("+20% clicks to institutions against the same months last year", or an
absolute figure), and the progress made: the period so far against the same stretch of the baseline."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics import periods
from analytics.disclosure import DisclosureRule, relative_change
from analytics.exceptions import InvalidTarget, UnknownTarget
from analytics.figures import RATES, total_figures
from analytics.periods import Period, same_days_a_year_before
from analytics.queries import COUNTS, ROLLUPS, CountSource, Scope
from models.events import AnalyticsTarget

MEASURES = tuple(name for name in (*COUNTS, *RATES) if name != "helpful")


@dataclass(frozen=True)
class TargetProgress:
    target: AnalyticsTarget
    so_far: Period | None  # the part of the period already past; None before it starts
    actual: float | None
    baseline: float | None  # the baseline over the same stretch
    goal: float | None  # what the actual should reach by now
    change: float | None  # actual against the baseline
    progress: float | None  # actual / goal
    on_track: bool | None


def create_target(
    session: Session,
    measure: str,
    period: Period,
    *,
    change: float | None = None,
    value: float | None = None,
    baseline_from: dt.date | None = None,
    baseline_to: dt.date | None = None,
    label: str | None = None,
) -> AnalyticsTarget:
    """A target for `measure` over `period`: `change` against a baseline period (by default the same days a
    year before), or an absolute `value`. Committed."""
    if (baseline_from is None) != (baseline_to is None):
        raise InvalidTarget("Give both baseline_from and baseline_to, or neither.")
    baseline = periods.period(baseline_from, baseline_to) if baseline_from and baseline_to else None
    if measure not in MEASURES:
        raise InvalidTarget(f"{measure!r} is not a measure; use one of {', '.join(MEASURES)}.")
    if (change is None) == (value is None):
        raise InvalidTarget("Give either `change` (relative to a baseline period) or `value` (an absolute goal).")
    if change is not None and baseline is None:
        baseline = same_days_a_year_before(period)
    target = AnalyticsTarget(
        measure=measure,
        period_from=period.start,
        period_to=period.end,
        baseline_from=baseline.start if baseline and change is not None else None,
        baseline_to=baseline.end if baseline and change is not None else None,
        change=change,
        value=value,
        label=label,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(target)
    session.commit()
    return target


def list_targets(session: Session) -> list[AnalyticsTarget]:
    return list(session.scalars(select(AnalyticsTarget).order_by(AnalyticsTarget.period_from, AnalyticsTarget.id)))


def delete_target(session: Session, target_id: int) -> None:
    target = session.get(AnalyticsTarget, target_id)
    if target is None:
        raise UnknownTarget(target_id)
    session.delete(target)
    session.commit()


def progress_of(
    session: Session,
    target: AnalyticsTarget,
    rule: DisclosureRule,
    today: dt.date | None = None,
    source: CountSource = ROLLUPS,
) -> TargetProgress:
    today = today or dt.datetime.now(dt.UTC).date()
    if today < target.period_from:
        return TargetProgress(target, None, None, None, None, None, None, None)
    so_far = Period(target.period_from, min(today, target.period_to))
    actual = _measure(session, so_far, target.measure, rule, source)
    baseline = goal = None
    if target.change is not None and target.baseline_from is not None:
        stretch = Period(target.baseline_from, target.baseline_from + (so_far.end - so_far.start))
        baseline = _measure(session, stretch, target.measure, rule, source)
        goal = None if baseline is None else round(baseline * (1 + target.change), 4)
    elif target.value is not None:
        # An absolute count is reached over the whole period: the goal so far is its share of the days.
        share = so_far.days / Period(target.period_from, target.period_to).days
        goal = target.value if target.measure in RATES else round(target.value * share, 2)
    progress = None if actual is None or not goal else round(actual / goal, 4)
    return TargetProgress(
        target,
        so_far,
        actual,
        baseline,
        goal,
        relative_change(actual, baseline),
        progress,
        None if actual is None or goal is None else actual >= goal,
    )


def progress_of_targets(
    session: Session,
    window: Period,
    rule: DisclosureRule,
    today: dt.date | None = None,
    source: CountSource = ROLLUPS,
) -> list[TargetProgress]:
    """Progress of the targets whose period overlaps the window."""
    return [
        progress_of(session, target, rule, today, source)
        for target in list_targets(session)
        if target.period_from <= window.end and target.period_to >= window.start
    ]


def _measure(session: Session, window: Period, measure: str, rule: DisclosureRule, source: CountSource) -> float | None:
    figures = total_figures(source.count_events(session, window, Scope(), by_day=not rule.exact)[None], rule, ())
    return figures.value(measure)
