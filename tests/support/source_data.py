"""The real reference files read independently of the importer, and temporary data folders built from them.

Tests take their expected values from these files rather than from the importer's own parsers,
and build malformed data folders in ``tmp_path`` (symlinks to the real files plus one edited copy).
"""

import csv
import hashlib
import os
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from sqlalchemy import Engine, func, select

from matching.aliases import load_aliases
from matching.lexicon import Lexicon, UnitGroup, build_lexicon
from models.tables import metadata

REPO_ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = Path(os.environ.get("LMI_DATA_DIR", REPO_ROOT.parent / "shared" / "data")).resolve()

GEOGRAPHY = "geography/economic_regions_canada_en_fr.csv"
STRUCTURE = "noc2021/noc_2021_version_1.0_classification_structure_en.csv"
UNIT_GROUPS = "noc2021/unit_groups_en_fr.csv"
JOB_TITLES = "noc2021/job_titles_en_fr.csv"
ELEMENTS = "noc2021/unit_group_elements_en.csv"
CONCORDANCE = "concordance/noc2016v1_3-noc2021v1_0-eng.csv"
OASIS_SKILLS = "oasis/skills_oasis_2025_v1.1.csv"
OASIS_ABILITIES = "oasis/abilities_oasis_2023_v1.0.csv"
OASIS_KNOWLEDGE = "oasis/knowledges_oasis_2023_v1.0.csv"
OASIS_WORK_ACTIVITIES = "oasis/workactivities_oasis_2023_v1.0.csv"
COPS = "outlook/cops_summary_2024_2033.csv"
NATIONAL_WAGES = "wages/jobbank_wages_2025_national.csv"
REGIONAL_WAGES = "wages/jobbank_wages_by_region_2016_2020_2024.csv"

REFERENCE_FILES = (
    GEOGRAPHY,
    STRUCTURE,
    UNIT_GROUPS,
    JOB_TITLES,
    ELEMENTS,
    CONCORDANCE,
    OASIS_SKILLS,
    OASIS_ABILITIES,
    OASIS_KNOWLEDGE,
    OASIS_WORK_ACTIVITIES,
    COPS,
    NATIONAL_WAGES,
    REGIONAL_WAGES,
)
OASIS_FILES = {  # dimension → (file, delimiter, code column)
    "skill": (OASIS_SKILLS, ";", "Code OaSIS"),
    "ability": (OASIS_ABILITIES, ",", "OaSIS Code - Final"),
    "knowledge": (OASIS_KNOWLEDGE, ",", "OaSIS Code - Final"),
    "work_activity": (OASIS_WORK_ACTIVITIES, ",", "OaSIS Code - Final"),
}
OGL_ATTRIBUTION = "Contains information licensed under the Open Government Licence – Canada."


@cache
def csv_rows(relative_path: str, delimiter: str = ",") -> tuple[dict[str, str], ...]:
    """The records of a reference CSV as dicts keyed by the header names (stripped of spaces)."""
    with (DATA_DIR / relative_path).open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        header = [name.strip() for name in next(reader)]
        return tuple(dict(zip(header, record, strict=True)) for record in reader if record)


def unit_group_row(code: str) -> dict[str, str]:
    """The unit-groups file's record of one NOC 2021 unit group."""
    (row,) = [row for row in csv_rows(UNIT_GROUPS) if row["noc_code"] == code]
    return row


def noc2016_successors(code: str) -> set[str]:
    """The NOC 2021 codes the concordance gives a NOC 2016 code."""
    return {
        row["NOC 2021 V1.0 Code"].strip() for row in csv_rows(CONCORDANCE) if row["NOC 2016 V1.3 Code"].strip() == code
    }


def lexicon_from_files(codes: Iterable[str] | None = None, titles_per_group: int | None = None) -> Lexicon:
    """A matcher lexicon read straight from the files: every unit group, or only `codes`, with at
    most `titles_per_group` example titles per group and language."""
    wanted = None if codes is None else frozenset(codes)
    groups = [
        UnitGroup(row["noc_code"], row["title_en"], row["title_fr"], int(row["teer"]))
        for row in csv_rows(UNIT_GROUPS)
        if wanted is None or row["noc_code"] in wanted
    ]
    kept: dict[tuple[str, str], int] = {}
    titles = []
    for row in csv_rows(JOB_TITLES):
        key = (row["noc_code"], row["lang"])
        if wanted is not None and row["noc_code"] not in wanted:
            continue
        if titles_per_group is not None and kept.get(key, 0) >= titles_per_group:
            continue
        kept[key] = kept.get(key, 0) + 1
        titles.append((row["noc_code"], row["lang"], row["job_title"]))
    concordance = [(row["NOC 2016 V1.3 Code"], row["NOC 2021 V1.0 Code"]) for row in csv_rows(CONCORDANCE)]
    return build_lexicon(groups, titles, concordance, load_aliases())


@cache
def file_sha256(relative_path: str) -> str:
    return hashlib.sha256((DATA_DIR / relative_path).read_bytes()).hexdigest()


def physical_lines(relative_path: str) -> list[bytes]:
    """The file's lines as bytes, line endings kept."""
    return (DATA_DIR / relative_path).read_bytes().splitlines(keepends=True)


def line_number(relative_path: str, prefix: bytes) -> int:
    """1-based number of the first physical line that starts with `prefix`."""
    for number, line in enumerate(physical_lines(relative_path), start=1):
        if line.startswith(prefix):
            return number
    raise AssertionError(f"no line of {relative_path} starts with {prefix!r}")


def edited_copy(relative_path: str, line: int, edit: Callable[[bytes], bytes]) -> bytes:
    """The file's content with physical line `line` (1-based) replaced by ``edit(line)``."""
    lines = physical_lines(relative_path)
    edited = edit(lines[line - 1])
    assert edited != lines[line - 1], "the edit must change the line"
    lines[line - 1] = edited
    return b"".join(lines)


def build_data_dir(target: Path, replace: dict[str, bytes] | None = None, omit: Iterable[str] = ()) -> Path:
    """A data folder of symlinks to the real files, with some files replaced by content or left out."""
    replace = replace or {}
    omitted = set(omit)
    for source in DATA_DIR.rglob("*"):
        if not source.is_file():
            continue
        relative = source.relative_to(DATA_DIR).as_posix()
        if relative in omitted:
            continue
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if relative in replace:
            destination.write_bytes(replace[relative])
        else:
            destination.symlink_to(source)
    unknown = set(replace) - {path.relative_to(target).as_posix() for path in target.rglob("*")}
    assert not unknown, f"not reference files: {unknown}"
    return target


def table_counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            table.name: connection.scalar(select(func.count()).select_from(table)) or 0
            for table in metadata.sorted_tables
        }


def table_contents(engine: Engine, exclude: frozenset[str] = frozenset({"id"})) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without the columns named in `exclude` (surrogate keys…)."""
    contents = {}
    with engine.connect() as connection:
        for table in metadata.sorted_tables:
            columns = [column for column in table.columns if column.name not in exclude]
            rows = [tuple(row) for row in connection.execute(select(*columns))]
            contents[table.name] = sorted(rows, key=repr)
    return contents
