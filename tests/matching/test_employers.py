"""Employers and brands in a title (matching.employers and the matcher), on the real index."""

import csv
from collections.abc import Iterator

import pytest

from matching.assembly import assemble_matcher
from matching.backends import NO_EMBEDDINGS
from matching.employers import EMPLOYERS_FILE, load_employers
from matching.engine import Matcher, SearchQuery
from matching.folding import fold
from tests.support.source_data import csv_rows, lexicon_from_files

TABLE = load_employers()


@pytest.fixture(scope="module")
def matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    with assemble_matcher(lexicon_from_files(), NO_EMBEDDINGS, tmp_path_factory.mktemp("i"), progress=False) as m:
        yield m


def table_rows() -> list[dict[str, str]]:
    """The table as the file has it, read apart from the loader."""
    with EMPLOYERS_FILE.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_every_name_of_the_table_leads_to_its_employer() -> None:
    rows = table_rows()
    assert len(rows) >= 150
    for row in rows:
        assert row["industry_en"].strip() and row["industry_fr"].strip(), row["employer"]
        for name in [row["employer"], *row["names"].split("|")]:
            employer = TABLE.whole(name)
            assert employer is not None and employer.name == row["employer"], name


def test_no_employer_name_is_an_index_title() -> None:
    titles = {fold(row["job_title"]) for row in csv_rows("noc2021/job_titles_en_fr.csv")}
    names = {fold(name) for row in table_rows() for name in row["names"].split("|")}
    assert names & titles == set()


def test_an_ambiguous_name_counts_only_where_it_is_marked_as_the_employer() -> None:
    subway = TABLE.whole("subway")
    assert subway is not None and subway.ambiguous
    assert TABLE.mentions(["subway", "operator"]) == []
    (mention,) = TABLE.mentions(["subway"], marked=True)
    assert mention.employer.name.lower() == "subway"
    (loblaws,) = TABLE.mentions(["loblaws", "produce"])
    assert (loblaws.start, loblaws.end) == (0, 1)


@pytest.mark.parametrize(
    ("title", "code", "normalized"),
    [
        ("Loblaws produce", "65102", "produce"),  # supermarket produce clerk
        ("commis chez IGA", "65102", "commis"),  # commis d'épicerie
        ("Canadian Tire automotive", "72410", "automotive"),
        ("subway operator", "73301", "subway operator"),  # the transit system, not the sandwich chain
        ("Sandwich artist - Subway", "65201", "sandwich artist subway"),
    ],
)
def test_the_employer_tells_the_industry(matcher: Matcher, title: str, code: str, normalized: str) -> None:
    result = matcher.search(title, limit=3)
    assert result.normalized == normalized
    assert result.results[0].noc_code == code


def test_an_unknown_employer_still_says_where_the_person_works(matcher: Matcher) -> None:
    plan = matcher.plan(SearchQuery("cook at Joe's Diner"))
    assert plan.normalized.cleaned == "cook"
    assert plan.context == "joe s diner"


@pytest.mark.parametrize(
    ("title", "cleaned", "context"),
    [
        ("caissier à la Banque Nationale", "caissier", "banque"),  # not "caissier a la"
        ("élagueur pour Hydro-Québec", "elagueur", "electricite"),
    ],
)
def test_an_employer_leaves_no_dangling_words(matcher: Matcher, title: str, cleaned: str, context: str) -> None:
    plan = matcher.plan(SearchQuery(title), lang="fr")
    assert plan.normalized.cleaned == cleaned
    assert context in plan.context.split()


def test_a_word_for_work_with_an_employer_is_that_employers_worker(matcher: Matcher) -> None:
    daycare = matcher.search("work at a daycare", limit=3)
    assert daycare.normalized == "a daycare worker"
    assert daycare.results[0].noc_code == "42202"
    assert matcher.search("employée chez Tim Hortons").normalized == matcher.search("Tim Hortons").normalized
    assert matcher.search("staff at Costco").normalized == matcher.search("Costco").normalized
