"""Counts turned into published figures: suppressed and rounded as the viewer's rule says, with the
rates computed from what is published."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from analytics.disclosure import DisclosureRule, publish_column, ratio, relative_change
from analytics.queries import COUNTS

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


def total_figures(counts: Mapping[str, int], rule: DisclosureRule, hidden: Sequence[str] = ()) -> Figures:
    published = {name: None if name in hidden else rule.count(counts[name]) for name in COUNTS}
    return Figures(None, None, published, with_rates(published))


def group_figures(
    groups: Mapping[str | None, Mapping[str, int]],
    rule: DisclosureRule,
    labels: Mapping[str, str],
    hidden: Sequence[str] = (),
) -> list[Figures]:
    """One row per group, largest first by impressions then searches; each measure suppressed as a column."""
    keys = sorted(groups, key=lambda key: (-groups[key]["impressions"], -groups[key]["searches"], key or ""))
    columns = {
        name: [None] * len(keys) if name in hidden else publish_column([groups[key][name] for key in keys], rule)
        for name in COUNTS
    }
    rows = []
    for position, key in enumerate(keys):
        counts = {name: columns[name][position] for name in COUNTS}
        rows.append(Figures(key, labels.get(key) if key is not None else None, counts, with_rates(counts)))
    return rows


def with_change(current: Figures, baseline: Figures | None) -> Figures:
    measures = [*COUNTS, *RATES]
    change = {
        measure: relative_change(current.value(measure), baseline.value(measure) if baseline else None)
        for measure in measures
    }
    return Figures(current.key, current.label, current.counts, current.rates, change)
