"""The NOC 2021 hierarchy (822 classes) joined with the unit groups' French titles and TEER."""

from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from labour_market.codes import NOC2021_CLASS, NOC2021_LEVELS, NOC2021_UNIT_GROUP, parent_class_code
from labour_market.datasets import STRUCTURE_FILE, UNIT_GROUPS_FILE
from labour_market.importing.csv_source import SourceFormatError, read_csv
from labour_market.importing.writing import Progress, sync_rows
from models.occupations import NocClass

CODE = "Code - NOC 2021 V1.0"


def parse_structure(data_dir: Path) -> list[tuple[int, dict[str, Any]]]:
    """The classes of the structure file, each with the line it stands on."""
    classes: list[tuple[int, dict[str, Any]]] = []
    seen: set[str] = set()
    columns = ("Level", "Hierarchical structure", CODE, "Class title", "Class definition")
    for row in read_csv(data_dir, STRUCTURE_FILE, columns):
        level = int(row.choice("Level", tuple(str(n) for n in NOC2021_LEVELS)))
        code = row.matching(CODE, NOC2021_CLASS, "a NOC 2021 class code")
        if len(code) != level:
            raise row.error(CODE, f"a level-{level} class has a {level}-digit code, found {code!r}")
        if code in seen:
            raise row.error(CODE, f"duplicate class code {code!r}")
        parent = parent_class_code(code)
        if parent is not None and parent not in seen:
            raise row.error(CODE, f"parent class {parent!r} of {code!r} is not listed before it")
        seen.add(code)
        classes.append(
            (
                row.line,
                {
                    "code": code,
                    "level": level,
                    "level_name": NOC2021_LEVELS[level],
                    "title_en": row.text("Class title"),
                    "title_fr": None,
                    "definition_en": row.optional_text("Class definition"),
                    "parent_code": parent,
                    "broad_category_code": code[0],
                    "teer": None,
                    "teer_label_en": None,
                },
            )
        )
    return classes


def parse_unit_groups(data_dir: Path) -> dict[str, dict[str, Any]]:
    columns = ("noc_code", "title_en", "title_fr", "teer", "teer_label_en", "definition_en")
    unit_groups: dict[str, dict[str, Any]] = {}
    for row in read_csv(data_dir, UNIT_GROUPS_FILE, columns):
        code = row.matching("noc_code", NOC2021_UNIT_GROUP, "a 5-digit NOC 2021 unit group code")
        if code in unit_groups:
            raise row.error("noc_code", f"duplicate {code!r}: an earlier row has the same key")
        teer = int(row.choice("teer", ("0", "1", "2", "3", "4", "5")))
        if code[1] != str(teer):
            raise row.error("teer", f"the second digit of {code} is its TEER, found TEER {teer}")
        unit_groups[code] = {
            "line": row.line,
            "title_fr": row.text("title_fr"),
            "teer": teer,
            "teer_label_en": row.text("teer_label_en"),
            "definition_en": row.optional_text("definition_en"),
        }
    return unit_groups


def parse_classification(data_dir: Path) -> list[dict[str, Any]]:
    """The structure file's classes, unit groups completed from the unit-groups file."""
    classes = parse_structure(data_dir)
    unit_groups = parse_unit_groups(data_dir)
    structure_unit_groups = {c["code"] for _, c in classes if c["level"] == 5}
    for code, extra in unit_groups.items():
        if code not in structure_unit_groups:
            raise SourceFormatError(
                UNIT_GROUPS_FILE, extra["line"], "noc_code", 1, f"{code} is not a unit group of {STRUCTURE_FILE}"
            )
    for line, values in classes:
        unit_group = unit_groups.get(values["code"])
        if values["level"] == 5:
            if unit_group is None:
                raise SourceFormatError(
                    STRUCTURE_FILE, line, CODE, 3, f"unit group {values['code']} has no row in {UNIT_GROUPS_FILE}"
                )
            values.update(
                title_fr=unit_group["title_fr"],
                teer=unit_group["teer"],
                teer_label_en=unit_group["teer_label_en"],
                definition_en=values["definition_en"] or unit_group["definition_en"],
            )
    return [values for _, values in classes]


def load(session: Session, data_dir: Path, progress: Progress) -> dict[str, int]:
    classes = parse_classification(data_dir)
    sync_rows(session, NocClass, classes, progress)
    return {STRUCTURE_FILE: len(classes), UNIT_GROUPS_FILE: sum(1 for c in classes if c["level"] == 5)}
