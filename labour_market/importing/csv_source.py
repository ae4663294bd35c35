"""Reading a source CSV so that every problem names the file, the line and the column."""

import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


class SourceFormatError(Exception):
    """A source file that cannot be imported, with where the problem is."""

    def __init__(self, path: str, line: int, column: str | None, column_number: int | None, message: str):
        self.path = path
        self.line = line
        self.column = column
        self.column_number = column_number
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.path}, line {self.line}"
        if self.column is not None:
            where += (
                f", column {self.column_number} ({self.column!r})"
                if self.column_number
                else f", column {self.column!r}"
            )
        return f"{where}: {self.message}"


class MissingSourceFileError(Exception):
    def __init__(self, path: Path):
        super().__init__(f"{path}: source file not found (is LMI_DATA_DIR / --data-dir right?)")
        self.path = path


@dataclass(frozen=True)
class CsvRow:
    """One record of a source CSV, with typed accessors that raise `SourceFormatError`."""

    path: str
    line: int
    columns: tuple[str, ...]
    values: dict[str, str]

    def error(self, column: str | None, message: str) -> SourceFormatError:
        number = self.columns.index(column) + 1 if column in self.columns else None
        return SourceFormatError(self.path, self.line, column, number, message)

    def text(self, column: str) -> str:
        value = self.values[column].strip()
        if not value:
            raise self.error(column, "a value is required")
        return value

    def optional_text(self, column: str, blanks: tuple[str, ...] = ("",)) -> str | None:
        value = self.values[column].strip()
        return None if value in blanks else value

    def matching(self, column: str, pattern: re.Pattern[str], expected: str) -> str:
        value = self.values[column].strip()
        if not pattern.fullmatch(value):
            raise self.error(column, f"expected {expected}, found {value!r}")
        return value

    def number(self, column: str, blanks: tuple[str, ...] = ("",)) -> float | None:
        value = self.values[column].strip()
        if value in blanks:
            return None
        try:
            return float(value)
        except ValueError:
            raise self.error(column, f"expected a number, found {value!r}") from None

    def rating(self, column: str, low: float, high: float) -> float:
        value = self.number(column)
        if value is None or not low <= value <= high:
            raise self.error(column, f"expected a rating from {low:g} to {high:g}, found {self.values[column]!r}")
        return value

    def unique(self, column: str, key: object, seen: set[object]) -> None:
        """Record `key`; a key met before on an earlier row is an error on this one."""
        if key in seen:
            raise self.error(column, f"duplicate {key!r}: an earlier row has the same key")
        seen.add(key)

    def choice(self, column: str, allowed: frozenset[str] | tuple[str, ...]) -> str:
        value = self.values[column].strip()
        if value not in allowed:
            raise self.error(column, f"expected one of {sorted(allowed)}, found {value!r}")
        return value


def read_csv(
    data_dir: Path, relative_path: str, required_columns: tuple[str, ...], delimiter: str = ","
) -> Iterator[CsvRow]:
    """Yield the records of a UTF-8 CSV, checking its header and the width of every record.

    Header names are compared with surrounding spaces removed (OaSIS headers carry stray ones).
    """
    path = data_dir / relative_path
    if not path.is_file():
        raise MissingSourceFileError(path)
    text = _decode(path.read_bytes(), relative_path)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise SourceFormatError(relative_path, 1, None, None, "the file is empty") from None
    columns = tuple(name.strip() for name in header)
    for required in required_columns:
        if required not in columns:
            raise SourceFormatError(relative_path, 1, required, None, f"the header lacks the column {required!r}")
    next_line = reader.line_num + 1
    try:
        for record in reader:
            line, next_line = next_line, reader.line_num + 1
            if not record:
                continue
            if len(record) != len(columns):
                column_number = min(len(record), len(columns)) + 1
                raise SourceFormatError(
                    relative_path,
                    line,
                    columns[column_number - 1] if column_number <= len(columns) else None,
                    column_number,
                    f"expected {len(columns)} fields, found {len(record)}",
                )
            yield CsvRow(relative_path, line, columns, dict(zip(columns, record, strict=True)))
    except csv.Error as exc:
        raise SourceFormatError(relative_path, next_line, None, None, f"malformed CSV: {exc}") from None


def _decode(raw: bytes, relative_path: str) -> str:
    """UTF-8 text without its byte order mark; a decoding error names its line and character."""
    body = raw.removeprefix(b"\xef\xbb\xbf")
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as exc:
        line_start = body.rfind(b"\n", 0, exc.start) + 1
        line = body.count(b"\n", 0, exc.start) + 1
        character = len(body[line_start : exc.start].decode("utf-8", errors="replace")) + 1
        raise SourceFormatError(
            relative_path, line, None, None, f"not valid UTF-8 at character {character} of the line"
        ) from None
