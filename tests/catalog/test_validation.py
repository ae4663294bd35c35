"""Checking one row: every problem with its line, column and reason; cells kept as text."""

import pytest

from catalog.fields import FIELDS, CourseRecord, RowError
from catalog.mapping import compile_mapping
from catalog.validation import ReferenceCodes, check_row, split_list

CODES = ReferenceCodes(
    unit_groups=frozenset({"31301", "33102"}),
    noc2016_successors={"3012": ("31301",)},
    regions={"ER3530": "3530", "3530": "3530", "ON": "35", "35": "35", "ER35": "35"},
)
COLUMNS = list(FIELDS)


def check(**cells: str) -> CourseRecord | list[RowError]:
    row = {"course_id": "A1", "title": "Soins", "url": "https://example.ca/a1", **cells}
    return check_row(7, row, compile_mapping(None, COLUMNS), CODES)


def test_a_good_row() -> None:
    record = check(
        skills="Patient care; Charting",
        noc_codes="31301;3012",
        language="Français",
        delivery_mode="in person",
        region="er3530",
        duration_hours="45",
        cost_cad="1 250,50 $",
        credential="Micro-credential",
        financial_aid="OSAP",
        start_dates="2027-01-11;2027-05-03",
    )
    assert isinstance(record, CourseRecord)
    assert (record.line, record.skills, record.noc_codes) == (7, ["Patient care", "Charting"], ["31301", "3012"])
    assert (record.language, record.delivery_mode, record.region) == ("fr", "in_person", "3530")
    assert (record.duration_hours, record.cost_cad, record.credential) == (45.0, 1250.5, "micro-credential")
    assert (record.financial_aid, record.start_dates, record.url_derived) == (
        ["OSAP"],
        ["2027-01-11", "2027-05-03"],
        False,
    )


def test_formula_like_cells_are_kept_as_text() -> None:
    record = check(title='=HYPERLINK("https://evil.example","click")', skills="+cmd;-2+3;@SUM(A1)")
    assert isinstance(record, CourseRecord)
    assert record.title == '=HYPERLINK("https://evil.example","click")'
    assert record.skills == ["+cmd", "-2+3", "@SUM(A1)"]


@pytest.mark.parametrize(
    ("cells", "column", "reason"),
    [
        ({"course_id": " "}, "course_id", "a value is required"),
        ({"title": ""}, "title", "a value is required"),
        ({"url": "javascript:alert(1)"}, "url", "must be an http:// or https:// link"),
        ({"url": "https://"}, "url", "must be an http:// or https:// link"),
        ({"noc_codes": "99999"}, "noc_codes", "'99999' is neither a NOC 2021 unit group"),
        ({"noc_codes": "３１３０１"}, "noc_codes", "is neither a NOC 2021 unit group"),
        ({"language": "de"}, "language", "expected one of en, fr"),
        ({"delivery_mode": "mail"}, "delivery_mode", "expected one of online, in_person, hybrid"),
        ({"region": "XX"}, "region", "is not a province"),
        ({"duration_hours": "-3"}, "duration_hours", "expected a number of 0 or more"),
        ({"cost_cad": "free"}, "cost_cad", "expected a number of 0 or more"),
        ({"credential": "badge"}, "credential", "expected one of micro-credential"),
        ({"start_dates": "2027-13-01"}, "start_dates", "expected dates as YYYY-MM-DD"),
        ({"title": "x" * 501}, "title", "at most 500 characters"),
    ],
)
def test_each_problem_names_its_line_column_and_reason(cells: dict[str, str], column: str, reason: str) -> None:
    errors = check(**cells)
    assert isinstance(errors, list)
    assert [(error.line, error.column) for error in errors] == [(7, column)]
    assert reason in errors[0].reason


def test_every_problem_of_a_row_is_reported() -> None:
    errors = check(url="ftp://x", language="de", cost_cad="abc")
    assert isinstance(errors, list)
    assert [error.column for error in errors] == ["url", "language", "cost_cad"]


def test_problems_name_the_column_of_the_file() -> None:
    sources = compile_mapping({"title": "Course title"}, ["course_id", "Course title", "url"])
    errors = check_row(3, {"course_id": "A", "Course title": "", "url": "https://a.ca"}, sources, CODES)
    assert errors == [RowError(3, "Course title", "a value is required")]


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("a; b ;c", ["a", "b", "c"]),
        ("Excel, Data Entry", ["Excel", "Data Entry"]),
        ("a, b; c", ["a, b", "c"]),
        ("", []),
    ],
)
def test_lists_split_on_semicolons_else_commas(text: str, parts: list[str]) -> None:
    assert split_list(text) == parts
