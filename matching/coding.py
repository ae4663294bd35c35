"""Coding a CSV of job titles to NOC 2021 without a server (`lmi code`).

The file is streamed: rows are read in chunks, searched together (one embedding batch per chunk)
and written at once, so memory does not grow with the file. The output goes to a temporary file
next to the target, renamed into place only when every row is written.

A row that cannot be coded (no title, a title too long, more fields than the header) is written
with its reason in the `error` column, and coding goes on; only a file that cannot be read as a
whole stops it (CodingError).

Two engines code the same rows with the same function, :func:`code_records` (a chunk of records →
their output rows): the local one (:func:`code_csv`) reads, codes and writes in this process; the
cluster one (:mod:`matching.cluster`) first reads the file through once (:func:`scan_input`: the
same reader, so the same errors, and where every chunk of CHUNK_ROWS rows ends), then has worker
processes code byte ranges of whole chunks (:func:`code_range`), and writes what they return in
input order.
"""

import codecs
import csv
import io
import math
import os
import sys
import tempfile
import time
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Never

from tqdm import tqdm

from matching.engine import Matcher, SearchQuery, SearchResult

CHUNK_ROWS = 256
RESULTS_PER_ROW = 3  # the best match and two alternatives
TITLE_MAX_LENGTH = 200  # as the search API's `q`
INDUSTRY_MAX_LENGTH = 200  # as the search API's `industry`
DUTIES_MAX_LENGTH = 1000  # as the search API's `duties`
DEFAULT_TITLE_COLUMN = "title"
DELIMITERS = (",", ";", "\t")
OUTPUT_COLUMNS = (
    "noc_code",
    "noc_title",
    "score",
    "confidence",
    "match_type",
    "alt1_noc_code",
    "alt1_score",
    "alt2_noc_code",
    "alt2_score",
    "no_match",
    "error",
)
_SCAN_PROGRESS_ROWS = 1 << 16  # rows between two updates of the reading progress bar


class CodingError(Exception):
    """A problem with the input or output file, reported to the user as is (exit code 2)."""


@dataclass(frozen=True)
class CsvLayout:
    delimiter: str
    header: list[str]
    title_index: int
    industry_index: int | None
    duties_index: int | None = None

    @property
    def title_column(self) -> str:
        return self.header[self.title_index]


@dataclass(frozen=True)
class Record:
    """A data row fitted to the header's width, and why it cannot be coded (None: it can)."""

    cells: list[str]
    error: str | None = None


@dataclass(frozen=True)
class CodedRecords:
    """The output rows of some records (their cells followed by OUTPUT_COLUMNS), with how many matched
    and how many could not be coded."""

    rows: list[list[str]]
    matched: int
    errors: int


@dataclass(frozen=True)
class CodingSummary:
    rows: int
    matched: int
    seconds: float
    errors: int = 0

    @property
    def no_match(self) -> int:
        return self.rows - self.matched - self.errors

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


@dataclass(frozen=True)
class ByteRange:
    """Whole chunks of the input: its bytes `start` to `end`, holding `rows` non-blank data rows."""

    index: int
    start: int
    end: int
    rows: int


@dataclass(frozen=True)
class InputScan:
    """Where the input's chunks end: `ends[0]` is the end of the header, `ends[i]` the byte after the
    row that ends chunk i (CHUNK_ROWS non-blank rows, the last one fewer); `rows` non-blank rows in all."""

    ends: "array[int]"
    rows: int

    @property
    def chunks(self) -> int:
        return len(self.ends) - 1

    def ranges(self, chunks_per_range: int) -> list[ByteRange]:
        """The file cut into ranges of `chunks_per_range` whole chunks (the last one fewer)."""
        if chunks_per_range < 1:
            raise ValueError("a range holds at least one chunk")
        ranges = []
        for index, first in enumerate(range(0, self.chunks, chunks_per_range)):
            last = min(first + chunks_per_range, self.chunks)
            rows = min(last * CHUNK_ROWS, self.rows) - first * CHUNK_ROWS
            ranges.append(ByteRange(index, self.ends[first], self.ends[last], rows))
        return ranges


def guess_delimiter(header_line: str) -> str:
    """The most frequent of comma, semicolon and tab in the header line; comma if none."""
    counts = {delimiter: header_line.count(delimiter) for delimiter in DELIMITERS}
    best = max(DELIMITERS, key=lambda delimiter: counts[delimiter])
    return best if counts[best] else ","


