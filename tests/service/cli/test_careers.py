"""`lmi moves`: the career moves of an occupation printed without a server, in both languages, over
the real reference data; what it needs is built once into LMI_INDEX_DIR and loaded from there after."""

import json
from pathlib import Path

import pytest

from service.cli import main
from tests.support.source_data import DATA_DIR


@pytest.fixture
def configured(reference_database_url: str, index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", reference_database_url)
    monkeypatch.setenv("LMI_INDEX_DIR", str(index_dir))
    monkeypatch.setenv("LMI_DATA_DIR", str(DATA_DIR))
    return index_dir


def test_moves_are_printed_and_the_career_space_is_kept(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["moves", "72200", "--limit", "3", "--region", "ON"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("72200 Electricians (except industrial and power system) (TEER 2)\nMoves:\n")
    assert " 1. " in printed and " 3. " in printed and " 4. " not in printed
    assert "median wage" in printed and "to learn:" in printed
    kept = sorted(configured.glob("career-space-*.pickle"))
    assert len(kept) == 1
    written = kept[0].stat().st_mtime_ns
    assert main(["moves", "72200", "--limit", "3", "--region", "ON"]) == 0
    assert capsys.readouterr().out == printed
    assert kept[0].stat().st_mtime_ns == written  # loaded, not built again


def test_moves_in_french_as_json_and_from_a_noc_2016_code(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["moves", "3233", "--lang", "fr", "--json", "--limit", "2"]) == 0
    answer = json.loads(capsys.readouterr().out)
    assert answer["lang"] == "fr" and answer["concordance"]["noc2021_codes"] == ["32101"]
    assert answer["occupation"]["title"] == "Infirmiers auxiliaires/infirmières auxiliaires"
    assert len(answer["transitions"]) == 2


def test_an_unknown_code_or_region_exits_2_saying_why(configured: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["moves", "99999"]) == 2
    assert "99999" in capsys.readouterr().err
    assert main(["moves", "72200", "--region", "Atlantis"]) == 2
    assert "Atlantis" in capsys.readouterr().err
