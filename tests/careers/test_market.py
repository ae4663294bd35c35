"""The change of median wage a move brings and whether it is desirable: plain values, no database."""

import pytest

from careers.market import HOURS_PER_YEAR, hourly_median, is_desirable, wage_change
from labour_market.profile import NationalWageFigures, Outlook, RegionalWageFigures, Wages
from labour_market.regions import RegionInfo


def national(median: float | None, unit: str = "hour") -> Wages:
    return Wages(NationalWageFigures(None, median, None, unit, "2025", "Job Bank", None, None), None)


def regional(code: str, median: float, national_median: float) -> Wages:
    area = RegionInfo(code, "economic_region", code, code, code, code[:2], None, "ER" + code)
    figures = RegionalWageFigures(area, area, False, None, None, median, None, "hour", "2024", "Job Bank", [])
    return Wages(national(national_median).national, figures)


def outlook(conditions: str | None) -> Outlook:
    return Outlook("2024-2033", conditions, conditions, None, None, None, None, None, None, None, "COPS")


def test_an_annual_wage_is_compared_per_hour() -> None:
    change = wage_change(national(25.0), national(HOURS_PER_YEAR * 30.0, unit="year"))
    assert change is not None
    assert (change.from_median, change.to_median, change.change, change.percent) == (25.0, 30.0, 5.0, 20.0)
    assert hourly_median(national(HOURS_PER_YEAR * 30.0, unit="annual")) == ("00", 30.0)


def test_the_same_region_is_compared_and_different_areas_fall_back_to_canada() -> None:
    same = wage_change(regional("3530", 20.0, 18.0), regional("3530", 24.0, 22.0))
    assert same is not None and same.region == "3530" and same.change == 4.0
    apart = wage_change(regional("3530", 20.0, 18.0), regional("2460", 30.0, 21.0))
    assert apart is not None and apart.region == "00" and apart.change == 3.0


def test_no_wage_means_no_change() -> None:
    assert wage_change(national(None), national(20.0)) is None


@pytest.mark.parametrize(
    ("change", "before", "after", "expected"),
    [
        (2.0, "Balance", "Balance", True),
        (0.0, "Balance", "Moderate risk of Shortage", True),
        (-0.5, "Balance", "Strong risk of Shortage", False),  # pay worse
        (3.0, "Moderate risk of Shortage", "Balance", False),  # outlook worse
        (3.0, "Balance", None, None),  # outlook unknown
    ],
)
def test_a_move_is_desirable_when_pay_and_outlook_are_no_worse(
    change: float, before: str, after: str | None, expected: bool | None
) -> None:
    moved = wage_change(national(20.0), national(20.0 + change))
    assert is_desirable(moved, outlook(before), outlook(after)) is expected
