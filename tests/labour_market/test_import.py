"""Importing the real reference data: counts, provenance, derivation rules, idempotency and malformed files."""

import csv
import io
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from dataclasses import replace as replace_field
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Select, func, select
from sqlalchemy.orm import Session

from labour_market.codes import normalize_oasis_profile
from labour_market.datasets import SOURCE_KEYS
from labour_market.importing import runner
from labour_market.importing.csv_source import MissingSourceFileError, SourceFormatError
from labour_market.importing.runner import SourceReport, import_reference
from models.database import create_database_engine
from models.geography import Region
from models.occupations import ConcordanceLink, JobTitle, NocClass, UnitGroupElement
from models.outlook import OccupationOutlook
from models.provenance import SourceFile
from models.skills import OasisProfileRating, UnitGroupRating
from models.wages import NationalWage, RegionalWage
from tests.support.source_data import (
    CONCORDANCE,
    COPS,
    DATA_DIR,
    ELEMENTS,
    GEOGRAPHY,
    JOB_TITLES,
    NATIONAL_WAGES,
    OASIS_ABILITIES,
    OASIS_FILES,
    OASIS_KNOWLEDGE,
    OASIS_SKILLS,
    OASIS_WORK_ACTIVITIES,
    REFERENCE_FILES,
    REGIONAL_WAGES,
    STRUCTURE,
    UNIT_GROUPS,
    build_data_dir,
    csv_rows,
    edited_copy,
    file_sha256,
    line_number,
    table_contents,
    table_counts,
)

OGL = "Open Government Licence – Canada"
NURSES_FR = (
    "Infirmiers autorisés/infirmières autorisées et infirmiers psychiatriques autorisés/"
    "infirmières psychiatriques autorisées"
)


def scalar(engine: Engine, statement: Select[Any]) -> Any:
    with Session(engine) as session:
        return session.scalar(statement)


def rows_of(engine: Engine, statement: Select[Any]) -> list[tuple[Any, ...]]:
    with Session(engine) as session:
        return [tuple(row) for row in session.execute(statement)]


def expected_file_rows() -> dict[str, int]:
    """Data rows of every reference file, counted by the csv module rather than the importer."""
    return {path: len(csv_rows(path, ";" if path == OASIS_SKILLS else ",")) for path in REFERENCE_FILES}


def descriptor_names(path: str, delimiter: str, code_column: str) -> list[str]:
    """The rated descriptors of an OaSIS file: every column but the profile code and label."""
    label_column = "OaSIS 2021 Labels" if path == OASIS_SKILLS else "OaSIS Label - Final"
    return [name for name in csv_rows(path, delimiter)[0] if name and name not in (code_column, label_column)]


# --- Counts ---------------------------------------------------------------------------------------


def test_noc_classes_per_level(reference_engine: Engine) -> None:
    counts = dict(rows_of(reference_engine, select(NocClass.level, func.count()).group_by(NocClass.level)))
    assert counts == {1: 10, 2: 45, 3: 89, 4: 162, 5: 516}


def test_job_titles_per_language(reference_engine: Engine) -> None:
    counts = dict(rows_of(reference_engine, select(JobTitle.lang, func.count()).group_by(JobTitle.lang)))
    assert counts == {"en": 27_935, "fr": 29_767}


@pytest.mark.parametrize(
    ("model", "expected"),
    [
        (UnitGroupElement, 14_864),
        (ConcordanceLink, 585),
        (Region, 90),
        (NationalWage, 516),
        (OccupationOutlook, 533),
    ],
    ids=lambda value: getattr(value, "__tablename__", str(value)),
)
def test_table_row_counts(reference_engine: Engine, model: type, expected: int) -> None:
    assert scalar(reference_engine, select(func.count()).select_from(model)) == expected


def test_regional_wages_one_row_per_code_region_and_year(reference_engine: Engine) -> None:
    source = csv_rows(REGIONAL_WAGES)
    pairs = Counter((row["NOC_2021"], row["ER_Code"]) for row in source)
    assert len(source) == 11_448
    assert sum(1 for n in pairs.values() if n == 2) == 43  # merged NOC 2016 pairs, as the loader documents
    assert scalar(reference_engine, select(func.count()).select_from(RegionalWage)) == len(pairs) * 3
    merged = rows_of(
        reference_engine, select(RegionalWage.noc2016_codes).where(RegionalWage.noc2016_codes.contains(","))
    )
    assert len(merged) == 43 * 3


