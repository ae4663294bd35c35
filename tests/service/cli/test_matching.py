"""`lmi code` (a CSV of job titles → NOC 2021, without a server) and `lmi build-index`.

Coding reads the lexicon once and never touches the database again, so these run on SQLite only;
loading the lexicon from PostgreSQL is covered by the API tests. The matcher is lexical only.
"""

import csv
from pathlib import Path
from typing import get_args

import pytest

from matching.backends import Backend
from matching.coding import OUTPUT_COLUMNS, guess_delimiter
from service.cli import main
from tests.support.source_data import JOB_TITLES, csv_rows, noc2016_successors, unit_group_row


@pytest.fixture
def coding_env(reference_database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The reference database in DATABASE_URL, lexical matching; returns a scratch folder."""
    if not reference_database_url.startswith("sqlite"):
        pytest.skip("CSV coding does not depend on the database backend")
    monkeypatch.setenv("DATABASE_URL", reference_database_url)
    monkeypatch.setenv("LMI_MATCHER_BACKEND", "none")
    monkeypatch.setenv("LMI_INDEX_DIR", str(tmp_path / "index"))
    work = tmp_path / "work"
    work.mkdir()
    return work


@pytest.fixture
def empty_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database without reference data; returns a scratch folder."""
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("LMI_MATCHER_BACKEND", "none")
    monkeypatch.setenv("LMI_INDEX_DIR", str(tmp_path / "index"))
    return tmp_path


def write_csv(path: Path, rows: list[list[str]], delimiter: str = ",") -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def read_csv(path: Path, delimiter: str = ",") -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle, delimiter=delimiter))


