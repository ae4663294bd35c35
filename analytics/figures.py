"""Counts turned into published figures as the viewer's rule says (see analytics.disclosure), with the
rates computed from what is published."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.disclosure import DisclosureRule, Filters, ratio, relative_change
from analytics.queries import COUNTS, TIME_BUCKETS, Daily, Scope

RATES = {
    "ctr": ("clicks", "impressions"),
    "referral_rate": ("referrals", "impressions"),
    "helpful_share": ("helpful", "feedback"),
}
# Measures an institution's key does not see: they are not about its programs.
NOT_AN_INSTITUTIONS = ("page_views", "searches", "sessions")


@dataclass(frozen=True)
class Figures:
    key: str | None
    label: str | None
    counts: dict[str, int | None]
    rates: dict[str, float | None]
    change: dict[str, float | None] | None = None  # relative to the baseline period, when compared

    def value(self, measure: str) -> float | None:
        return self.rates[measure] if measure in self.rates else self.counts.get(measure)


def with_rates(counts: dict[str, int | None]) -> dict[str, float | None]:
    return {name: ratio(counts[top], counts[bottom]) for name, (top, bottom) in RATES.items()}


def scope_filters(scope: Scope) -> Filters:
    return (("institution", str(scope.institution_id)),) if scope.institution_id is not None else ()


def published_counts(
    daily: Daily, rule: DisclosureRule, filters: Filters, hidden: Sequence[str] = ()
) -> dict[str, int | None]:
    """Each measure of one cell over its days, as published."""
    return {
        name: None
        if name in hidden
        else rule.published(name, {day: counts[name] for day, counts in daily.items()}, filters)
        for name in COUNTS
    }


def total_figures(daily: Daily, rule: DisclosureRule, filters: Filters, hidden: Sequence[str] = ()) -> Figures:
    published = published_counts(daily, rule, filters, hidden)
    return Figures(None, None, published, with_rates(published))


def group_figures(
    groups: Mapping[str | None, Daily],
    rule: DisclosureRule,
    labels: Mapping[str, str],
    group_by: str,
    filters: Filters,
    hidden: Sequence[str] = (),
) -> list[Figures]:
    """One row per group, largest first by published impressions then searches (a suppressed count
    sorts as 0), then by key. A time bucket's cells are its days'; another group's are its own."""
    rows = []
    for key in sorted(groups, key=lambda key: key or ""):
        own = filters if group_by in TIME_BUCKETS else (*filters, (group_by, key or "none"))
        counts = published_counts(groups[key], rule, own, hidden)
        rows.append(Figures(key, labels.get(key) if key is not None else None, counts, with_rates(counts)))
    return sorted(rows, key=lambda row: (-(row.counts["impressions"] or 0), -(row.counts["searches"] or 0)))


def with_change(current: Figures, baseline: Figures | None) -> Figures:
    measures = [*COUNTS, *RATES]
    change = {
        measure: relative_change(current.value(measure), baseline.value(measure) if baseline else None)
        for measure in measures
    }
    return Figures(current.key, current.label, current.counts, current.rates, change)