@pytest.mark.parametrize("dimension", sorted(OASIS_FILES))
def test_oasis_profiles_per_dimension(reference_engine: Engine, dimension: str) -> None:
    profiles = select(func.count(func.distinct(OasisProfileRating.profile_code))).where(
        OasisProfileRating.dimension == dimension
    )
    assert scalar(reference_engine, profiles) == 900


@pytest.mark.parametrize("dimension", sorted(OASIS_FILES))
def test_one_unit_group_rating_per_unit_group_and_descriptor(reference_engine: Engine, dimension: str) -> None:
    path, delimiter, code_column = OASIS_FILES[dimension]
    descriptors = descriptor_names(path, delimiter, code_column)
    ratings = rows_of(
        reference_engine,
        select(UnitGroupRating.noc_code, UnitGroupRating.descriptor).where(UnitGroupRating.dimension == dimension),
    )
    assert len(ratings) == len(set(ratings)) == 516 * len(descriptors)
    assert {noc_code for noc_code, _ in ratings} == {row["noc_code"] for row in csv_rows(UNIT_GROUPS)}
    assert {descriptor for _, descriptor in ratings} == set(descriptors)
    if dimension == "skill":
        assert len(descriptors) == 33


# --- Provenance -----------------------------------------------------------------------------------


def test_one_source_file_row_per_file_with_its_checksum_and_licence(reference_engine: Engine) -> None:
    recorded = {
        path: (sha256, rows, licence)
        for path, sha256, rows, licence in rows_of(
            reference_engine, select(SourceFile.path, SourceFile.sha256, SourceFile.rows, SourceFile.licence)
        )
    }
    assert len(recorded) == 13
    expected_rows = expected_file_rows()
    assert recorded == {path: (file_sha256(path), expected_rows[path], OGL) for path in REFERENCE_FILES}


def test_every_source_is_recorded(reference_engine: Engine) -> None:
    sources = {source for (source,) in rows_of(reference_engine, select(SourceFile.source))}
    assert sources == set(SOURCE_KEYS)


# --- Known facts ----------------------------------------------------------------------------------


def test_registered_nurses_unit_group(reference_engine: Engine) -> None:
    with Session(reference_engine) as session:
        nurses = session.get_one(NocClass, "31301")
        assert (nurses.level, nurses.teer, nurses.parent_code, nurses.broad_category_code) == (5, 1, "3130", "3")
        assert nurses.title_fr == NURSES_FR
        assert [session.get_one(NocClass, code).level for code in ("3", "31", "313", "3130")] == [1, 2, 3, 4]


def test_unit_group_titles_and_teer_match_the_source(reference_engine: Engine) -> None:
    stored = {
        code: (title_en, title_fr, teer)
        for code, title_en, title_fr, teer in rows_of(
            reference_engine,
            select(NocClass.code, NocClass.title_en, NocClass.title_fr, NocClass.teer).where(NocClass.level == 5),
        )
    }
    expected = {row["noc_code"]: (row["title_en"], row["title_fr"], int(row["teer"])) for row in csv_rows(UNIT_GROUPS)}
    assert stored == expected


def test_national_wage_of_registered_nurses(reference_engine: Engine) -> None:
    (source,) = [row for row in csv_rows(NATIONAL_WAGES) if row["noc_code"] == "31301"]
    with Session(reference_engine) as session:
        wage = session.get_one(NationalWage, "31301")
    assert (wage.low, wage.median, wage.high, wage.unit) == (
        float(source["wage_low"]),
        float(source["wage_median"]),
        float(source["wage_high"]),
        "hour",
    )
    assert wage.median == 43.27


def test_toronto_2024_wage_of_registered_nurses(reference_engine: Engine) -> None:
    (source,) = [row for row in csv_rows(REGIONAL_WAGES) if (row["ER_Code"], row["NOC_2021"]) == ("ER3530", "31301")]
    with Session(reference_engine) as session:
        wage = session.get_one(RegionalWage, ("31301", "3530", 2024))
    assert (wage.low, wage.median, wage.high) == (
        float(source["Low_Wage_2024"]),
        float(source["Median_Wage_2024"]),
        float(source["High_Wage_2024"]),
    )
    assert (wage.low, wage.median, wage.high) == (28.0, 40.0, 50.0)


