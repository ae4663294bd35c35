"""The cluster engine's reading, without a cluster: the input read through once (scan_input), cut into
byte ranges of whole chunks, each coded on its own (code_range) gives, put back together, the file the
local engine writes: the same rows, the same errors, the same bytes. Lexical matching over a few unit
groups; `tests/service/cli/test_code_cluster.py` runs it on a Ray cluster."""

import codecs
import csv
import itertools
import math
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.assembly import assemble_matcher
from matching.backends import NO_EMBEDDINGS
from matching.cluster import WORKER_THREADS
from matching.coding import (
    CHUNK_ROWS,
    OUTPUT_COLUMNS,
    CodingError,
    CsvLayout,
    chunks_per_range,
    code_csv,
    code_range,
    inspect_input,
    scan_input,
)
from matching.embeddings import create_embedder
from matching.engine import Matcher
from matching.onnx_e5 import OnnxE5Embedder
from tests.support.source_data import JOB_TITLES, csv_rows, lexicon_from_files

GROUPS = ("31301", "65100", "73300", "21232", "63200", "72200", "42202", "33102", "14300", "64100", "75200")


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    lexicon = lexicon_from_files(GROUPS, titles_per_group=40)
    with assemble_matcher(lexicon, NO_EMBEDDINGS, tmp_path_factory.mktemp("index"), progress=False) as matcher:
        yield matcher


def real_titles(count: int) -> list[tuple[str, str]]:
    """`count` published titles of GROUPS, English and French in turn: (title, language)."""
    rows = [row for row in csv_rows(JOB_TITLES) if row["noc_code"] in GROUPS]
    english = [row["job_title"] for row in rows if row["lang"] == "en"]
    french = [row["job_title"] for row in rows if row["lang"] == "fr"]
    mixed = [item for pair in zip(english, french, strict=False) for item in pair]
    return [(mixed[index % len(mixed)], "en" if index % 2 == 0 else "fr") for index in range(count)]


def awkward_file(path: Path, rows: int, delimiter: str = ",", bom: bool = False, line_end: str = "\r\n") -> Path:
    """A CSV of real titles with what a real file holds: blank lines, a title on two lines, a bad row
    of every kind, a BOM and other line ends on request."""
    body = [["id", "title", "industry"]]
    for number, (title, _) in enumerate(real_titles(rows)):
        if number % 97 == 5:
            body.append([])  # a blank line: skipped
        if number % 101 == 7:
            body.append([str(number), "", "retail"])
        elif number % 103 == 9:
            body.append([str(number), "c" * 201, ""])
        elif number % 107 == 11:
            body.append([str(number), title, "retail", "extra", "more"])
        elif number % 109 == 13:
            body.append([str(number), f"{title}\nnight shift", "health care"])
        elif number % 113 == 17:
            body.append([str(number), title, "x" * 201])
        else:
            body.append([str(number), title, "" if number % 3 else "hospital"])
    with path.open("w", encoding="utf-8-sig" if bom else "utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter, lineterminator=line_end).writerows(body)
    return path


def coded_by_ranges(matcher: Matcher, source: Path, layout: CsvLayout, chunks: int, target: Path) -> bytes:
    """What the cluster engine writes, its ranges coded one by one here."""
    scan = scan_input(source, layout)
    with target.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=layout.delimiter).writerow([*layout.header, *OUTPUT_COLUMNS])
        for part in scan.ranges(chunks):
            handle.write(code_range(matcher, source, part, layout, "auto").text)
    return target.read_bytes()


@pytest.mark.parametrize(
    ("delimiter", "bom", "line_end"), [(",", False, "\r\n"), (";", True, "\n"), ("\t", False, "\r")]
)
def test_ranges_coded_apart_make_the_local_file(
    matcher: Matcher, tmp_path: Path, delimiter: str, bom: bool, line_end: str
) -> None:
    source = awkward_file(tmp_path / "in.csv", 3 * CHUNK_ROWS + 40, delimiter, bom, line_end)
    layout = inspect_input(source, None, "industry")
    assert layout.delimiter == delimiter
    local = tmp_path / "local.csv"
    summary = code_csv(matcher, source, local, layout, progress=False)
    # with "\r" line ends, csv writes a title holding "\n" unquoted: it is read as two rows, by both engines
    assert summary.rows >= 3 * CHUNK_ROWS + 40 and summary.errors >= 5

    scan = scan_input(source, layout)
    assert (scan.rows, scan.chunks) == (summary.rows, math.ceil(summary.rows / CHUNK_ROWS))
    for chunks in (1, 2, 3, 64):
        assert coded_by_ranges(matcher, source, layout, chunks, tmp_path / f"by{chunks}.csv") == local.read_bytes()


