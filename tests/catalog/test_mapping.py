"""Column mappings: columns, templates, translated values, constants."""

import pytest

from catalog.exceptions import InvalidMapping
from catalog.mapping import compile_mapping

COLUMNS = ["Code", "Title", "Product"]


def test_unmapped_fields_come_from_same_named_columns() -> None:
    sources = compile_mapping({"course_id": "Code"}, ["Code", "title", "url"])
    assert {name: source.column for name, source in sources.items()} == {
        "course_id": "Code",
        "title": "title",
        "url": "url",
    }


def test_a_url_template_encodes_what_it_inserts_and_is_derived() -> None:
    source = compile_mapping({"url": "https://example.ca/search?q={Title}"}, COLUMNS)["url"]
    assert source.derived
    assert source.extract({"Title": "Soins & santé"}, encode=True) == "https://example.ca/search?q=Soins+%26+sant%C3%A9"


def test_a_template_with_no_value_gives_nothing() -> None:
    source = compile_mapping({"course_id": "{Code}-{Title}"}, COLUMNS)["course_id"]
    assert source.extract({"Code": " ", "Title": ""}, encode=False) is None
    assert source.extract({"Code": "A1", "Title": "X"}, encode=False) == "A1-X"


def test_values_are_translated_and_others_pass_through() -> None:
    spec = {"credential": {"column": "Product", "values": {"Specialization": "certificate"}}}
    source = compile_mapping(spec, COLUMNS)["credential"]
    assert source.extract({"Product": "Specialization"}, encode=False) == "certificate"
    assert source.extract({"Product": "Course"}, encode=False) == "Course"


def test_a_constant() -> None:
    assert compile_mapping({"language": {"value": "fr"}}, COLUMNS)["language"].extract({}, encode=False) == "fr"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ({"titre": "Title"}, "unknown field"),
        ({"title": "Name"}, "no column 'Name'"),
        ({"url": "https://x.ca/{Missing}"}, "no column 'Missing'"),
        ({"title": {"column": "Title", "values": {"a": 1}}}, "must be a column name"),
        ({"title": 5}, "must be a column name"),
    ],
)
def test_bad_mappings_are_refused(mapping: dict[str, object], message: str) -> None:
    with pytest.raises(InvalidMapping, match=message):
        compile_mapping(mapping, COLUMNS)