def test_suppressed_national_wage_is_null_with_its_note(reference_engine: Engine) -> None:
    (source,) = [row for row in csv_rows(NATIONAL_WAGES) if row["noc_code"] == "00013"]
    with Session(reference_engine) as session:
        wage = session.get_one(NationalWage, "00013")
    assert (wage.low, wage.median, wage.high) == (None, None, None)
    assert wage.note == source["wage_note"] != ""


# --- OaSIS derivation -----------------------------------------------------------------------------


@pytest.mark.parametrize("dimension", sorted(OASIS_FILES))
def test_unit_group_rating_is_the_rounded_mean_of_its_profiles(reference_engine: Engine, dimension: str) -> None:
    path, delimiter, code_column = OASIS_FILES[dimension]
    profiles = [row for row in csv_rows(path, delimiter) if row[code_column].startswith("31301.")]
    assert len(profiles) == 6
    descriptors = descriptor_names(path, delimiter, code_column)
    expected = {d: round(sum(float(p[d]) for p in profiles) / len(profiles), 2) for d in descriptors}

    stored = rows_of(
        reference_engine,
        select(UnitGroupRating.descriptor, UnitGroupRating.rating, UnitGroupRating.profile_count).where(
            UnitGroupRating.noc_code == "31301", UnitGroupRating.dimension == dimension
        ),
    )
    assert {descriptor: rating for descriptor, rating, _ in stored} == pytest.approx(expected, abs=1e-9)
    assert {count for _, _, count in stored} == {6}


def test_a_mean_that_is_not_a_whole_number(reference_engine: Engine) -> None:
    """Social Perceptiveness of the six 31301 skill profiles: a mean with a repeating decimal, rounded."""
    profiles = [row for row in csv_rows(OASIS_SKILLS, ";") if row["Code OaSIS"].startswith("31301.")]
    values = [int(p["Social Perceptiveness"]) for p in profiles]
    assert sum(values) % len(values) != 0
    rating = scalar(
        reference_engine,
        select(UnitGroupRating.rating).where(
            UnitGroupRating.noc_code == "31301",
            UnitGroupRating.dimension == "skill",
            UnitGroupRating.descriptor == "Social Perceptiveness",
        ),
    )
    assert rating == round(sum(values) / len(values), 2)


@pytest.mark.parametrize(
    ("raw", "normalized"),
    [("31100.1", "31100.10"), ("10010", "10010.00"), ("31301.01", "31301.01"), ("31100.14", "31100.14")],
)
def test_normalize_oasis_profile(raw: str, normalized: str) -> None:
    assert normalize_oasis_profile(raw) == normalized


def test_profile_codes_that_lost_trailing_zeros_are_stored_normalized(reference_engine: Engine) -> None:
    knowledge_codes = [row["OaSIS Code - Final"] for row in csv_rows(OASIS_KNOWLEDGE)]
    work_activity_codes = [row["OaSIS Code - Final"] for row in csv_rows(OASIS_WORK_ACTIVITIES)]
    assert "31100.1" in knowledge_codes and "31100.10" not in knowledge_codes
    assert "10010" in work_activity_codes

    def stored_profiles(dimension: str, unit_group: str) -> set[str]:
        statement = select(OasisProfileRating.profile_code).where(
            OasisProfileRating.dimension == dimension, OasisProfileRating.noc_code == unit_group
        )
        return {code for (code,) in rows_of(reference_engine, statement.distinct())}

    assert "31100.10" in stored_profiles("knowledge", "31100")
    assert "31100.1" not in stored_profiles("knowledge", "31100")
    assert stored_profiles("work_activity", "10010") == {"10010.00"}


# --- COPS -----------------------------------------------------------------------------------------


def test_cops_codes_without_leading_zeros_are_stored_padded(reference_engine: Engine) -> None:
    source = {row["Code"]: row for row in csv_rows(COPS)}
    assert {"10", "11", "12", "13", "14", "15"} <= set(source)
    stored = {
        code: (noc_code, scope, name_en)
        for code, noc_code, scope, name_en in rows_of(
            reference_engine,
            select(
                OccupationOutlook.code, OccupationOutlook.noc_code, OccupationOutlook.scope, OccupationOutlook.name_en
            ),
        )
    }
    for short in ("10", "11", "12", "13", "14", "15"):
        padded = short.zfill(5)
        assert stored[padded] == (padded, "unit_group", source[short]["Occupation_Name"])
        assert short not in stored


