"""Periods of whole days (UTC), as analysts name them: `from` and `to` both included."""

import datetime as dt
from dataclasses import dataclass

from analytics.exceptions import InvalidPeriod

MAX_DAYS = 3 * 366
EARLIEST = dt.date(2000, 1, 1)
LATEST = dt.date(2100, 12, 31)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    @property
    def begins(self) -> dt.datetime:
        return dt.datetime.combine(self.start, dt.time(), dt.UTC)

    @property
    def ends(self) -> dt.datetime:
        """The first instant after the period."""
        return dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), dt.UTC)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period(start: dt.date | None, end: dt.date | None, *, today: dt.date | None = None) -> Period:
    """The period asked for; by default the 30 days ending today."""
    today = today or dt.datetime.now(dt.UTC).date()
    end = end or (today if start is None else min(today, start + dt.timedelta(days=29)))
    start = start or end - dt.timedelta(days=29)
    if start < EARLIEST or end > LATEST:
        raise InvalidPeriod(start, end, f"days are between {EARLIEST.isoformat()} and {LATEST.isoformat()}")
    if start > end:
        raise InvalidPeriod(start, end, "it ends before it starts")
    if (end - start).days + 1 > MAX_DAYS:
        raise InvalidPeriod(start, end, f"it is longer than {MAX_DAYS} days")
    return Period(start, end)


def same_days_a_year_before(current: Period) -> Period:
    """The baseline of a year-over-year comparison ("the same months last year")."""
    return Period(_year_before(current.start), _year_before(current.end))


def _year_before(day: dt.date) -> dt.date:
    try:
        return day.replace(year=day.year - 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year - 1, day=28)
