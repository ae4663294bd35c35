"""The reviewed alias table (matching/data/title_aliases.csv): one test per entry, on the real index."""

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.aliases import TitleAlias, load_aliases
from matching.assembly import assemble_matcher
from matching.backends import NO_EMBEDDINGS
from matching.engine import Matcher
from matching.folding import fold
from matching.query import normalize_query
from tests.support.source_data import JOB_TITLES, UNIT_GROUPS, csv_rows, lexicon_from_files

ALIASES = load_aliases()
KINDS = {"colloquial", "new", "foreign", "employer_title"}


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    index_dir = tmp_path_factory.mktemp("index")
    with assemble_matcher(lexicon_from_files(), NO_EMBEDDINGS, index_dir, progress=False) as lexical:
        yield lexical


def official_titles() -> dict[tuple[str, str], set[str]]:
    """(code, lang) → the index's titles and the unit group's own titles, as published."""
    titles: dict[tuple[str, str], set[str]] = defaultdict(set)
    for row in csv_rows(JOB_TITLES):
        titles[(row["noc_code"], row["lang"])].add(row["job_title"])
    for row in csv_rows(UNIT_GROUPS):
        titles[(row["noc_code"], "en")].add(row["title_en"])
        titles[(row["noc_code"], "fr")].add(row["title_fr"])
    return titles


def test_the_table_is_large_and_in_both_languages() -> None:
    by_lang = defaultdict(int)
    for alias in ALIASES:
        by_lang[alias.lang] += 1
    assert by_lang["en"] >= 300 and by_lang["fr"] >= 200
    assert {alias.kind for alias in ALIASES} <= KINDS


def test_each_alias_names_one_unit_group() -> None:
    codes: dict[tuple[str, str], set[str]] = defaultdict(set)
    for alias in ALIASES:
        codes[(alias.lang, fold(alias.alias))].add(alias.noc_code)
    assert {key: found for key, found in codes.items() if len(found) > 1} == {}


@pytest.mark.parametrize("alias", ALIASES, ids=lambda alias: f"{alias.lang}:{alias.alias}")
def test_alias(alias: TitleAlias, matcher: Matcher) -> None:
    """Its source is an official title of its unit group, and the matcher finds the unit group first,
    as an alias match (unless normalization takes a word of it for noise: "office junior")."""
    assert alias.equivalent_title in official_titles_cache()[(alias.noc_code, alias.lang)]
    assert alias.origin and alias.note.strip()
    result = matcher.search(alias.alias, lang=alias.lang)
    assert result.results, f"{alias.alias!r} found nothing"
    best = result.results[0]
    assert best.noc_code == alias.noc_code, (alias.alias, best.noc_code, best.matched_title)
    if not normalize_query(alias.alias, alias.lang).removed:
        assert best.match_type == "alias"


_OFFICIAL: dict[tuple[str, str], set[str]] = {}


def official_titles_cache() -> dict[tuple[str, str], set[str]]:
    if not _OFFICIAL:
        _OFFICIAL.update(official_titles())
    return _OFFICIAL


def test_the_table_file_is_where_the_matcher_reads_it() -> None:
    assert Path(__file__).resolve().parents[2].joinpath("matching", "data", "title_aliases.csv").is_file()