def test_the_ranges_cover_whole_chunks_and_every_row(tmp_path: Path) -> None:
    source = awkward_file(tmp_path / "in.csv", 5 * CHUNK_ROWS + 1, bom=True)
    layout = inspect_input(source, None, None)
    scan = scan_input(source, layout)
    ranges = scan.ranges(2)
    assert [part.rows for part in ranges] == [2 * CHUNK_ROWS, 2 * CHUNK_ROWS, CHUNK_ROWS + 1]
    assert source.read_bytes().startswith(codecs.BOM_UTF8)
    assert ranges[0].start == len(source.read_bytes().splitlines(keepends=True)[0])  # the BOM and the header
    assert all(left.end == right.start for left, right in itertools.pairwise(ranges))
    assert ranges[-1].end == source.stat().st_size
    assert [part.index for part in ranges] == [0, 1, 2]


def test_a_file_of_a_header_alone_has_no_range(tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    source.write_text("id,title\n\n\n", encoding="utf-8")
    scan = scan_input(source, inspect_input(source, None, None))
    assert (scan.rows, scan.ranges(4)) == (0, [])


@pytest.mark.parametrize(
    ("rows", "workers", "chunks"),
    [(10, 2, 1), (100_000_000, 64, 64), (1_000_000, 2, 64), (1_000_000, 64, 4), (300_000, 4, 19)],
)
def test_range_size(rows: int, workers: int, chunks: int) -> None:
    assert chunks_per_range(rows, workers) == chunks


def test_an_unreadable_file_is_refused_with_the_local_message(matcher: Matcher, tmp_path: Path) -> None:
    source = tmp_path / "in.csv"
    good = "".join(f"{number},Cashier\n" for number in range(1000))
    source.write_bytes(b"id,title\n" + good.encode() + "1000,Caissière\n".encode("latin-1"))
    layout = inspect_input(source, None, None)
    with pytest.raises(CodingError) as local:
        code_csv(matcher, source, tmp_path / "out.csv", layout, progress=False)
    with pytest.raises(CodingError) as scanned:
        scan_input(source, layout)
    assert str(scanned.value) == str(local.value) and "not UTF-8 text" in str(local.value)

    source.write_text('id,title\n1,Cashier\n2,"' + "x" * (csv.field_size_limit() + 1) + '"\n', encoding="utf-8")
    with pytest.raises(CodingError) as local:
        code_csv(matcher, source, tmp_path / "out.csv", layout, progress=False)
    with pytest.raises(CodingError) as scanned:
        scan_input(source, layout)
    assert str(scanned.value) == str(local.value) and "field larger than field limit" in str(local.value)
    assert not (tmp_path / "out.csv").exists()


def test_a_range_of_a_file_changed_since_it_was_read_is_an_error(matcher: Matcher, tmp_path: Path) -> None:
    source = awkward_file(tmp_path / "in.csv", 300)
    layout = inspect_input(source, None, None)
    first = scan_input(source, layout).ranges(1)[0]
    source.write_text("id,title\n" + "cashier\n" * 5000, encoding="utf-8")  # shorter rows: more in the range
    with pytest.raises(CodingError, match="changed while it was being coded"):
        code_range(matcher, source, first, layout, "auto")


def test_importing_the_matcher_does_not_import_ray() -> None:
    code = "import sys, matching, matching.coding, matching.cluster; print('ray' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def test_a_worker_runs_the_model_on_one_thread(index_dir: Path) -> None:
    """What each Ray worker asks for (matching.cluster.WORKER_THREADS): ONNX Runtime's intra-op threads
    are its default, one per core, unless told."""
    assert WORKER_THREADS == 1
    one = create_embedder("e5", index_dir, threads=WORKER_THREADS)
    default = create_embedder("e5", index_dir)
    assert isinstance(one, OnnxE5Embedder) and isinstance(default, OnnxE5Embedder)
    assert one._session.get_session_options().intra_op_num_threads == 1
    assert default._session.get_session_options().intra_op_num_threads == 0  # ONNX Runtime's own choice
