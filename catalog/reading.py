"""Reading an uploaded catalog file into rows of text cells, each with the line it starts on.

CSV (comma, semicolon or tab, read from the header; quoted cells may span lines) or JSON (a list of
objects, or an object whose `courses` is one; nested objects are reached as ``a.b``, lists are
joined with ``;``, at most `MAX_JSON_DEPTH` levels deep). Text is UTF-8, with or without a byte-order
mark, else Windows-1252, which is what spreadsheets export in French Canada; UTF-16 and UTF-32 are
read by their byte-order mark (Excel's "Unicode text"); a `charset` given with the upload wins.
"""

import codecs
import csv
import io
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import accumulate, compress
from operator import not_, xor
from typing import Any, Literal

from catalog.exceptions import UnreadableCatalog
from catalog.fields import LIST_SEPARATOR, RowError

Format = Literal["csv", "json"]
DELIMITERS = (",", ";", "\t")
FALLBACK_ENCODING = "cp1252"
# The byte-order marks of UTF-16 and UTF-32 and the encoding each announces (UTF-32 LE's starts with
# UTF-16 LE's, so it is tried first).
WIDE_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# A catalog is a list of courses (in {"courses": [...]}), each an object whose members may hold objects
# or lists: a few levels. Deeper JSON is refused before it is parsed (Python's parser recurses, and
# gives up near a thousand levels).
MAX_JSON_DEPTH = 16
_BRACKET_STEPS = [1 if byte in b"[{" else -1 if byte in b"]}" else 0 for byte in range(256)]
_IS_QUOTE = [int(byte == ord('"')) for byte in range(256)]
_NEITHER_BRACKET_NOR_QUOTE = bytes(byte for byte in range(256) if not (_BRACKET_STEPS[byte] or _IS_QUOTE[byte]))


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
    """The text of an upload: in its `charset` when given, else in the encoding its byte-order mark
    announces, else UTF-8, else Windows-1252. A byte-order mark is not part of the text."""
    if charset:
        try:
            return content.decode(charset).removeprefix("\ufeff")
        except LookupError:
            raise UnreadableCatalog(f"Unknown charset {charset!r}.") from None
        except UnicodeDecodeError as error:
            raise UnreadableCatalog(
                _decoding_problem(content, error, charset), _line_of(content, error.start)
            ) from None
    for mark, encoding in WIDE_BYTE_ORDER_MARKS:
        if content.startswith(mark):
            return _decode_marked(content[len(mark) :], encoding)
    body = content.removeprefix(codecs.BOM_UTF8)
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return body.decode(FALLBACK_ENCODING)
    except UnicodeDecodeError as error:
        message = _decoding_problem(body, error, "UTF-8 nor Windows-1252")
        raise UnreadableCatalog(message, _line_of(body, error.start)) from None


def _decode_marked(body: bytes, encoding: str) -> str:
    """Text whose byte-order mark (removed) named its encoding: UTF-16 or UTF-32."""
    try:
        return body.decode(encoding)
    except UnicodeDecodeError as error:
        line = body[: error.start].decode(encoding, "replace").count("\n") + 1
        name = encoding.upper().removesuffix("-LE").removesuffix("-BE")
        raise UnreadableCatalog(
            f"The file starts with a {name} byte-order mark but is not {name} text: {error.reason} at byte "
            f"{error.start + 1} after the mark, on line {line}.",
            line,
        ) from None


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


def json_depth(text: str) -> int:
    """How deep arrays and objects nest in JSON text, without parsing it: brackets in strings do not
    count, and one never closed does (a parser would go down into it)."""
    data = text.encode("utf-8", "surrogatepass")
    # Escaped backslashes first, then escaped quotes: a string is then what lies between two quotes.
    unescaped = data.replace(b"\\\\", b"").replace(b'\\"', b"")
    marks = unescaped.translate(None, _NEITHER_BRACKET_NOR_QUOTE)  # brackets and quotes only
    in_string = accumulate(map(_IS_QUOTE.__getitem__, marks), xor)  # 1 from an opening quote to its closing one
    outside = compress(marks, map(not_, in_string))
    return max(accumulate(map(_BRACKET_STEPS.__getitem__, outside)), default=0)


def _read_json(text: str) -> Table:
    depth = json_depth(text)
    if depth > MAX_JSON_DEPTH:
        raise UnreadableCatalog(
            f"The JSON nests arrays and objects {depth:,} levels deep; a catalog may nest at most "
            f"{MAX_JSON_DEPTH} (a list of courses, each an object whose members may hold objects or lists)."
        )
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
