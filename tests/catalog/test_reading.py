"""Reading uploaded catalog files: encodings, CSV dialects, multi-line cells, JSON shapes."""

import codecs

import pytest

from catalog.exceptions import UnreadableCatalog
from catalog.reading import MAX_JSON_DEPTH, decode, json_depth, read_table

CSV = "course_id,title,url\nA1,Préposé aux bénéficiaires,https://example.ca/a1\n"


@pytest.mark.parametrize(
    "content",
    [
        CSV.encode("utf-8"),
        codecs.BOM_UTF8 + CSV.encode("utf-8"),
        CSV.encode("cp1252"),
        codecs.BOM_UTF16_LE + CSV.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + CSV.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + CSV.encode("utf-32-le"),
        codecs.BOM_UTF32_BE + CSV.encode("utf-32-be"),
    ],
    ids=["utf-8", "utf-8 with BOM", "windows-1252", "utf-16 LE", "utf-16 BE", "utf-32 LE", "utf-32 BE"],
)
def test_accents_survive_every_accepted_encoding(content: bytes) -> None:
    table = read_table(content, "csv")
    assert table.columns == ["course_id", "title", "url"]
    assert table.rows[0].cells["title"] == "Préposé aux bénéficiaires"


def test_a_given_charset_wins() -> None:
    assert decode("Élève".encode("latin-1"), "latin-1") == "Élève"


@pytest.mark.parametrize("charset", ["utf-8", "utf-16"])
def test_a_byte_order_mark_is_not_text_even_with_a_given_charset(charset: str) -> None:
    assert decode(("\ufeff" + CSV).encode(charset), charset) == CSV


def test_utf16_that_breaks_off_is_reported_with_its_line() -> None:
    content = codecs.BOM_UTF16_LE + CSV.encode("utf-16-le") + b"A"  # half a character
    with pytest.raises(UnreadableCatalog, match="not UTF-16 text: truncated data") as caught:
        read_table(content, "csv")
    assert caught.value.line == 3


def test_bytes_that_are_no_text_are_reported_with_their_line() -> None:
    content = CSV.encode() + b"A2,bad \x81 byte,https://example.ca\n"
    with pytest.raises(UnreadableCatalog, match="byte 0x81 on line 3") as caught:
        read_table(content, "csv")
    assert caught.value.line == 3


def test_multi_line_cells_keep_the_line_their_row_starts_on() -> None:
    content = b'course_id,title,description,url\nA1,One,"first line\nsecond line",https://a.ca\nA2,Two,,https://b.ca\n'
    table = read_table(content, "csv")
    assert [(row.line, row.cells["course_id"]) for row in table.rows] == [(2, "A1"), (4, "A2")]
    assert table.rows[0].cells["description"] == "first line\nsecond line"


@pytest.mark.parametrize("delimiter", [";", "\t"])
def test_the_delimiter_is_read_from_the_header(delimiter: str) -> None:
    content = CSV.replace(",", delimiter).encode()
    assert read_table(content, "csv").rows[0].cells["url"] == "https://example.ca/a1"


def test_a_row_with_more_cells_than_the_header_is_a_row_problem() -> None:
    table = read_table(CSV.encode() + b"A2,Two,https://b.ca,extra\n", "csv")
    assert [row.line for row in table.rows] == [2]
    assert [(problem.line, problem.reason) for problem in table.problems] == [
        (3, "4 cells, but the header names 3 columns")
    ]


def test_blank_rows_are_skipped() -> None:
    assert len(read_table(CSV.encode() + b",,\n\n", "csv").rows) == 1


def test_a_header_naming_a_column_twice_is_refused() -> None:
    with pytest.raises(UnreadableCatalog, match="twice: title"):
        read_table(b"course_id,title,title\n", "csv")


def test_json_list_nested_objects_and_lists() -> None:
    content = '[{"nid": 9185, "title": "Esthétique", "area": {"title": "Trades"}, "codes": ["6562", "6561"]}]'
    table = read_table(content.encode(), "json")
    assert table.rows[0].cells == {"nid": "9185", "title": "Esthétique", "area.title": "Trades", "codes": "6562;6561"}
    assert table.columns == ["nid", "title", "area.title", "codes"]


def test_json_object_with_courses() -> None:
    table = read_table(b'{"courses": [{"course_id": "A"}, 5]}', "json")
    assert [row.line for row in table.rows] == [1]
    assert [(problem.line, problem.reason) for problem in table.problems] == [(2, "each course must be a JSON object")]


@pytest.mark.parametrize("content", [b'{"courses": 3}', b"[1,", b'"text"'])
def test_json_that_is_no_catalog_is_refused(content: bytes) -> None:
    with pytest.raises(UnreadableCatalog):
        read_table(content, "json")


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ('[{"title": "[[[{{{", "area": {"codes": [1, 2]}}]', 4),
        ('{"courses": [{"title": "a \\"[quoted]\\" \\\\", "x": [[]]}]}', 5),
        ("[" * 50_000, 50_000),
        ("3", 0),
    ],
    ids=["brackets in strings", "escaped quotes and backslashes", "never closed", "no array or object"],
)
def test_json_depth_counts_the_arrays_and_objects_a_parser_goes_into(text: str, depth: int) -> None:
    assert json_depth(text) == depth


def test_json_as_deep_as_allowed_is_read() -> None:
    course = '{"course_id": "A", "title": "T", "url": "https://a.ca", "more": ' + "[" * (MAX_JSON_DEPTH - 3)
    content = '{"courses": [' + course + "]" * (MAX_JSON_DEPTH - 3) + "}]}"
    assert json_depth(content) == MAX_JSON_DEPTH
    assert read_table(content.encode(), "json").rows[0].cells["course_id"] == "A"


@pytest.mark.parametrize("depth", [MAX_JSON_DEPTH + 1, 900, 1000, 100_000])
def test_json_nested_deeper_than_a_catalog_is_refused_before_it_is_parsed(depth: int) -> None:
    for content in ("[" * depth + "]" * depth, "[" * depth):
        with pytest.raises(
            UnreadableCatalog, match=f"{depth:,} levels deep; a catalog may nest at most {MAX_JSON_DEPTH}"
        ):
            read_table(content.encode(), "json")