def test_every_unit_group_has_an_outlook(reference_engine: Engine) -> None:
    noc_codes = rows_of(
        reference_engine, select(OccupationOutlook.noc_code).where(OccupationOutlook.scope == "unit_group")
    )
    assert {code for (code,) in noc_codes} == {row["noc_code"] for row in csv_rows(UNIT_GROUPS)}
    assert len(noc_codes) == 516


def test_cops_aggregates_are_stored_with_their_scope(reference_engine: Engine) -> None:
    aggregates = rows_of(
        reference_engine,
        select(OccupationOutlook.code, OccupationOutlook.scope, OccupationOutlook.noc_code).where(
            OccupationOutlook.scope != "unit_group"
        ),
    )
    expected = (
        [("ALL", "all", None)]
        + [(f"TEER_{n}", "teer", None) for n in range(6)]
        + [(f"NOC1_{n}", "broad_category", None) for n in range(10)]
    )
    assert sorted(aggregates) == sorted(expected)
    (everything,) = [row for row in csv_rows(COPS) if row["Code"] == "0"]
    stored_total = scalar(
        reference_engine, select(OccupationOutlook.employment_2023).where(OccupationOutlook.code == "ALL")
    )
    assert stored_total == float(everything["Employment_emploi_2023"])


# --- Idempotency and failed imports, on a database of their own ---------------------------------------


@dataclass(frozen=True)
class FreshImport:
    engine: Engine
    reports: list[SourceReport]


@pytest.fixture(scope="module")
def fresh_import(database_factory) -> Iterator[FreshImport]:
    """A new database of the current backend holding all the reference data, for tests that re-import."""
    engine = create_database_engine(database_factory.new_url())
    reports = import_reference(engine, DATA_DIR, show_progress=False)
    yield FreshImport(engine, reports)
    engine.dispose()


def test_first_import_reports_every_source_and_file(fresh_import: FreshImport) -> None:
    assert [report.key for report in fresh_import.reports] == list(SOURCE_KEYS)
    assert all(report.imported for report in fresh_import.reports)
    file_rows = {path: rows for report in fresh_import.reports for path, rows in report.rows.items()}
    assert file_rows == expected_file_rows()


def test_unchanged_reimport_skips_every_source(fresh_import: FreshImport) -> None:
    before = table_contents(fresh_import.engine, exclude=frozenset())
    reports = import_reference(fresh_import.engine, DATA_DIR, show_progress=False)
    assert [(report.key, report.imported, report.rows) for report in reports] == [
        (key, False, {}) for key in SOURCE_KEYS
    ]
    assert table_contents(fresh_import.engine, exclude=frozenset()) == before


def test_forced_reimport_leaves_identical_content(fresh_import: FreshImport) -> None:
    ignored = frozenset({"id", "imported_at"})
    before = table_contents(fresh_import.engine, exclude=ignored)
    reports = import_reference(fresh_import.engine, DATA_DIR, force=True, show_progress=False)
    assert [(report.key, report.imported) for report in reports] == [(key, True) for key in SOURCE_KEYS]
    after = table_contents(fresh_import.engine, exclude=ignored)
    assert after.keys() == before.keys()
    for table in before:
        assert after[table] == before[table], table


def replace(old: bytes, new: bytes) -> Callable[[bytes], bytes]:
    return lambda line: line.replace(old, new, 1)


def edit_fields(change: Callable[[list[str]], None], delimiter: str = ",") -> Callable[[bytes], bytes]:
    """Parse the line as one CSV record, change its fields, and write it back with the same line ending."""

    def edit(line: bytes) -> bytes:
        text = line.decode()
        body = text.rstrip("\r\n")
        fields = next(csv.reader([body], delimiter=delimiter))
        change(fields)
        out = io.StringIO()
        csv.writer(out, delimiter=delimiter, lineterminator=text[len(body) :]).writerow(fields)
        return out.getvalue().encode()

    return edit


def set_field(number: int, value: str, delimiter: str = ",") -> Callable[[bytes], bytes]:
    def change(fields: list[str]) -> None:
        fields[number - 1] = value

    return edit_fields(change, delimiter)


def keep_fields(count: int) -> Callable[[bytes], bytes]:
    def change(fields: list[str]) -> None:
        del fields[count:]

    return edit_fields(change)


def append_field(value: str) -> Callable[[bytes], bytes]:
    return edit_fields(lambda fields: fields.append(value))