def test_codes_every_row_in_order(coding_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(
        coding_env / "in.csv",
        [
            ["id", "title", "industry"],
            ["1", "Cashier", "retail"],
            ["2", "chauffeur de taxi", ""],
            ["3", "asdfgh", ""],
            ["4", "31301", ""],
            ["5", "7514", "transport"],
        ],
    )
    output = coding_env / "out.csv"

    assert main(["code", str(source), "-o", str(output), "--industry-column", "industry"]) == 0

    with output.open(encoding="utf-8", newline="") as handle:
        assert next(csv.reader(handle)) == ["id", "title", "industry", *OUTPUT_COLUMNS]
    rows = read_csv(output)
    assert [(row["id"], row["title"], row["industry"]) for row in rows] == [
        ("1", "Cashier", "retail"),
        ("2", "chauffeur de taxi", ""),
        ("3", "asdfgh", ""),
        ("4", "31301", ""),
        ("5", "7514", "transport"),
    ]
    cashier, taxi, gibberish, code, old_code = rows
    assert (cashier["noc_code"], cashier["noc_title"], cashier["no_match"]) == (
        "65100",
        unit_group_row("65100")["title_en"],
        "false",
    )
    assert (taxi["noc_code"], taxi["noc_title"]) == ("75200", unit_group_row("75200")["title_fr"])
    assert cashier["match_type"] == taxi["match_type"] == "exact"
    for row in (cashier, taxi):
        assert row["confidence"] in {"high", "medium", "low"}
        assert row["alt1_noc_code"] not in {"", row["noc_code"]}
        assert float(row["score"]) >= float(row["alt1_score"])
    assert all(row["error"] == "" for row in rows)
    assert gibberish["no_match"] == "true"
    assert all(gibberish[column] == "" for column in OUTPUT_COLUMNS if column != "no_match")
    assert (code["noc_code"], code["score"], code["match_type"], code["alt1_noc_code"]) == (
        "31301",
        "1.0000",
        "code",
        "",
    )
    assert {old_code["noc_code"], old_code["alt1_noc_code"]} == noc2016_successors("7514")
    assert old_code["alt2_noc_code"] == ""

    captured = capsys.readouterr()
    assert "coding the job titles of column 'title'" in captured.err
    assert "5 rows coded" in captured.out and "4 matched, 1 no match, 0 rows with errors" in captured.out
    assert "rows/s" in captured.out
    assert sorted(path.name for path in coding_env.iterdir()) == ["in.csv", "out.csv"]


def test_named_title_column_and_semicolons(coding_env: Path) -> None:
    source = write_csv(
        coding_env / "in.csv",
        [
            ["no", "poste", "secteur"],
            ["a", "Infirmière", "santé"],
            ["b", "Plombier", "construction"],
            ["c", "", ""],
        ],
        delimiter=";",
    )
    output = coding_env / "out.csv"

    assert main(["code", str(source), "-o", str(output), "--title-column", "poste", "--lang", "fr", "--quiet"]) == 0

    assert output.read_text(encoding="utf-8").splitlines()[0].split(";") == ["no", "poste", "secteur", *OUTPUT_COLUMNS]
    rows = read_csv(output, delimiter=";")
    assert [(row["no"], row["noc_code"]) for row in rows] == [("a", "31301"), ("b", "72300"), ("c", "")]
    assert rows[0]["noc_title"] == unit_group_row("31301")["title_fr"]
    assert (rows[2]["no_match"], rows[2]["error"]) == ("", "no title")


def coded(work: Path, rows: list[list[str]], *options: str) -> list[dict[str, str]]:
    """`rows` (a header first) coded by `lmi code` with `options`; the exit code must be 0."""
    source = write_csv(work / "in.csv", rows)
    output = work / "out.csv"
    assert main(["code", str(source), "-o", str(output), "--quiet", *options]) == 0
    return read_csv(output)


def test_bad_rows_are_written_with_their_error_and_the_others_coded(
    coding_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    long_title = "cashier " * 30 + "x" * 5  # 245 characters
    rows = [
        ["id", "title", "industry"],
        ["1", "Cashier", "retail"],
        ["2", long_title, "retail"],
        ["3", "chauffeur de taxi", ""],
        ["4", "Cashier", "retail", "extra", "", "more"],
        ["5", "   ", "retail"],
        ["6", "clerk", "public library", "", ""],  # empty cells beyond the header are no error
        ["7", "31301"],  # a short row is padded
    ]
    output = coded(coding_env, rows, "--industry-column", "industry")

    assert [[row[column] for column in ("id", "title", "industry")] for row in output] == [
        [*row[:3], *[""] * (3 - len(row[:3]))] for row in rows[1:]
    ]
    assert [row["error"] for row in output] == [
        "",
        "title longer than 200 characters (245)",
        "",
        "6 fields, but the header has 3 (extra: 'extra', '', 'more')",
        "no title",
        "",
        "",
    ]
    for row in (output[1], output[3], output[4]):
        assert all(row[column] == "" for column in OUTPUT_COLUMNS if column != "error")
    assert None not in output[3]  # the extra fields are in `error`, not in columns of their own
    assert [row["noc_code"] for row in output] == ["65100", "", "75200", "", "", "14300", "31301"]
    assert all(output[index]["no_match"] == "false" for index in (0, 2, 5, 6))
    out = capsys.readouterr().out
    assert "7 rows coded" in out and "4 matched, 0 no match, 3 rows with errors" in out


def test_duties_column_reads_a_generic_title(coding_env: Path) -> None:
    rows = [["title", "what you do"], ["clerk", "shelve and lend books in the public library"], ["clerk", ""]]
    with_duties, without = coded(coding_env, rows, "--duties-column", "what you do")
    assert (with_duties["noc_code"], with_duties["error"]) == ("14300", "")  # library assistants and clerks
    assert without["noc_code"] not in {"", "14300"}
    assert coded(coding_env, rows)[0]["noc_code"] == without["noc_code"]  # the column is read only when named


def test_an_over_long_industry_or_duties_cell_is_a_row_error(coding_env: Path) -> None:
    rows = [
        ["title", "industry", "duties"],
        ["clerk", "library " * 26, ""],  # 208 characters
        ["clerk", "public library", "shelve books " * 80],  # 1,040 characters
        ["clerk", "public library", "shelve and lend books"],
    ]
    output = coded(coding_env, rows, "--industry-column", "industry", "--duties-column", "duties")
    assert [row["error"] for row in output] == [
        "industry longer than 200 characters (207)",
        "duties longer than 1000 characters (1039)",
        "",
    ]
    assert [row["noc_code"] for row in output] == ["", "", "14300"]


def test_a_thousand_rows_with_bad_ones_among_them(coding_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rows = [[str(number), "cashier" if number % 2 else "31301"] for number in range(1000)]
    rows[500] = ["500", "c" * 201]
    rows[700] = ["700", "cashier", "by mistake"]
    output = coded(coding_env, [["id", "title"], *rows])
    assert [row["id"] for row in output] == [str(number) for number in range(1000)]
    errors = {index: row["error"] for index, row in enumerate(output) if row["error"]}
    assert errors == {
        500: "title longer than 200 characters (201)",
        700: "3 fields, but the header has 2 (extra: 'by mistake')",
    }
    expected = ["" if number in errors else "65100" if number % 2 else "31301" for number in range(1000)]
    assert [row["noc_code"] for row in output] == expected
    assert "998 matched, 0 no match, 2 rows with errors" in capsys.readouterr().out


def test_thousands_of_rows_are_streamed(coding_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    published = [(row["job_title"], row["noc_code"]) for row in csv_rows(JOB_TITLES)][::20][:1500]
    rows = [[str(number), title] for number, (title, _) in enumerate(published * 2)]
    source = write_csv(coding_env / "in.csv", [["id", "title"], *rows])
    output = coding_env / "out.csv"

    assert main(["code", str(source), "-o", str(output), "--quiet"]) == 0

    coded = read_csv(output)
    assert len(coded) == 3000
    assert [row["id"] for row in coded] == [str(number) for number in range(3000)]
    assert [row["title"] for row in coded] == [title for _, title in rows]
    expected = [code for _, code in published * 2]
    right = sum(row["noc_code"] == code for row, code in zip(coded, expected, strict=True))
    assert right >= 0.9 * len(coded)  # published titles: nearly all found in their own unit group
    assert "3,000 rows coded" in capsys.readouterr().out


def test_first_column_is_the_default(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(empty_env / "in.csv", [["job", "industry"], ["Cashier", "retail"]])
    assert main(["code", str(source), "-o", str(empty_env / "out.csv")]) == 2
    err = capsys.readouterr().err
    assert "coding the job titles of column 'job'" in err
    assert "reference data not imported; run `lmi import-reference`" in err
    assert not (empty_env / "out.csv").exists()


def test_missing_column(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(empty_env / "in.csv", [["id", "title"], ["1", "Cashier"]])
    output = empty_env / "out.csv"
    assert main(["code", str(source), "-o", str(output), "--industry-column", "sector"]) == 2
    assert "no column 'sector'; the columns are: 'id', 'title'" in capsys.readouterr().err
    assert not output.exists()


def test_missing_input(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["code", str(empty_env / "nothing.csv"), "-o", str(empty_env / "out.csv")]) == 2
    assert "nothing.csv: file not found" in capsys.readouterr().err
    assert not (empty_env / "out.csv").exists()


def test_output_column_clash(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = write_csv(empty_env / "in.csv", [["title", "noc_code"], ["Cashier", ""]])
    assert main(["code", str(source), "-o", str(empty_env / "out.csv")]) == 2
    assert "already has the output column(s) noc_code" in capsys.readouterr().err


def test_undecodable_input_leaves_no_output(coding_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = coding_env / "in.csv"
    good = "".join(f"{number},Cashier\n" for number in range(1000))  # more than one chunk before the bad line
    source.write_bytes(b"id,title\n" + good.encode() + "1000,Caissière\n".encode("latin-1"))
    output = coding_env / "out.csv"
    output.write_text("an earlier result\n", encoding="utf-8")

    assert main(["code", str(source), "-o", str(output), "--quiet"]) == 2

    err = capsys.readouterr().err
    assert "in.csv: not UTF-8 text" in err and f"nothing was written to {output}" in err
    assert output.read_text(encoding="utf-8") == "an earlier result\n"
    assert sorted(path.name for path in coding_env.iterdir()) == ["in.csv", "out.csv"]


def test_a_csv_the_reader_cannot_parse_leaves_no_output(coding_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source = coding_env / "in.csv"
    huge = '"' + "x" * (csv.field_size_limit() + 1) + '"'
    source.write_text("id,title\n1,Cashier\n2," + huge + "\n3,Cashier\n", encoding="utf-8")
    output = coding_env / "out.csv"

    assert main(["code", str(source), "-o", str(output), "--quiet"]) == 2

    err = capsys.readouterr().err
    assert "in.csv, line 3: field larger than field limit" in err and f"nothing was written to {output}" in err
    assert sorted(path.name for path in coding_env.iterdir()) == ["in.csv"]


@pytest.mark.parametrize(
    ("header", "delimiter"),
    [("id,title", ","), ("id;title;industry", ";"), ("id\ttitle", "\t"), ("title", ","), ("a;b,c;d", ";")],
)
def test_delimiter_from_the_header(header: str, delimiter: str) -> None:
    assert guess_delimiter(header + "\n") == delimiter


def test_cli_offers_every_matcher_backend(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["code", "in.csv", "-o", "out.csv", "--backend", "bert"])
    choices = capsys.readouterr().err
    assert all(repr(backend) in choices for backend in get_args(Backend))


def test_build_index_without_embeddings(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build-index"]) == 0
    assert "no embedding index to build" in capsys.readouterr().out


def test_build_index_without_reference_data(empty_env: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["build-index", "--backend", "minilm"]) == 2
    assert "reference data not imported" in capsys.readouterr().err
    assert not (empty_env / "index").exists()
