"""The ESCO skills kept in the index folder (`catalog.skill_space.cached_esco_skills`): parsed once per
file, the same skills as a fresh parse, parsed again when the file changes or the cache is damaged."""

from pathlib import Path

import pytest

import catalog.skill_space
from catalog.skill_space import cached_esco_skills
from labour_market.skill_vocabulary import ESCO_SKILLS_FILE, esco_skills
from tests.support.source_data import DATA_DIR


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A data folder with a shortened copy of the ESCO file (its header and 300 skills)."""
    target = tmp_path / "data" / ESCO_SKILLS_FILE
    target.parent.mkdir(parents=True)
    lines = (DATA_DIR / ESCO_SKILLS_FILE).read_bytes().splitlines(keepends=True)
    target.write_bytes(b"".join(lines[:301]))
    return tmp_path / "data"


def test_the_cache_holds_what_a_parse_gives_and_is_read_back(
    data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir = tmp_path / "index"
    parsed = esco_skills(data_dir)
    assert len(parsed) > 100
    assert cached_esco_skills(data_dir, index_dir) == parsed
    assert len(list(index_dir.glob("esco-skills-*.pickle"))) == 1

    def no_parsing(_: Path) -> list[object]:
        raise AssertionError("parsed again")

    monkeypatch.setattr(catalog.skill_space, "esco_skills", no_parsing)
    assert cached_esco_skills(data_dir, index_dir) == parsed


def test_a_changed_file_is_parsed_again(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    first = cached_esco_skills(data_dir, index_dir)
    path = data_dir / ESCO_SKILLS_FILE
    path.write_bytes(b"".join(path.read_bytes().splitlines(keepends=True)[:101]))
    assert cached_esco_skills(data_dir, index_dir) == esco_skills(data_dir) != first
    assert len(list(index_dir.glob("esco-skills-*.pickle"))) == 1  # the stale one is removed


def test_a_damaged_cache_is_parsed_again(data_dir: Path, tmp_path: Path) -> None:
    index_dir = tmp_path / "index"
    parsed = cached_esco_skills(data_dir, index_dir)
    (cache,) = index_dir.glob("esco-skills-*.pickle")
    cache.write_bytes(cache.read_bytes()[:-10])
    assert cached_esco_skills(data_dir, index_dir) == parsed
    assert cached_esco_skills(data_dir, index_dir) == parsed  # and written whole again


def test_without_the_file_there_are_no_skills(tmp_path: Path) -> None:
    assert cached_esco_skills(tmp_path, tmp_path / "index") == []