@dataclass(frozen=True)
class Malformed:
    """One edited line of one reference file, and the error the import must report."""

    name: str
    source: str
    path: str
    line_prefix: bytes  # the first line starting with this is edited
    edit: Callable[[bytes], bytes]
    column: str | None
    column_number: int | None
    message: str
    line_offset: int = 0  # the error is on this many lines after the edited one


def repeat_line(line: bytes) -> bytes:
    return line + line


FRENCH_NURSE_TITLE = "31301,fr,Agent/agente de prévention des infections"
MALFORMED = [
    Malformed(
        "job-title-6-digit-code",
        "job_titles",
        JOB_TITLES,
        b"31301,fr,",
        replace(b"31301,", b"313010,"),
        "noc_code",
        1,
        "expected a 5-digit NOC 2021 unit group code, found '313010'",
    ),
    Malformed(
        "job-title-unknown-language",
        "job_titles",
        JOB_TITLES,
        b"31301,en,",
        replace(b",en,", b",de,"),
        "lang",
        2,
        "expected one of ['en', 'fr'], found 'de'",
    ),
    Malformed(
        "job-title-missing-field",
        "job_titles",
        JOB_TITLES,
        b"31301,en,",
        keep_fields(2),
        "job_title",
        3,
        "expected 3 fields, found 2",
    ),
    Malformed(
        "job-title-extra-field",
        "job_titles",
        JOB_TITLES,
        b"31301,en,",
        append_field("extra"),
        None,
        4,
        "expected 3 fields, found 4",
    ),
    Malformed(
        "job-title-invalid-utf8",
        "job_titles",
        JOB_TITLES,
        b"31301,fr,",
        replace(b"31301,fr,", b"31301,fr,\xff"),
        None,
        None,
        "not valid UTF-8 at character 10 of the line",
    ),
    Malformed(
        "job-title-invalid-utf8-after-accents",
        "job_titles",
        JOB_TITLES,
        FRENCH_NURSE_TITLE.encode(),
        replace(b"infections", b"infections\xff"),
        None,
        None,
        f"not valid UTF-8 at character {len(FRENCH_NURSE_TITLE) + 1} of the line",
    ),
    Malformed(
        "oasis-invalid-utf8-at-line-start-in-a-file-with-bom",
        "oasis_knowledge",
        OASIS_KNOWLEDGE,
        b"31301.01,",
        replace(b"31301.01,", b"\xff31301.01,"),
        None,
        None,
        "not valid UTF-8 at character 1 of the line",
    ),
    Malformed(
        "job-title-unclosed-quote",
        "job_titles",
        JOB_TITLES,
        b"31301,fr,",
        replace(b",fr,", b',fr,"'),
        None,
        None,
        "malformed CSV",
    ),
    Malformed(
        "job-title-unclosed-quote-near-the-end",
        "job_titles",
        JOB_TITLES,
        b"95109,fr,Personne de courses - imprimerie",
        replace(b",fr,", b',fr,"'),
        None,
        None,
        "malformed CSV",
    ),
    Malformed(
        "national-wage-not-a-number",
        "wages_national",
        NATIONAL_WAGES,
        b"31301,",
        set_field(5, "forty-three"),
        "wage_median",
        5,
        "expected a number, found 'forty-three'",
    ),
    Malformed(
        "regional-wage-decimal-comma",
        "wages_regional",
        REGIONAL_WAGES,
        b"ER3530,3012,31301,",
        set_field(11, "40,0"),
        "Median_Wage_2024",
        11,
        "expected a number, found '40,0'",
    ),
    Malformed(
        "knowledge-rating-out-of-range",
        "oasis_knowledge",
        OASIS_KNOWLEDGE,
        b"31301.01,",
        set_field(13, "4"),
        "Hospitality",
        13,
        "expected a rating from 0 to 3, found '4'",
    ),
    Malformed(
        "ability-rating-under-a-spaced-header",
        "oasis_ability",
        OASIS_ABILITIES,
        b"31301.01,",
        set_field(4, "6"),
        "Deductive Reasoning",
        4,
        "expected a rating from 0 to 5, found '6'",
    ),
    Malformed(
        "skill-rating-not-a-number",
        "oasis_skill",
        OASIS_SKILLS,
        b"31301.01;",
        set_field(3, "high", ";"),
        "Oral Communication: Active Listening",
        3,
        "expected a number, found 'high'",
    ),
    Malformed(
        "oasis-profile-of-an-unknown-unit-group",
        "oasis_work_activity",
        OASIS_WORK_ACTIVITIES,
        b"31301.01,",
        replace(b"31301.01,", b"31399.01,"),
        "OaSIS Code - Final",
        1,
        "'31399' is not a NOC 2021 unit group",
    ),
    Malformed(
        "geography-header-lacks-a-column",
        "geography",
        GEOGRAPHY,
        b"level,",
        replace(b",name_fr,", b",nom_fr,"),
        "name_fr",
        None,
        "the header lacks the column 'name_fr'",
    ),
    Malformed(
        "element-type-unknown-after-multiline-records",
        "unit_group_elements",
        ELEMENTS,
        b"31301,Registered nurses and registered psychiatric nurses,Main duties,",
        replace(b",Main duties,", b",Main tasks,"),
        "element_type",
        3,
        "found 'Main tasks'",
    ),
    Malformed(
        "concordance-4-digit-noc2021-code-after-multiline-records",
        "concordance",
        CONCORDANCE,
        b"9619,",
        replace(b",95109,", b",9510,"),
        "NOC 2021 V1.0 Code",
        4,
        "expected a 5-digit NOC 2021 unit group code, found '9510'",
    ),
    Malformed(
        "cops-unknown-code",
        "cops_outlook",
        COPS,
        b"31301,",
        replace(b"31301,", b"TEER_X,"),
        "Code",
        1,
        "expected a NOC 2021 code, TEER_n or NOC1_n, found 'TEER_X'",
    ),
    Malformed(
        "unit-group-teer-contradicts-code",
        "noc_classification",
        UNIT_GROUPS,
        b"31301,",
        set_field(4, "2"),
        "teer",
        4,
        "the second digit of 31301 is its TEER, found TEER 2",
    ),
    Malformed(
        "structure-code-length-contradicts-level",
        "noc_classification",
        STRUCTURE,
        b"4,Minor Group,3130,",
        replace(b",3130,", b",31300,"),
        "Code - NOC 2021 V1.0",
        3,
        "a level-4 class has a 4-digit code, found '31300'",
    ),
    Malformed(
        "national-wage-repeated-row",
        "wages_national",
        NATIONAL_WAGES,
        b"31301,",
        repeat_line,
        "noc_code",
        1,
        "duplicate '31301'",
        line_offset=1,
    ),
    Malformed(
        "cops-repeated-row", "cops_outlook", COPS, b"31301,", repeat_line, "Code", 1, "duplicate '31301'", line_offset=1
    ),
    Malformed(
        "unit-group-repeated-row",
        "noc_classification",
        UNIT_GROUPS,
        b"31301,",
        repeat_line,
        "noc_code",
        1,
        "duplicate '31301'",
        line_offset=1,
    ),
    Malformed(
        "oasis-repeated-profile",
        "oasis_skill",
        OASIS_SKILLS,
        b"31301.01;",
        repeat_line,
        "Code OaSIS",
        1,
        "duplicate '31301.01'",
        line_offset=1,
    ),
    Malformed(
        "oasis-profile-repeated-once-normalized",
        "oasis_knowledge",
        OASIS_KNOWLEDGE,
        b"31100.09,",
        replace(b"31100.09,", b"31100.10,"),
        "OaSIS Code - Final",
        1,
        "duplicate '31100.10'",
        line_offset=1,
    ),
    Malformed(
        "region-repeated-row",
        "geography",
        GEOGRAPHY,
        b"economic_region,3530,",
        repeat_line,
        "code",
        2,
        "duplicate '3530'",
        line_offset=1,
    ),
]


