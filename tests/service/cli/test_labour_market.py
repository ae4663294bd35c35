"""The `lmi` command: `migrate` and `import-reference`, with the database named by DATABASE_URL."""

from pathlib import Path

import pytest
from sqlalchemy import inspect

from models.database import create_database_engine
from models.tables import metadata
from service.cli import main
from tests.support.source_data import (
    DATA_DIR,
    GEOGRAPHY,
    JOB_TITLES,
    STRUCTURE,
    build_data_dir,
    edited_copy,
    line_number,
    table_counts,
)


@pytest.fixture
def database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    return url


def counts(database_url: str) -> dict[str, int]:
    engine = create_database_engine(database_url)
    try:
        return table_counts(engine)
    finally:
        engine.dispose()


def import_reference(data_dir: Path, *sources: str, force: bool = False) -> int:
    args = ["import-reference", "--data-dir", str(data_dir), "--quiet"]
    for source in sources:
        args += ["--only", source]
    return main(args + (["--force"] if force else []))


def test_migrate_creates_every_table(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["migrate"]) == 0
    assert "database schema is up to date" in capsys.readouterr().out
    engine = create_database_engine(database_url)
    tables = set(inspect(engine).get_table_names())
    engine.dispose()
    assert tables == set(metadata.tables) | {"alembic_version"}


def test_import_reports_rows_then_skips_unchanged_sources(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_reference(DATA_DIR, "geography", "noc_classification") == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 2
    assert out[0].startswith("geography") and f"90 rows from {GEOGRAPHY}" in out[0]
    assert out[1].startswith("noc_classification") and f"822 rows from {STRUCTURE}" in out[1]
    assert counts(database_url)["region"] == 90
    assert counts(database_url)["noc_class"] == 822

    assert import_reference(DATA_DIR, "geography", "noc_classification") == 0
    out = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in out] == ["geography", "noc_classification"]
    assert all(line.endswith("unchanged (use --force to re-import)") for line in out)

    assert import_reference(DATA_DIR, "geography", force=True) == 0
    assert "imported" in capsys.readouterr().out


def test_malformed_file_exits_2_naming_file_line_and_column(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert import_reference(DATA_DIR, "geography", "noc_classification") == 0
    line = line_number(JOB_TITLES, b"31301,fr,")
    bad = edited_copy(JOB_TITLES, line, lambda text: text.replace(b"31301,", b"313010,", 1))
    bad_dir = build_data_dir(tmp_path / "bad", {JOB_TITLES: bad})
    capsys.readouterr()

    assert import_reference(bad_dir, "job_titles") == 2

    captured = capsys.readouterr()
    assert captured.out == ""
    assert f"{JOB_TITLES}, line {line}, column 1 ('noc_code'): expected a 5-digit" in captured.err
    assert "'313010'" in captured.err
    assert "nothing of that source was imported" in captured.err
    after = counts(database_url)
    assert (after["job_title"], after["noc_class"], after["source_file"]) == (0, 822, 3)


def test_malformed_file_exits_2_for_a_header_problem(
    database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = edited_copy(GEOGRAPHY, 1, lambda text: text.replace(b",name_fr,", b",nom_fr,"))
    assert import_reference(build_data_dir(tmp_path / "bad", {GEOGRAPHY: bad}), "geography") == 2
    err = capsys.readouterr().err
    assert f"{GEOGRAPHY}, line 1, column 'name_fr': the header lacks the column 'name_fr'" in err
    assert counts(database_url)["region"] == 0


def test_missing_file_exits_2(database_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad_dir = build_data_dir(tmp_path / "bad", omit=[GEOGRAPHY])
    assert import_reference(bad_dir, "geography") == 2
    err = capsys.readouterr().err
    assert f"{bad_dir / GEOGRAPHY}: source file not found" in err


def test_unknown_source_is_a_usage_error(database_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        import_reference(DATA_DIR, "jobtitles")
    assert exited.value.code == 2
    assert "invalid choice: 'jobtitles'" in capsys.readouterr().err