def choose_column(header: Sequence[str], name: str | None, default_to_first: bool) -> int | None:
    """The index of column `name`; without a name, "title" (any case) or else the first column."""
    if name is not None:
        if name not in header:
            raise CodingError(f"no column {name!r}; the columns are: {', '.join(map(repr, header))}")
        return header.index(name)
    if not default_to_first:
        return None
    folded = [column.strip().lower() for column in header]
    return folded.index(DEFAULT_TITLE_COLUMN) if DEFAULT_TITLE_COLUMN in folded else 0


def inspect_input(
    path: Path, title_column: str | None, industry_column: str | None, duties_column: str | None = None
) -> CsvLayout:
    """Check that the input exists, is UTF-8 CSV with a header holding the named columns."""
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header_line = handle.readline()
    except FileNotFoundError:
        raise CodingError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise CodingError(f"{path}: is a directory") from None
    except UnicodeDecodeError as error:
        raise CodingError(f"{path}: not UTF-8 text ({error.reason} at byte {error.start} of the header)") from None
    if not header_line.strip():
        raise CodingError(f"{path}: no header line; the first line must name the columns")
    delimiter = guess_delimiter(header_line)
    header = next(csv.reader([header_line], delimiter=delimiter))
    clashes = [column for column in header if column in OUTPUT_COLUMNS]
    if clashes:
        raise CodingError(f"{path} already has the output column(s) {', '.join(clashes)}; rename them first")
    title_index = choose_column(header, title_column, default_to_first=True)
    assert title_index is not None
    return CsvLayout(
        delimiter,
        header,
        title_index,
        choose_column(header, industry_column, default_to_first=False),
        choose_column(header, duties_column, default_to_first=False),
    )


def count_rows(path: Path) -> int:
    """Lines after the header, counted in binary chunks (an estimate for the progress bar only)."""
    lines, last = 0, b"\n"
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            lines += chunk.count(b"\n")
            last = chunk[-1:]
    if last != b"\n":
        lines += 1
    return max(0, lines - 1)


def result_columns(result: SearchResult) -> list[str]:
    """The values of OUTPUT_COLUMNS for one search result (empty strings where there is no match)."""
    matches = result.results
    values = [""] * (len(OUTPUT_COLUMNS) - 2)
    if matches:
        best = matches[0]
        values[:5] = [best.noc_code, best.title, f"{best.score:.4f}", best.confidence, best.match_type]
        for rank, alternative in enumerate(matches[1:RESULTS_PER_ROW], start=1):
            values[3 + 2 * rank : 5 + 2 * rank] = [alternative.noc_code, f"{alternative.score:.4f}"]
    return [*values, "true" if result.no_match else "false", ""]


def error_columns(error: str) -> list[str]:
    """The values of OUTPUT_COLUMNS for a row that was not coded: all empty but `error`."""
    return [""] * (len(OUTPUT_COLUMNS) - 1) + [error]


def code_records(matcher: Matcher, records: Sequence[Record], layout: CsvLayout, lang: str) -> CodedRecords:
    """Each record's cells followed by OUTPUT_COLUMNS, in order: the codable ones searched together
    (as a batch, behind any person's search), the others with their `error`. Both engines code
    every row through this function."""
    codable = [record for record in records if record.error is None]
    queries = [_query(record.cells, layout) for record in codable]
    results = matcher.search_many(queries, lang, RESULTS_PER_ROW, background=True) if queries else []
    answers = iter(results)
    rows = [
        [*record.cells, *(result_columns(next(answers)) if record.error is None else error_columns(record.error))]
        for record in records
    ]
    return CodedRecords(rows, sum(not result.no_match for result in results), len(records) - len(codable))


def check_output(input_path: Path, output_path: Path) -> None:
    if output_path.resolve() == input_path.resolve():
        raise CodingError(f"{output_path}: the output must not overwrite the input")


@contextmanager
def atomic_output(input_path: Path, output_path: Path) -> Iterator[IO[str]]:
    """A temporary file next to `output_path`, renamed to it when the block ends without an error and
    removed otherwise: the output is complete or absent."""
    check_output(input_path, output_path)
    try:
        handle = tempfile.NamedTemporaryFile(  # noqa: SIM115 - entered below, once it is open
            "w", encoding="utf-8", newline="", dir=output_path.parent, prefix=f".{output_path.name}.", delete=False
        )
    except OSError as error:
        raise CodingError(f"{output_path}: cannot write there ({error.strerror})") from None
    temporary = Path(handle.name)
    try:
        _use_default_permissions(temporary)
        with handle:
            yield handle
        os.replace(temporary, output_path)
    finally:
        temporary.unlink(missing_ok=True)