@pytest.mark.parametrize("case", MALFORMED, ids=lambda case: case.name)
def test_malformed_source_is_reported_and_leaves_the_data_intact(
    fresh_import: FreshImport, tmp_path: Path, case: Malformed
) -> None:
    edited = line_number(case.path, case.line_prefix)
    bad_dir = build_data_dir(tmp_path / "data", {case.path: edited_copy(case.path, edited, case.edit)})
    line = edited + case.line_offset
    before = table_counts(fresh_import.engine)

    with pytest.raises(SourceFormatError) as raised:
        import_reference(fresh_import.engine, bad_dir, only=[case.source], force=True, show_progress=False)

    error = raised.value
    assert (error.path, error.line, error.column, error.column_number) == (
        case.path,
        line,
        case.column,
        case.column_number,
    )
    assert case.message in error.message
    shown = str(error)  # what the CLI prints
    assert shown.startswith(f"{case.path}, line {line}")
    if case.column is not None:
        assert repr(case.column) in shown
    if case.column is not None and case.column_number is not None:
        assert f"column {case.column_number} ({case.column!r})" in shown
    assert "None" not in shown
    assert table_counts(fresh_import.engine) == before
    # The checksum of the good file is still the recorded one: an ordinary import skips the source.
    reports = import_reference(fresh_import.engine, DATA_DIR, only=[case.source], show_progress=False)
    assert [report.imported for report in reports] == [False]


