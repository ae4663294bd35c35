"""Mapping entries that read a cost or a duration from a listing's text ("parse"), and how the row
check takes their numbers."""

import pytest

from catalog.exceptions import InvalidMapping
from catalog.fields import CourseRecord
from catalog.mapping import compile_mapping
from catalog.validation import ReferenceCodes, check_row

COLUMNS = ["id", "title", "url", "price", "course_effort", "course_length", "Duration"]
CODES = ReferenceCodes(unit_groups=frozenset(), noc2016_successors={}, regions={})
MAPPING: dict[str, object] = {
    "course_id": "id",
    "cost_cad": {"column": "price", "parse": "cost_cad"},
    "duration_hours": {"template": "{course_effort} | {course_length}", "parse": "duration_hours"},
}


def row(**cells: str) -> dict[str, str]:
    return {"id": "A1", "title": "How to Learn Online", "url": "https://www.edx.org/course/a1", **cells}


def test_an_edx_row_gets_its_certificate_price_and_hours() -> None:
    cells = row(
        price="FREE-Add a Verified Certificate for $49 USD", course_effort="2–3 hours per week", course_length="2 Weeks"
    )
    record = check_row(2, cells, compile_mapping(MAPPING, COLUMNS), CODES)
    assert isinstance(record, CourseRecord)
    assert (record.cost_cad, record.duration_hours) == (67.12, 6.0)


def test_text_a_parser_cannot_read_gives_no_value_and_no_error() -> None:
    cells = row(price="Contact us", course_effort="", course_length="")
    record = check_row(2, cells, compile_mapping(MAPPING, COLUMNS), CODES)
    assert isinstance(record, CourseRecord)
    assert (record.cost_cad, record.duration_hours) == (None, None)


def test_a_length_alone_is_read_at_the_stated_pace() -> None:
    mapping = {"course_id": "id", "duration_hours": {"column": "Duration", "parse": "duration_hours"}}
    paced = {**mapping, "duration_hours": {"column": "Duration", "parse": "duration_hours", "hours_per_week": 10}}
    cells = row(Duration="1 - 4 Weeks")
    unpaced_record = check_row(2, cells, compile_mapping(mapping, COLUMNS), CODES)
    paced_record = check_row(2, cells, compile_mapping(paced, COLUMNS), CODES)
    assert isinstance(unpaced_record, CourseRecord) and isinstance(paced_record, CourseRecord)
    assert (unpaced_record.duration_hours, paced_record.duration_hours) == (None, 40.0)


def test_translated_values_are_parsed() -> None:
    spec = {"column": "Duration", "values": {"Semestre": "4 months"}, "parse": "duration_hours", "hours_per_week": 30}
    source = compile_mapping({"duration_hours": spec}, COLUMNS)["duration_hours"]
    assert source.extract({"Duration": "Semestre"}, encode=False) == "520"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"title": {"column": "title", "parse": "title"}}, "'title' cannot \"parse\""),
        ({"cost_cad": {"column": "price", "parse": "duration_hours"}}, 'must name its own field: "parse": "cost_cad"'),
        ({"cost_cad": {"column": "price", "parse": "cost_cad", "hours_per_week": 10}}, "only with"),
        ({"duration_hours": {"column": "Duration", "hours_per_week": 10}}, "only with"),
        ({"duration_hours": {"column": "Duration", "parse": "duration_hours", "hours_per_week": "10"}}, "a number"),
        ({"duration_hours": {"column": "Duration", "parse": "duration_hours", "hours_per_week": True}}, "a number"),
        ({"duration_hours": {"column": "Duration", "parse": "duration_hours", "hours_per_week": 0}}, "more than 0"),
        ({"duration_hours": {"column": "Duration", "parse": "duration_hours", "hours_per_week": 169}}, "at most 168"),
        ({"cost_cad": {"value": "$5", "parse": "cost_cad"}}, "must be a column name"),
        ({"cost_cad": {"column": "Prix", "parse": "cost_cad"}}, "no column 'Prix'"),
    ],
)
def test_bad_parse_entries_are_refused(spec: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidMapping, match=message):
        compile_mapping(spec, COLUMNS)
