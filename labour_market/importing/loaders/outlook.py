"""COPS 2024–2033 national outlook.

The file's ``Code`` column lost the leading zeros of codes 00010–00015 (``10`` … ``15``) and
holds aggregates: ``0`` all occupations, ``TEER_n`` and ``NOC1_n`` (broad categories).
"""

import re
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.datasets import COPS_FILE
from labour_market.importing.csv_source import CsvRow, read_csv
from labour_market.importing.loaders.known_codes import known_unit_group, unit_group_codes
from labour_market.importing.writing import Progress, replace_rows
from models.outlook import OccupationOutlook

NOT_AVAILABLE = ("", "N/D", "N/A")
FIGURES = {
    "employment_2023": "Employment_emploi_2023",
    "employment_growth": "Employment_Growth_croissance_emploi",
    "retirements": "Retirements_retraites",
    "other_replacement": "Other_Replacement_autre_remplacement",
    "job_openings": "Total_Job_Openings_Perspective_d'emploi",
    "school_leavers": "School_Leavers_Sortants_scolaires",
    "immigration": "Immigration",
    "other_seekers": "Other_Seekers_autres_chercheurs",
    "job_seekers": "Job_Seekers_Chercheurs_emploi",
}
CONDITIONS = {
    "recent_conditions_en": "Recent_Labour_Market_Conditions",
    "recent_conditions_fr": "Conditions_récentes_sur_le_marché_du_travail",
    "future_conditions_en": "Future_Labour_Market_Conditions",
    "future_conditions_fr": "Conditions_futures_sur_le_marché_du_travail",
}
AGGREGATE = re.compile(r"(?P<kind>TEER|NOC1)_(?P<digit>\d)")
ALL_OCCUPATIONS = "ALL"


def outlook_code(row: CsvRow, unit_groups: frozenset[str]) -> tuple[str, str, str | None]:
    """(stored code, scope, unit group code) for the file's ``Code`` value."""
    raw = row.text("Code")
    if raw == "0":
        return ALL_OCCUPATIONS, "all", None
    aggregate = AGGREGATE.fullmatch(raw)
    if aggregate:
        scope = "teer" if aggregate["kind"] == "TEER" else "broad_category"
        return raw, scope, None
    if raw.isdigit() and len(raw) <= 5:
        code = known_unit_group(row, "Code", raw.zfill(5), unit_groups)
        return code, "unit_group", code
    raise row.error("Code", f"expected a NOC 2021 code, TEER_n or NOC1_n, found {raw!r}")


def parse_outlook(data_dir: Path, unit_groups: frozenset[str]) -> list[dict[str, Any]]:
    columns = ("Code", "Occupation_Name", "Nom_de_la_profession", *FIGURES.values(), *CONDITIONS.values())
    rows = []
    seen: set[object] = set()
    for row in read_csv(data_dir, COPS_FILE, columns):
        code, scope, noc_code = outlook_code(row, unit_groups)
        row.unique("Code", code, seen)
        values: dict[str, Any] = {
            "code": code,
            "scope": scope,
            "noc_code": noc_code,
            "name_en": row.text("Occupation_Name"),
            "name_fr": row.text("Nom_de_la_profession"),
        }
        values.update({field: row.number(column) for field, column in FIGURES.items()})
        values.update({field: row.optional_text(column, NOT_AVAILABLE) for field, column in CONDITIONS.items()})
        rows.append(values)
    return rows


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    rows = parse_outlook(data_dir, unit_group_codes(session))
    replace_rows(session, OccupationOutlook, rows, progress)
    return {COPS_FILE: len(rows)}
