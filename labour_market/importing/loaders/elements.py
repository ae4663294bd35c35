"""Unit-group profile elements: main duties, employment requirements, inclusions, exclusions…"""

from collections import Counter
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import NOC2021_UNIT_GROUP
from labour_market.datasets import ELEMENTS_FILE
from labour_market.importing.csv_source import read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, unit_group_codes
from labour_market.importing.writing import Progress, replace_rows
from models.occupations import UnitGroupElement

ELEMENT_TYPES = (
    "Illustrative example(s)",
    "Main duties",
    "Employment requirements",
    "Inclusion(s)",
    "Exclusion(s)",
    "Additional information",
)


def parse_elements(data_dir: Path, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    rows = []
    positions: Counter[tuple[str, str]] = Counter()
    columns = ("noc_code", "class_title", "element_type", "element_text")
    for row in read_csv(data_dir, ELEMENTS_FILE, columns):
        code = row.matching("noc_code", NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        known_unit_group(row, "noc_code", code, unit_groups)
        element_type = row.choice("element_type", ELEMENT_TYPES)
        positions[code, element_type] += 1
        rows.append(
            {
                "noc_code": code,
                "element_type": element_type,
                "position": positions[code, element_type],
                "text": row.text("element_text"),
            }
        )
    return rows


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_elements(data_dir, unit_group_codes(session))
    replace_rows(session, UnitGroupElement, rows, progress)
    return {ELEMENTS_FILE: len(rows)}
