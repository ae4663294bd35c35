"""Small-cell rules for published counts. Admin keys see exact counts. For analyst and institution keys:

- every count is built from *cells* of one day: the count of one measure, on one UTC day, of the events
  a breakdown's group and the reader's scope select (a program's clicks on 3 December);
- each cell is randomly rounded to a multiple of `round_to` (Statistics Canada's practice): 13 is 10
  two times in five and 15 three times in five, so a rounded count is as often above the count as
  below and sums stay unbiased. The draw is fixed by a keyed hash of the cell and its count, so the
  same data always gives the same figure (asking again teaches nothing), and the key is the
  service's secret (nobody can tell which counts would round to what they see);
- a period's count is the sum of its days' rounded cells, and a sum from 1 to `min_count - 1` is
  suppressed (null). Every period is thus a function of the same day cells: overlapping periods,
  breakdowns and comparisons add nothing to what the day cells say, and a day cell says only that its
  count is within `round_to - 1` of its rounded value;
- rates, changes, differences and their intervals, averages and shares are computed from the published
  counts only, and withheld (null) when one they need is suppressed.

Distinct counts that do not add up over days (a period's visitors) are rounded as cells of the whole
period. Pure functions."""

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass

Filters = tuple[tuple[str, str], ...]  # what selects a cell's events besides its day: ("institution", "3")…


@dataclass(frozen=True)
class DisclosureRule:
    exact: bool
    min_count: int = 10
    round_to: int = 5
    key: bytes = b""  # the service's secret that fixes each cell's draw

    @property
    def name(self) -> str:
        if self.exact:
            return "exact"
        return f"daily-cells-randomly-rounded-to-{self.round_to}-suppressed-under-{self.min_count}"

    @property
    def description(self) -> str:
        if self.exact:
            return "Exact counts (admin key)."
        return (
            f"Each day's count of each cell is randomly rounded to a multiple of {self.round_to} (the same data "
            f"always gives the same figure); a period's count is the sum of its days', and a sum from 1 to "
            f"{self.min_count - 1} is suppressed (null). Rates, changes, differences and their intervals, averages "
            "and shares are computed from the published counts only, and withheld (null) when one they need is "
            "suppressed."
        )

    def rounded(self, value: int, cell: str) -> int:
        """`value` randomly rounded to a multiple of `round_to`: up with probability remainder / round_to,
        the draw fixed by the cell and the value."""
        if self.exact or self.round_to <= 1:
            return value
        base, remainder = divmod(value, self.round_to)
        if remainder == 0:
            return value
        digest = hmac.digest(self.key, f"{cell}|{value}".encode(), "sha256")  # hmac.new(…).digest(), faster
        draw = int.from_bytes(digest[:8], "big") / 2**64
        return (base + (draw < remainder / self.round_to)) * self.round_to

    def rounded_sum(self, measure: str, by_day: Mapping[str | None, int], filters: Filters = ()) -> int:
        """The sum of the days' rounded cells (exact: the sum of the counts). Each cell is named as
        `cell_name` names it, the part that does not change with the day made once."""
        if self.exact or self.round_to <= 1:
            return sum(by_day.values())
        head, tail = f"{measure}|", _filters_text(filters)
        tail = f"|{tail}" if tail else ""
        step, key, total = self.round_to, self.key, 0
        for day, value in by_day.items():  # `rounded` of each cell, inline: a breakdown has many thousands
            base, remainder = divmod(value, step)
            if remainder:
                digest = hmac.digest(key, f"{head}{day or 'period'}{tail}|{value}".encode(), "sha256")
                base += int.from_bytes(digest[:8], "big") / 2**64 < remainder / step
            total += base * step
        return total

    def published(self, measure: str, by_day: Mapping[str | None, int], filters: Filters = ()) -> int | None:
        """A count as published: the rounded sum, suppressed from 1 to `min_count - 1`."""
        total = self.rounded_sum(measure, by_day, filters)
        return None if self.is_small(total) else total

    def is_small(self, value: int) -> bool:
        return not self.exact and 0 < value < self.min_count

    def duration_minutes(self, minutes_by_day: Mapping[str | None, float], filters: Filters = ()) -> float:
        """A total duration as published: exact for admin keys, else each day's minutes randomly rounded
        to `round_to` minutes, summed."""
        if self.exact:
            return round(sum(minutes_by_day.values()), 2)
        whole = {day: round(minutes) for day, minutes in minutes_by_day.items()}
        return float(self.rounded_sum("session_minutes", whole, filters))


def disclosure_key(secret: str) -> bytes:
    """The rounding's key, derived from the service's secret (kept apart from the links' signatures)."""
    return hmac.new(secret.encode(), b"analytics small-cell rounding", hashlib.sha256).digest()


def cell_name(measure: str, day: str | None, filters: Filters) -> str:
    """A cell's identity: one measure, one day (None: a whole period, for distinct counts), the filters
    that select its events (in a fixed order, so the same events are always the same cell)."""
    return "|".join([measure, day or "period", *(f"{name}={value}" for name, value in sorted(set(filters)))])


def _filters_text(filters: Filters) -> str:
    """The filters' part of a cell's name (see cell_name)."""
    return "|".join(f"{name}={value}" for name, value in sorted(set(filters)))


def ratio(numerator: int | None, denominator: int | None) -> float | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return round(numerator / denominator, 4)


def relative_change(current: float | None, baseline: float | None) -> float | None:
    """+0.32 for 32% more than the baseline; None when there is no baseline to compare with."""
    if current is None or baseline is None or baseline == 0:
        return None
    return round((current - baseline) / baseline, 4)
