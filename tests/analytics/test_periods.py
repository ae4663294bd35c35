"""Periods of days, both ends included, and their year-before baselines."""

import datetime as dt

import pytest

from analytics.exceptions import InvalidPeriod
from analytics.periods import Period, period, same_days_a_year_before


def test_the_default_is_the_thirty_days_ending_today() -> None:
    today = dt.date(2026, 11, 27)
    assert period(None, None, today=today) == Period(dt.date(2026, 10, 29), today)
    assert period(dt.date(2026, 11, 1), None, today=today) == Period(dt.date(2026, 11, 1), dt.date(2026, 11, 27))
    assert period(None, dt.date(2026, 1, 31), today=today).start == dt.date(2026, 1, 2)


def test_a_period_ending_before_it_starts_or_too_long_is_refused() -> None:
    with pytest.raises(InvalidPeriod, match="ends before it starts"):
        period(dt.date(2026, 2, 1), dt.date(2026, 1, 1))
    with pytest.raises(InvalidPeriod, match="longer than"):
        period(dt.date(2020, 1, 1), dt.date(2026, 1, 1))
    with pytest.raises(InvalidPeriod, match="between 2000-01-01 and 2100-12-31"):
        period(dt.date(1, 1, 1), dt.date(1, 1, 2))
    with pytest.raises(InvalidPeriod, match="between"):
        period(dt.date(9999, 12, 30), dt.date(9999, 12, 31))


def test_the_baseline_is_the_same_days_a_year_before() -> None:
    assert same_days_a_year_before(Period(dt.date(2024, 2, 1), dt.date(2024, 2, 29))) == Period(
        dt.date(2023, 2, 1), dt.date(2023, 2, 28)
    )
    window = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))
    assert window.days == 31 and window.ends == dt.datetime(2026, 4, 1, tzinfo=dt.UTC)
