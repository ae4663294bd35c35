"""Reading an uploaded catalog file into rows of text cells, each with the line it starts on.

CSV (comma, semicolon or tab, read from the header; quoted cells may span lines) or JSON (a list of
objects, or an object whose `courses` is one; nested objects are reached as ``a.b``, lists are
joined with ``;``). Text is UTF-8, with or without a byte-order mark, else Windows-1252, which is
what spreadsheets export in French Canada; a `charset` given with the upload wins.
"""

import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

from catalog.exceptions import UnreadableCatalog
from catalog.fields import LIST_SEPARATOR, RowError

Format = Literal["csv", "json"]
DELIMITERS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1252"


@dataclass(frozen=True)
class RawRow:
    line: int  # CSV: the physical line the record starts on; JSON: the item's position, from 1
    cells: dict[str, str]


@dataclass(frozen=True)
class Table:
    columns: list[str]
    rows: list[RawRow]
    problems: list[RowError]  # rows that could not be read as records (too many cells…)


def decode(content: bytes, charset: str | None = None) -> str:
    if charset:
        try:
            return content.decode(charset)
        except LookupError:
            raise UnreadableCatalog(f"Unknown charset {charset!r}.") from None
        except UnicodeDecodeError as error:
            raise UnreadableCatalog(
                _decoding_problem(content, error, charset), _line_of(content, error.start)
            ) from None
    body = content.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        message = _decoding_problem(body, error, "UTF-8 nor Windows-1252")
        raise UnreadableCatalog(message, _line_of(body, error.start)) from None


def _line_of(content: bytes, offset: int) -> int:
    return content.count(b"\n", 0, offset) + 1


def _decoding_problem(content: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    return (
        f"The file is not {encoding} text: byte 0x{content[error.start]:02X} on line {_line_of(content, error.start)}."
    )


def read_table(content: bytes, file_format: Format, charset: str | None = None) -> Table:
    text = decode(content, charset)
    return _read_json(text) if file_format == "json" else _read_csv(text)


def guess_delimiter(header_line: str) -> str:
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def _read_csv(text: str) -> Table:
    header_line = text.split("\n", 1)[0]
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=guess_delimiter(header_line), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise UnreadableCatalog("The file is empty: the first line must name the columns.", 1) from None
    except csv.Error as error:
        raise UnreadableCatalog(f"Line 1 is not CSV: {error}.", 1) from None
    columns = [name.strip() for name in header]
    if not any(columns):
        raise UnreadableCatalog("The first line must name the columns.", 1)
    duplicated = sorted({name for name in columns if name and columns.count(name) > 1})
    if duplicated:
        raise UnreadableCatalog(f"The header names these columns twice: {', '.join(duplicated)}.", 1)
    rows: list[RawRow] = []
    problems: list[RowError] = []
    for line, record in _records(reader, lambda: reader.line_num):
        if not any(cell.strip() for cell in record):
            continue
        extra = [cell for cell in record[len(columns) :] if cell.strip()]
        if extra:
            problems.append(RowError(line, None, f"{len(record)} cells, but the header names {len(columns)} columns"))
            continue
        cells = {name: value for name, value in zip(columns, record, strict=False) if name}
        rows.append(RawRow(line, cells))
    return Table(columns, rows, problems)


def _records(reader: Iterator[list[str]], line_num: Callable[[], int]) -> Iterator[tuple[int, list[str]]]:
    """Each record with the line it starts on."""
    line = line_num() + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as error:
            raise UnreadableCatalog(f"Line {line} is not valid CSV: {error}.", line) from None
        yield line, record
        line = line_num() + 1


def _read_json(text: str) -> Table:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise UnreadableCatalog(
            f"The file is not JSON: {error.msg} (line {error.lineno}, column {error.colno}).", error.lineno
        ) from None
    items = document.get("courses") if isinstance(document, dict) else document
    if not isinstance(items, list):
        raise UnreadableCatalog('A JSON catalog is a list of courses, or an object whose "courses" is that list.')
    rows: list[RawRow] = []
    problems: list[RowError] = []
    columns: dict[str, None] = {}
    for position, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problems.append(RowError(position, None, "each course must be a JSON object"))
            continue
        cells = dict(_flatten(item))
        columns.update(dict.fromkeys(cells))
        rows.append(RawRow(position, cells))
    return Table(list(columns), rows, problems)


def _flatten(item: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, str]]:
    for key, value in item.items():
        name = f"{prefix}{key}"
        if isinstance(value, dict):
            yield from _flatten(value, f"{name}.")
        elif isinstance(value, list):
            yield name, LIST_SEPARATOR.join(_text(element) for element in value if element is not None)
        elif value is not None:
            yield name, _text(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
