"""`read_csv` and `CsvRow` on tiny files: every problem names the file, the line and the column."""

import re
from pathlib import Path

import pytest

from labour_market.codes import NOC2021_UNIT_GROUP, parent_class_code
from labour_market.importing.csv_source import CsvRow, MissingSourceFileError, SourceFormatError, read_csv

COLUMNS = ("code", "lang", "title")


def write(tmp_path: Path, content: str | bytes, name: str = "sample.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content.encode() if isinstance(content, str) else content)
    return name


def records(
    tmp_path: Path, content: str | bytes, columns: tuple[str, ...] = COLUMNS, delimiter: str = ","
) -> list[CsvRow]:
    return list(read_csv(tmp_path, write(tmp_path, content), columns, delimiter))


def format_error(tmp_path: Path, content: str | bytes, columns: tuple[str, ...] = COLUMNS) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as raised:
        records(tmp_path, content, columns)
    return raised.value


def test_rows_carry_their_physical_line_numbers(tmp_path: Path) -> None:
    content = 'code,lang,title\n31301,en,Nurse\n\n31301,fr,"Infirmier,\nautorisé"\n31301,en,Charge nurse\n'
    rows = records(tmp_path, content)
    assert [(row.line, row.values["title"]) for row in rows] == [
        (2, "Nurse"),
        (4, "Infirmier,\nautorisé"),
        (6, "Charge nurse"),
    ]
    assert rows[0].path == "sample.csv" and rows[0].columns == COLUMNS


def test_crlf_line_endings(tmp_path: Path) -> None:
    rows = records(tmp_path, 'code,lang,title\r\n31301,en,"a\r\nb"\r\n31301,fr,c\r\n')
    assert [(row.line, row.values["title"]) for row in rows] == [(2, "a\r\nb"), (4, "c")]


def test_byte_order_mark_and_stray_spaces_in_the_header(tmp_path: Path) -> None:
    (row,) = records(tmp_path, "\ufeffcode , lang,title \n31301,en,Nurse\n")
    assert row.columns == COLUMNS
    assert row.values == {"code": "31301", "lang": "en", "title": "Nurse"}


def test_other_delimiter(tmp_path: Path) -> None:
    (row,) = records(tmp_path, "code;lang;title\n31301;en;Nurse, registered\n", delimiter=";")
    assert row.values["title"] == "Nurse, registered"


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(MissingSourceFileError) as raised:
        list(read_csv(tmp_path, "absent.csv", COLUMNS))
    assert raised.value.path == tmp_path / "absent.csv"
    assert str(tmp_path / "absent.csv") in str(raised.value)


def test_empty_file(tmp_path: Path) -> None:
    error = format_error(tmp_path, "")
    assert (error.path, error.line, error.column) == ("sample.csv", 1, None)
    assert str(error) == "sample.csv, line 1: the file is empty"


def test_header_lacking_a_required_column(tmp_path: Path) -> None:
    error = format_error(tmp_path, "code,language,title\n31301,en,Nurse\n")
    assert (error.line, error.column, error.column_number) == (1, "lang", None)
    assert str(error) == "sample.csv, line 1, column 'lang': the header lacks the column 'lang'"


def test_record_with_too_few_fields_names_the_first_missing_column(tmp_path: Path) -> None:
    error = format_error(tmp_path, "code,lang,title\n31301,en,Nurse\n31301,fr\n")
    assert (error.line, error.column, error.column_number) == (3, "title", 3)
    assert str(error) == "sample.csv, line 3, column 3 ('title'): expected 3 fields, found 2"


def test_record_with_too_many_fields(tmp_path: Path) -> None:
    error = format_error(tmp_path, "code,lang,title\n31301,en,Nurse\n31301,en,Nurse,RN\n")
    assert (error.line, error.column, error.column_number) == (3, None, 4)
    assert error.message == "expected 3 fields, found 4"


def test_line_number_after_a_multiline_record(tmp_path: Path) -> None:
    error = format_error(tmp_path, 'code,lang,title\n31301,en,"a\nb\nc"\n31301,en\n')
    assert (error.line, error.column) == (5, "title")


def test_unclosed_quote_is_malformed_not_swallowed(tmp_path: Path) -> None:
    """Without strict quoting the rest of the file would silently become one field of line 3."""
    error = format_error(tmp_path, 'code,lang,title\n31301,en,Nurse\n31301,fr,"Infirmier\n31301,en,Charge nurse\n')
    assert (error.line, error.column) == (3, None)
    assert error.message.startswith("malformed CSV")


def test_text_after_a_closing_quote_is_malformed(tmp_path: Path) -> None:
    error = format_error(tmp_path, 'code,lang,title\n31301,en,"Nurse" RN\n')
    assert error.line == 2
    assert error.message.startswith("malformed CSV")


@pytest.mark.parametrize(
    ("content", "line", "position"),
    [
        pytest.param(b"code,lang,title\n31301,en,Nurse\n31301,fr,\xffInfirmier\n", 3, 10, id="ascii-prefix"),
        pytest.param(b"\xef\xbb\xbfco\xffde,lang,title\n", 1, 3, id="bom-file-header"),
        pytest.param(b"\xef\xbb\xbfcode,lang,title\n31301,en,\xffNurse\n", 2, 10, id="bom-file-later-line"),
        pytest.param(
            b"code,lang,title\n31301,fr,Infirmi\xc3\xa8re \xe9t\xc3\xa9\n", 2, 21, id="after-a-2-byte-character"
        ),
        pytest.param(
            b"\xef\xbb\xbfcode,lang,title\n31301,en,Nurse\n\xff,fr,Infirmier\n", 3, 1, id="bom-file-start-of-line"
        ),
    ],
)
def test_invalid_utf8_names_line_and_character(tmp_path: Path, content: bytes, line: int, position: int) -> None:
    error = format_error(tmp_path, content)
    assert (error.path, error.line, error.column) == ("sample.csv", line, None)
    assert str(error) == f"sample.csv, line {line}: not valid UTF-8 at character {position} of the line"


def test_latin1_file_is_rejected_at_its_first_accented_character(tmp_path: Path) -> None:
    content = "code,lang,title\n31301,en,Nurse\n31301,fr,Infirmière\n".encode("latin-1")
    error = format_error(tmp_path, content)
    assert (error.line, error.message) == (3, "not valid UTF-8 at character 17 of the line")


# --- CsvRow accessors -----------------------------------------------------------------------------


def row(**values: str) -> CsvRow:
    return CsvRow("sample.csv", 7, tuple(values), values)


def raised_by(call) -> SourceFormatError:
    with pytest.raises(SourceFormatError) as raised:
        call()
    return raised.value


def test_text_is_stripped_and_required() -> None:
    assert row(code=" 31301 ", title="Nurse").text("code") == "31301"
    error = raised_by(lambda: row(code="31301", title="  ").text("title"))
    assert str(error) == "sample.csv, line 7, column 2 ('title'): a value is required"


def test_optional_text_blanks() -> None:
    assert row(note="  ").optional_text("note") is None
    assert row(note="N/A").optional_text("note", ("", "N/A")) is None
    assert row(note="N/A").optional_text("note") == "N/A"


def test_number() -> None:
    assert row(wage=" 43.27 ").number("wage") == 43.27
    assert row(wage="").number("wage") is None
    assert row(wage="NA").number("wage", ("", "NA")) is None
    error = raised_by(lambda: row(code="31301", wage="43,27").number("wage"))
    assert (error.line, error.column, error.column_number) == (7, "wage", 2)
    assert error.message == "expected a number, found '43,27'"


@pytest.mark.parametrize(
    ("value", "valid"), [("0", True), ("3", True), ("2.5", True), ("3.01", False), ("-1", False), ("", False)]
)
def test_rating_range(value: str, valid: bool) -> None:
    subject = row(skill=value)
    if valid:
        assert subject.rating("skill", 0, 3) == float(value)
    else:
        error = raised_by(lambda: subject.rating("skill", 0, 3))
        assert error.message == f"expected a rating from 0 to 3, found {value!r}"
        assert (error.column, error.column_number) == ("skill", 1)


def test_choice() -> None:
    assert row(lang=" fr ").choice("lang", ("en", "fr")) == "fr"
    error = raised_by(lambda: row(lang="de").choice("lang", frozenset({"fr", "en"})))
    assert error.message == "expected one of ['en', 'fr'], found 'de'"


def test_matching() -> None:
    assert row(code="31301").matching("code", NOC2021_UNIT_GROUP, "a unit group code") == "31301"
    error = raised_by(lambda: row(code="313010").matching("code", NOC2021_UNIT_GROUP, "a unit group code"))
    assert error.message == "expected a unit group code, found '313010'"
    assert row(code="3130").matching("code", re.compile(r"\d{4}"), "a minor group") == "3130"


def test_error_for_a_column_the_row_does_not_have() -> None:
    error = row(code="31301").error("elsewhere", "problem")
    assert (error.column, error.column_number) == ("elsewhere", None)
    assert str(error) == "sample.csv, line 7, column 'elsewhere': problem"


def test_parent_class_code() -> None:
    assert [parent_class_code(code) for code in ("31301", "3130", "313", "31", "3")] == ["3130", "313", "31", "3", None]
