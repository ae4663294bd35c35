"""The 57,702 English and French example job titles of NOC 2021."""

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import NOC2021_UNIT_GROUP
from labour_market.datasets import JOB_TITLES_FILE
from labour_market.importing.csv_source import read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, unit_group_codes
from labour_market.importing.writing import Progress, replace_rows
from models.occupations import JobTitle


def parse_job_titles(data_dir: Path, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    rows = []
    for row in read_csv(data_dir, JOB_TITLES_FILE, ("noc_code", "lang", "job_title")):
        code = row.matching("noc_code", NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        rows.append(
            {
                "noc_code": known_unit_group(row, "noc_code", code, unit_groups),
                "lang": row.choice("lang", ("en", "fr")),
                "title": row.text("job_title"),
            }
        )
    return rows


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_job_titles(data_dir, unit_group_codes(session))
    replace_rows(session, JobTitle, rows, progress)
    return {JOB_TITLES_FILE: len(rows)}
