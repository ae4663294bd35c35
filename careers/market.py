"""The labour market of a career answer: each occupation's outlook and wages, the change in median
wage a move brings, and whether the move is desirable (pay and outlook no worse)."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from labour_market.language import Language
from labour_market.profile import Outlook, Wages, market_summary
from labour_market.regional_wages import CANADA

HOURS_PER_YEAR = 2080  # Job Bank's annual wages are its hourly ones times 2,080
# COPS 2024-2033's future conditions, the best prospects for a job seeker highest.
OUTLOOK_RANK = {
    "Strong risk of Shortage": 2,
    "Moderate risk of Shortage": 1,
    "Balance": 0,
    "Moderate risk of Surplus": -1,
    "Strong risk of Surplus": -2,
}


@dataclass(frozen=True)
class OccupationMarket:
    noc_code: str
    title: str
    teer: int | None
    outlook: Outlook | None
    wages: Wages


@dataclass(frozen=True)
class WageChange:
    region: str  # the area both medians are for: the region asked for, or where both have wages
    unit: str  # "hour"
    from_median: float
    to_median: float
    change: float
    percent: float


def occupation_market(session: Session, code: str, title: str, lang: Language, region: str | None) -> OccupationMarket:
    summary = market_summary(session, code, lang, region)
    return OccupationMarket(code, title, summary.teer, summary.outlook, summary.wages)


def hourly_median(wages: Wages) -> tuple[str, float] | None:
    """The area and the hourly median wage to compare: the region's (or its fallback's), else Canada's."""
    regional = wages.regional
    if regional is not None and regional.median is not None:
        return regional.region.code, _hourly(regional.median, regional.unit)
    national = wages.national
    if national is not None and national.median is not None:
        return CANADA, _hourly(national.median, national.unit)
    return None


def _hourly(amount: float, unit: str) -> float:
    return amount / HOURS_PER_YEAR if unit.lower().startswith("year") or unit.lower() == "annual" else amount


def wage_change(source: Wages, target: Wages) -> WageChange | None:
    """The change of median wage from one occupation to another, in one area (each's nearest area with
    a wage; Canada's for both when the areas differ); None when either has no wage."""
    before, after = hourly_median(source), hourly_median(target)
    if before is None or after is None:
        return None
    if before[0] != after[0]:  # compare like with like: both at the national level
        national_before = _national(source)
        national_after = _national(target)
        if national_before is None or national_after is None:
            return None
        before, after = (CANADA, national_before), (CANADA, national_after)
    change = after[1] - before[1]
    return WageChange(
        region=before[0],
        unit="hour",
        from_median=round(before[1], 2),
        to_median=round(after[1], 2),
        change=round(change, 2),
        percent=round(100 * change / before[1], 1) if before[1] else 0.0,
    )


def _national(wages: Wages) -> float | None:
    national = wages.national
    return None if national is None or national.median is None else _hourly(national.median, national.unit)


def outlook_rank(outlook: Outlook | None) -> int | None:
    if outlook is None or not outlook.future_conditions_en:
        return None
    return OUTLOOK_RANK.get(outlook.future_conditions_en)


def is_desirable(change: WageChange | None, source: Outlook | None, target: Outlook | None) -> bool | None:
    """Pay and outlook no worse; None when either is unknown (no wage, or no COPS outlook)."""
    before, after = outlook_rank(source), outlook_rank(target)
    if change is None or before is None or after is None:
        return None
    return change.change >= 0 and after >= before
