"""The official NOC 2016 V1.3 ↔ NOC 2021 V1.0 concordance (splits and merges are several rows)."""

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from labour_market.datasets import CONCORDANCE_FILE
from labour_market.importing.csv_source import read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, unit_group_codes
from labour_market.importing.writing import Progress, replace_rows
from models.occupations import ConcordanceLink

OLD_CODE, OLD_TITLE = "NOC 2016 V1.3 Code", "NOC 2016 V1.3 Title"
NEW_CODE, NEW_TITLE = "NOC 2021 V1.0 Code", "NOC 2021 V1.0 Title"
CHANGE, NOTES = "GSIM Type of Change", "Notes"


def parse_concordance(data_dir: Path, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    rows = []
    for row in read_csv(data_dir, CONCORDANCE_FILE, (OLD_CODE, OLD_TITLE, CHANGE, NEW_CODE, NEW_TITLE, NOTES)):
        new_code = row.matching(NEW_CODE, NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        rows.append(
            {
                "noc2016_code": row.matching(OLD_CODE, NOC2016_UNIT_GROUP, "a 4-digit NOC 2016 unit group code"),
                "noc2016_title": row.text(OLD_TITLE),
                "noc2021_code": known_unit_group(row, NEW_CODE, new_code, unit_groups),
                "noc2021_title": row.text(NEW_TITLE),
                "change_type": " ".join(row.text(CHANGE).split()),
                "note": row.optional_text(NOTES),
            }
        )
    return rows


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_concordance(data_dir, unit_group_codes(session))
    replace_rows(session, ConcordanceLink, rows, progress)
    return {CONCORDANCE_FILE: len(rows)}