@pytest.mark.parametrize(
    ("path", "prefix"),
    [(ELEMENTS, b"31301,Registered nurses and registered psychiatric nurses,Main duties,"), (CONCORDANCE, b"9619,")],
)
def test_expected_lines_of_multiline_files_are_physical_lines(path: str, prefix: bytes) -> None:
    """Records before these lines span several lines, so a record count would give a smaller number."""
    text = (DATA_DIR / path).read_text(encoding="utf-8-sig")
    records = [",".join(fields) for fields in csv.reader(io.StringIO(text, newline=""))]
    position = next(n for n, record in enumerate(records, start=1) if record.startswith(prefix.decode()))
    assert line_number(path, prefix) > position


def test_failure_after_writing_rolls_back_the_whole_source(
    fresh_import: FreshImport, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each source is one transaction: rows already replaced, and provenance, are rolled back on failure."""
    line = line_number(NATIONAL_WAGES, b"31301,")
    changed = edited_copy(NATIONAL_WAGES, line, set_field(5, "99.99"))  # a valid file, with another median
    changed_dir = build_data_dir(tmp_path / "data", {NATIONAL_WAGES: changed})
    (national,) = [source for source in runner.SOURCES if source.key == "wages_national"]
    seen_in_transaction: list[float | None] = []

    def load_then_fail(session: Session, data_dir: Path, progress: Callable[[int], None]) -> dict[str, int]:
        national.load(session, data_dir, progress)
        seen_in_transaction.append(session.get_one(NationalWage, "31301").median)
        raise RuntimeError("failure after writing")

    monkeypatch.setattr(
        runner, "SOURCES", tuple(replace_field(s, load=load_then_fail) if s is national else s for s in runner.SOURCES)
    )
    before = table_contents(fresh_import.engine, exclude=frozenset({"id"}))

    with pytest.raises(RuntimeError, match="failure after writing"):
        import_reference(fresh_import.engine, changed_dir, only=["wages_national"], show_progress=False)

    assert seen_in_transaction == [99.99]
    assert table_contents(fresh_import.engine, exclude=frozenset({"id"})) == before
    recorded = scalar(fresh_import.engine, select(SourceFile.sha256).where(SourceFile.path == NATIONAL_WAGES))
    assert recorded == file_sha256(NATIONAL_WAGES)


def test_region_in_an_unknown_province_is_a_source_format_error(fresh_import: FreshImport, tmp_path: Path) -> None:
    line = line_number(GEOGRAPHY, b"economic_region,3530,")
    bad = edited_copy(GEOGRAPHY, line, set_field(5, "36"))
    bad_dir = build_data_dir(tmp_path / "data", {GEOGRAPHY: bad})
    with pytest.raises(SourceFormatError) as raised:
        import_reference(fresh_import.engine, bad_dir, only=["geography"], force=True, show_progress=False)
    assert (raised.value.line, raised.value.column, raised.value.column_number) == (line, "province_code", 5)


def test_missing_source_file(fresh_import: FreshImport, tmp_path: Path) -> None:
    bad_dir = build_data_dir(tmp_path / "data", omit=[JOB_TITLES])
    before = table_counts(fresh_import.engine)
    with pytest.raises(MissingSourceFileError) as raised:
        import_reference(fresh_import.engine, bad_dir, only=["job_titles"], show_progress=False)
    assert raised.value.path == bad_dir / JOB_TITLES
    assert str(bad_dir / JOB_TITLES) in str(raised.value)
    assert table_counts(fresh_import.engine) == before


def test_unknown_source_key_is_refused(fresh_import: FreshImport) -> None:
    with pytest.raises(ValueError, match=r"unknown source.*job_title\b"):
        import_reference(fresh_import.engine, DATA_DIR, only=["job_title"], show_progress=False)