def code_csv(
    matcher: Matcher,
    input_path: Path,
    output_path: Path,
    layout: CsvLayout,
    lang: str = "auto",
    *,
    progress: bool = True,
) -> CodingSummary:
    """Write `input_path` with OUTPUT_COLUMNS appended to every row; a row that cannot be coded gets
    its reason in `error`. Raises CodingError when the file cannot be read, and then leaves no
    output file behind."""
    started = time.perf_counter()
    with (
        atomic_output(input_path, output_path) as handle,
        input_path.open(encoding="utf-8-sig", newline="") as source,
        tqdm(total=count_rows(input_path), unit="row", desc="coding", file=sys.stderr, disable=not progress) as bar,
    ):
        reader = csv.reader(source, delimiter=layout.delimiter)
        writer = csv.writer(handle, delimiter=layout.delimiter)
        writer.writerow([*layout.header, *OUTPUT_COLUMNS])
        try:
            next(reader, None)
            chunks = _chunks(reader, layout)
            rows, matched, errors = _code_chunks(matcher, chunks, writer.writerows, layout, lang=lang, bar=bar)
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(input_path, error, reader.line_num) from None
    return CodingSummary(rows, matched, time.perf_counter() - started, errors)


def _code_chunks(
    matcher: Matcher,
    chunks: Iterable[list[Record]],
    write_rows: Callable[[Iterable[list[str]]], object],
    layout: CsvLayout,
    *,
    lang: str,
    bar: "tqdm[Never]",
) -> tuple[int, int, int]:
    """Search and write the rows chunk by chunk: (rows written, rows matched, rows with errors)."""
    rows = matched = errors = 0
    for chunk in chunks:
        coded = code_records(matcher, chunk, layout, lang)
        write_rows(coded.rows)
        rows += len(chunk)
        matched += coded.matched
        errors += coded.errors
        bar.update(len(chunk))
    return rows, matched, errors


def _unreadable(path: Path, error: UnicodeDecodeError | csv.Error, line_num: int) -> CodingError:
    """The message for a file the CSV reader stopped on, `line_num` being the reader's line then."""
    if isinstance(error, UnicodeDecodeError):
        return CodingError(f"{path}: not UTF-8 text ({error.reason} near line {line_num + 1})")
    return CodingError(f"{path}, line {line_num}: {error}")


# --- the cluster engine's reading: the same reader, cut into byte ranges of whole chunks -------------


class _CountedLines:
    """The lines of a text file opened with newline="" (so as they are in the file), counting the
    bytes read so far: after the CSV reader returns a row, `offset` is the byte after it."""

    def __init__(self, lines: Iterable[str], offset: int) -> None:
        self._lines = iter(lines)
        self.offset = offset

    def __iter__(self) -> "_CountedLines":
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.offset += len(line.encode("utf-8"))  # decoded strictly, so it encodes back to the same bytes
        return line


def scan_input(input_path: Path, layout: CsvLayout, *, progress: bool = False) -> InputScan:
    """Read the whole input as :func:`code_csv` does (raising the same CodingError where it would) and
    note where every chunk of CHUNK_ROWS non-blank rows ends. Memory: 8 bytes per chunk."""
    with input_path.open("rb") as raw:
        offset = len(codecs.BOM_UTF8) if raw.read(len(codecs.BOM_UTF8)) == codecs.BOM_UTF8 else 0
    with (
        input_path.open(encoding="utf-8-sig", newline="") as source,
        tqdm(
            total=input_path.stat().st_size,
            unit="B",
            unit_scale=True,
            desc="reading",
            file=sys.stderr,
            disable=not progress,
        ) as bar,
    ):
        lines = _CountedLines(source, offset)
        reader = csv.reader(lines, delimiter=layout.delimiter)
        try:
            next(reader, None)
            ends, rows, shown = array("q", [lines.offset]), 0, 0
            for row in reader:
                if _is_blank(row):
                    continue
                rows += 1
                if rows % CHUNK_ROWS == 0:
                    ends.append(lines.offset)
                if rows % _SCAN_PROGRESS_ROWS == 0:
                    bar.update(lines.offset - shown)
                    shown = lines.offset
        except (UnicodeDecodeError, csv.Error) as error:
            raise _unreadable(input_path, error, reader.line_num) from None
        if rows % CHUNK_ROWS:
            ends.append(lines.offset)
        bar.update(lines.offset - shown)
    return InputScan(ends, rows)


