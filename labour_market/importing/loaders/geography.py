"""Canada, provinces and territories, economic regions (Statistics Canada SGC)."""

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.datasets import REGIONS_FILE
from labour_market.importing.csv_source import CsvRow, read_csv
from labour_market.importing.writing import Progress, sync_rows
from models.geography import Region

LEVEL_ORDER = {"country": 0, "province": 1, "economic_region": 2}
COLUMNS = (
    "level",
    "code",
    "name_en",
    "name_fr",
    "province_code",
    "province_abbr",
    "jobbank_wage_er_code",
    "jobbank_outlook_region_code",
)


def parse_regions(data_dir: Path) -> list[dict[str, Any]]:
    rows = []
    lines: dict[str, CsvRow] = {}
    codes: set[object] = set()
    wage_codes: set[object] = set()
    for row in read_csv(data_dir, REGIONS_FILE, COLUMNS):
        level = row.choice("level", tuple(LEVEL_ORDER))
        row.unique("code", row.text("code"), codes)
        row.unique("jobbank_wage_er_code", row.text("jobbank_wage_er_code"), wage_codes)
        lines[row.text("code")] = row
        rows.append(
            {
                "code": row.text("code"),
                "level": level,
                "name_en": row.text("name_en"),
                "name_fr": row.text("name_fr"),
                "province_code": row.optional_text("province_code"),
                "province_abbr": row.optional_text("province_abbr"),
                "wage_code": row.text("jobbank_wage_er_code"),
                "outlook_code": row.optional_text("jobbank_outlook_region_code"),
            }
        )
    provinces = {r["code"] for r in rows if r["level"] == "province"}
    for region in rows:
        if region["province_code"] is not None and region["province_code"] not in provinces:
            raise lines[str(region["code"])].error(
                "province_code", f"{region['province_code']!r} is not a province or territory of this file"
            )
    return sorted(rows, key=lambda r: (LEVEL_ORDER[r["level"]], r["code"]))


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_regions(data_dir)
    sync_rows(session, Region, rows, progress)
    return {REGIONS_FILE: len(rows)}
