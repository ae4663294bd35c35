"""Job Bank wages: 2025 national figures, and 2016/2020/2024 hourly figures by region.

The regional file was derived from NOC 2016 wage files: where two NOC 2016 groups merged into one
NOC 2021 unit group it has two rows for the same code and region (43 pairs). Their 2024 figures
agree; for 2016 and 2020 the stored figure is the mean of the two, and both source codes are kept.
"""

import datetime as dt
from collections import defaultdict
from pathlib import Path
from statistics import fmean
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from labour_market.datasets import NATIONAL_WAGES_FILE, REGIONAL_WAGES_FILE
from labour_market.importing.csv_source import CsvRow, read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, region_codes_by_wage_code, unit_group_codes
from labour_market.importing.writing import Progress, replace_rows
from models.wages import NationalWage, RegionalWage

REGIONAL_YEARS = (2016, 2020, 2024)
NOT_AVAILABLE = ("", "NA", "N/A")


def _release_date(row: CsvRow) -> dt.date | None:
    value = row.optional_text("wage_release_date", NOT_AVAILABLE)
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise row.error("wage_release_date", f"expected a date YYYY-MM-DD, found {value!r}") from None


def parse_national_wages(data_dir: Path, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    columns = (
        "noc_code",
        "wage_low",
        "wage_median",
        "wage_high",
        "wage_unit",
        "wage_reference_period",
        "wage_source",
        "wage_note",
        "wage_release_date",
        "annual_pay_estimate",
    )
    rows = []
    seen: set[object] = set()
    for row in read_csv(data_dir, NATIONAL_WAGES_FILE, columns):
        code = row.matching("noc_code", NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        row.unique("noc_code", code, seen)
        rows.append(
            {
                "noc_code": known_unit_group(row, "noc_code", code, unit_groups),
                "low": row.number("wage_low", NOT_AVAILABLE),
                "median": row.number("wage_median", NOT_AVAILABLE),
                "high": row.number("wage_high", NOT_AVAILABLE),
                "unit": row.choice("wage_unit", ("hour", "year")),
                "reference_period": row.optional_text("wage_reference_period", NOT_AVAILABLE),
                "source": row.optional_text("wage_source", NOT_AVAILABLE),
                "note": row.optional_text("wage_note", NOT_AVAILABLE),
                "release_date": _release_date(row),
                "annual_pay_estimate": row.number("annual_pay_estimate", NOT_AVAILABLE),
            }
        )
    return rows


def parse_regional_wages(
    data_dir: Path, unit_groups: frozenset[str], regions_by_wage_code: dict[str, str]
) -> tuple[list[dict[str, Any]], int]:
    """The merged wage rows, and the number of rows the file holds."""
    columns = (
        "ER_Code",
        "NOC_2016",
        "NOC_2021",
        *tuple(f"{kind}_Wage_{year}" for year in REGIONAL_YEARS for kind in ("Low", "Median", "High")),
    )
    merged: dict[tuple[str, str, int], dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    source_rows = 0
    for row in read_csv(data_dir, REGIONAL_WAGES_FILE, columns):
        source_rows += 1
        wage_code = row.text("ER_Code")
        region = regions_by_wage_code.get(wage_code)
        if region is None:
            raise row.error("ER_Code", f"{wage_code!r} is not a known region (import the geography first)")
        code = row.matching("NOC_2021", NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        known_unit_group(row, "NOC_2021", code, unit_groups)
        noc2016 = row.matching("NOC_2016", NOC2016_UNIT_GROUP, "a 4-digit NOC 2016 code")
        for year in REGIONAL_YEARS:
            figures = merged[code, region, year]
            figures["noc2016"].append(noc2016)
            for kind in ("low", "median", "high"):
                value = row.number(f"{kind.capitalize()}_Wage_{year}")
                if value is not None:
                    figures[kind].append(value)
    wages = [
        {
            "noc_code": code,
            "region_code": region,
            "year": year,
            "low": _mean_or_none(figures["low"]),
            "median": _mean_or_none(figures["median"]),
            "high": _mean_or_none(figures["high"]),
            "noc2016_codes": ",".join(sorted(set(figures["noc2016"]))),
        }
        for (code, region, year), figures in merged.items()
    ]
    return wages, source_rows


def _mean_or_none(values: list[float]) -> float | None:
    return round(fmean(values), 2) if values else None


def load_national(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_national_wages(data_dir, unit_group_codes(session))
    replace_rows(session, NationalWage, rows, progress)
    return {NATIONAL_WAGES_FILE: len(rows)}


def load_regional(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows, source_rows = parse_regional_wages(data_dir, unit_group_codes(session), region_codes_by_wage_code(session))
    replace_rows(session, RegionalWage, rows, progress)
    return {REGIONAL_WAGES_FILE: source_rows}