def chunks_per_range(rows: int, workers: int, ranges_per_worker: int = 16, max_chunks: int = 64) -> int:
    """How many chunks a range should hold so that each of `workers` gets about `ranges_per_worker`
    ranges (balanced to the end, progress shown often), but at most `max_chunks` (a few minutes of
    one worker's time) and at least one."""
    chunks = math.ceil(rows / CHUNK_ROWS)
    return max(1, min(max_chunks, math.ceil(chunks / max(1, workers * ranges_per_worker))))


@dataclass(frozen=True)
class CodedRange:
    """A range's output rows as CSV text (the input's delimiter, the csv module's line ends)."""

    index: int
    text: str
    rows: int
    matched: int
    errors: int


def code_range(matcher: Matcher, input_path: Path, part: ByteRange, layout: CsvLayout, lang: str) -> CodedRange:
    """Code the rows of one range of a file :func:`scan_input` read, as :func:`code_csv` codes them:
    the same chunks, through :func:`code_records`; the output rows come back as CSV text."""
    with input_path.open("rb") as handle:
        handle.seek(part.start)
        data = handle.read(part.end - part.start)
    reader = csv.reader(io.TextIOWrapper(io.BytesIO(data), encoding="utf-8", newline=""), delimiter=layout.delimiter)
    output = io.StringIO(newline="")
    writer = csv.writer(output, delimiter=layout.delimiter)
    rows = matched = errors = 0
    for chunk in _chunks(reader, layout):
        coded = code_records(matcher, chunk, layout, lang)
        writer.writerows(coded.rows)
        rows += len(chunk)
        matched += coded.matched
        errors += coded.errors
    if rows != part.rows:
        raise CodingError(
            f"{input_path} changed while it was being coded: bytes {part.start}-{part.end} now hold {rows} rows, "
            f"{part.rows} when it was read"
        )
    return CodedRange(part.index, output.getvalue(), rows, matched, errors)


# --- rows --------------------------------------------------------------------------------------------


def _chunks(reader: Iterator[list[str]], layout: CsvLayout) -> Iterator[list[Record]]:
    """Non-blank rows as records, CHUNK_ROWS at a time."""
    records = (_record(row, layout) for row in reader if not _is_blank(row))
    while chunk := list(islice(records, CHUNK_ROWS)):
        yield chunk


def _is_blank(row: Sequence[str]) -> bool:
    return not any(cell.strip() for cell in row)


def _record(row: list[str], layout: CsvLayout) -> Record:
    """The row fitted to the header's width, with what keeps it from being coded."""
    width = len(layout.header)
    cells, extra = row[:width] + [""] * (width - len(row)), row[width:]
    while extra and not extra[-1].strip():
        extra.pop()
    if extra:
        kept = ", ".join(repr(cell) for cell in extra)  # written here, so that the output stays rectangular
        return Record(cells, f"{width + len(extra)} fields, but the header has {width} (extra: {kept})")
    return Record(cells, title_problem(cells[layout.title_index]) or _context_problem(cells, layout))


def title_problem(title: str) -> str | None:
    """Why a title cannot be searched (the search API's rule for `q`), or None."""
    if not title.strip():
        return "no title"
    if len(title) > TITLE_MAX_LENGTH:
        return f"title longer than {TITLE_MAX_LENGTH} characters ({len(title)})"
    return None


def _context_problem(cells: Sequence[str], layout: CsvLayout) -> str | None:
    """Why the row's industry or duties cannot be searched with its title, or None."""
    for name, index, limit in (
        ("industry", layout.industry_index, INDUSTRY_MAX_LENGTH),
        ("duties", layout.duties_index, DUTIES_MAX_LENGTH),
    ):
        value = _optional(cells, index)
        if value is not None and len(value) > limit:
            return f"{name} longer than {limit} characters ({len(value)})"
    return None


def _query(cells: Sequence[str], layout: CsvLayout) -> SearchQuery:
    return SearchQuery(
        cells[layout.title_index], _optional(cells, layout.industry_index), _optional(cells, layout.duties_index)
    )


def _optional(cells: Sequence[str], index: int | None) -> str | None:
    if index is None:
        return None
    return cells[index].strip() or None


def _use_default_permissions(path: Path) -> None:
    """Temporary files are private (0600); the output gets the usual 0666 less the umask."""
    umask = os.umask(0)
    os.umask(umask)
    path.chmod(0o666 & ~umask)
