"""The analytics domain's answers as response schemas, and as CSV rows."""

from typing import Any

from analytics.disclosure import DisclosureRule
from analytics.experiments import ArmComparison
from analytics.figures import Figures
from analytics.funnel import FunnelStep
from analytics.periods import Period
from analytics.summary import PeriodFigures, PurgeNote, Summary, Usage
from analytics.targets import TargetProgress
from service.api.analytics.schemas import (
    ArmOut,
    DifferenceOut,
    DisclosureOut,
    ExperimentOut,
    FiguresOut,
    FunnelOut,
    FunnelStepOut,
    PeriodFiguresOut,
    PeriodOut,
    SummaryOut,
    TargetOut,
    UsageOut,
)

FIGURE_COLUMNS = [
    "page_views",
    "searches",
    "impressions",
    "clicks",
    "ctr",
    "inquiries",
    "referrals",
    "referral_rate",
    "feedback",
    "helpful",
    "helpful_share",
    "sessions",
]


def period_out(window: Period) -> PeriodOut:
    return PeriodOut.model_validate({"from": window.start, "to": window.end})


def disclosure_out(rule: DisclosureRule) -> DisclosureOut:
    return DisclosureOut(
        rule=rule.name,
        description=rule.description,
        min_count=None if rule.exact else rule.min_count,
        round_to=None if rule.exact else rule.round_to,
    )


def figures_out(figures: Figures) -> FiguresOut:
    return FiguresOut(key=figures.key, label=figures.label, **figures.counts, **figures.rates, change=figures.change)


def usage_out(usage: Usage | None) -> UsageOut | None:
    return None if usage is None else UsageOut.model_validate(usage, from_attributes=True)


def period_figures_out(figures: PeriodFigures) -> PeriodFiguresOut:
    return PeriodFiguresOut(
        period=period_out(figures.period),
        totals=figures_out(figures.total),
        groups=[figures_out(row) for row in figures.groups],
        robot_events=figures.robot_events,
        usage=usage_out(figures.usage),
    )


def arm_out(arm: ArmComparison) -> ArmOut:
    return ArmOut(
        variant=arm.variant,
        reference=arm.reference,
        differences=[
            DifferenceOut(
                rate="ctr" if difference.rate == "ctr" else "referral_rate",
                difference=difference.difference,
                ci_low=difference.low,
                ci_high=difference.high,
                significant=difference.significant,
            )
            for difference in arm.differences
        ],
        note=arm.note,
    )


def target_out(progress: TargetProgress) -> TargetOut:
    target = progress.target
    return TargetOut(
        id=target.id,
        measure=target.measure,
        label=target.label,
        period=period_out(Period(target.period_from, target.period_to)),
        baseline_period=period_out(Period(target.baseline_from, target.baseline_to))
        if target.baseline_from and target.baseline_to
        else None,
        change=target.change,
        value=target.value,
        so_far=period_out(progress.so_far) if progress.so_far else None,
        actual=progress.actual,
        baseline=progress.baseline,
        goal=progress.goal,
        change_so_far=progress.change,
        progress=progress.progress,
        on_track=progress.on_track,
    )


def summary_out(summary: Summary) -> SummaryOut:
    return SummaryOut(
        group_by=summary.group_by,
        disclosure=disclosure_out(summary.rule),
        current=period_figures_out(summary.current),
        baseline=period_figures_out(summary.baseline) if summary.baseline else None,
        experiment=None
        if summary.experiment is None
        else ExperimentOut(
            reference_variant=summary.reference_variant, arms=[arm_out(arm) for arm in summary.experiment]
        ),
        targets=[target_out(progress) for progress in summary.targets],
        purges=summary.purges,
    )


def figures_rows(answer: SummaryOut) -> list[dict[str, Any]]:
    """CSV rows: the totals, then each group, of the current period, then of the baseline."""
    rows = []
    for name, figures in (("current", answer.current), ("baseline", answer.baseline)):
        if figures is None:
            continue
        for row in [figures.totals, *figures.groups]:
            values = row.model_dump(exclude={"change"})
            values["period"] = name
            values["key"] = "total" if row is figures.totals else row.key
            values.update({f"change_{measure}": change for measure, change in (row.change or {}).items()})
            rows.append(values)
    return rows


def funnel_out(window: Period, steps: list[FunnelStep], rule: DisclosureRule, purges: list[PurgeNote]) -> FunnelOut:
    return FunnelOut(
        disclosure=disclosure_out(rule),
        period=period_out(window),
        steps=[FunnelStepOut.model_validate(step, from_attributes=True) for step in steps],
        purges=purges,
    )
