"""Small-cell rules for published counts (Statistics Canada practice): a count under `min_count` in a
breakdown is suppressed, and so is a second cell when it is the only one suppressed, so that it
cannot be recovered by subtracting the others from the total; every published count is rounded to
a multiple of `round_to`. Admin keys see exact counts. Pure functions."""

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class DisclosureRule:
    exact: bool
    min_count: int = 10
    round_to: int = 5

    @property
    def name(self) -> str:
        if self.exact:
            return "exact"
        return f"suppressed-under-{self.min_count}-rounded-to-{self.round_to}"

    @property
    def description(self) -> str:
        if self.exact:
            return "Exact counts (admin key)."
        return (
            f"Counts from 1 to {self.min_count - 1} in a breakdown are suppressed (null), with a second cell "
            f"where needed so that none can be recovered from the total; published counts are rounded to a "
            f"multiple of {self.round_to}; rates are computed from the published counts."
        )

    def rounded(self, value: int) -> int:
        if self.exact or self.round_to <= 1:
            return value
        return int((value + self.round_to / 2) // self.round_to) * self.round_to

    def is_small(self, value: int) -> bool:
        return not self.exact and 0 < value < self.min_count

    def count(self, value: int) -> int | None:
        """A single published count: suppressed when small, else rounded."""
        return None if self.is_small(value) else self.rounded(value)


def publish_column(values: Sequence[int], rule: DisclosureRule) -> list[int | None]:
    """One measure across the cells of a breakdown (whose total is published apart)."""
    if rule.exact:
        return list(values)
    hidden = {index for index, value in enumerate(values) if rule.is_small(value)}
    if len(hidden) == 1:
        others = [(value, index) for index, value in enumerate(values) if index not in hidden and value > 0]
        if others:
            hidden.add(min(others)[1])
    return [None if index in hidden else rule.rounded(value) for index, value in enumerate(values)]


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, 4)


def relative_change(current: float | None, baseline: float | None) -> float | None:
    """+0.32 for 32% more than the baseline; None when there is no baseline to compare with."""
    if current is None or baseline is None or baseline == 0:
        return None
    return round((current - baseline) / baseline, 4)
