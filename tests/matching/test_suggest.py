"""Title typeahead: `matching.suggest.TitleSuggester` on a few real unit groups."""

import pytest

from matching.folding import fold
from matching.suggest import TitleSuggester
from tests.support.source_data import JOB_TITLES, csv_rows, lexicon_from_files, unit_group_row


def has_word_starting_with(title: str, prefix: str) -> bool:
    return any(word.startswith(fold(prefix)) for word in fold(title).split())


CODES = ("31301", "33102")  # registered nurses; nurse aides, orderlies and patient service associates


@pytest.fixture(scope="module")
def suggester() -> TitleSuggester:
    return TitleSuggester.from_lexicon(lexicon_from_files(CODES))


def test_titles_starting_with_the_prefix_come_first(suggester: TitleSuggester) -> None:
    titles = [s.title for s in suggester.suggest("infirm", "fr", limit=1000)]
    starts = [fold(title).startswith("infirm") for title in titles]
    assert starts == sorted(starts, reverse=True)
    assert True in starts
    assert False in starts
    assert "Aide-infirmier/aide-infirmière" in titles[starts.index(False) :]
    assert all(has_word_starting_with(title, "infirm") for title in titles)


def test_each_title_once_although_both_genders_are_indexed(suggester: TitleSuggester) -> None:
    suggestions = suggester.suggest("infirmi", "fr", limit=50)  # "infirmier" and "infirmiere" both match
    titles = [s.title for s in suggestions]
    assert len(titles) == len(set(titles))
    assert "Infirmier/infirmière" in titles


def test_every_matching_title_is_found(suggester: TitleSuggester) -> None:
    expected = {
        row["job_title"]
        for row in csv_rows(JOB_TITLES)
        if row["noc_code"] in CODES and row["lang"] == "en" and has_word_starting_with(row["job_title"], "nurs")
    } | {
        unit_group_row(code)["title_en"]
        for code in CODES
        if has_word_starting_with(unit_group_row(code)["title_en"], "nurs")
    }
    suggestions = suggester.suggest("nurs", "en", limit=1000)
    assert {s.title for s in suggestions} == expected
    assert {(s.lang, s.noc_code in CODES) for s in suggestions} == {("en", True)}


def test_later_words_and_several_words(suggester: TitleSuggester) -> None:
    assert "Infirmier/infirmière au triage" in [s.title for s in suggester.suggest("triage", "fr")]
    assert suggester.suggest("aide inf", "fr")[0].title == "Aide-infirmier/aide-infirmière"


def test_only_word_starts_match(suggester: TitleSuggester) -> None:
    assert suggester.suggest("firmier") == []


def test_suggestion_carries_its_unit_group_row(suggester: TitleSuggester) -> None:
    (nurse,) = [s for s in suggester.suggest("infirmier", "fr", limit=50) if s.title == "Infirmier/infirmière"]
    assert (nurse.lang, nurse.noc_code, nurse.noc_title) == ("fr", "31301", unit_group_row("31301")["title_fr"])


def test_limit_and_empty_prefixes(suggester: TitleSuggester) -> None:
    assert len(suggester.suggest("n", limit=3)) == 3
    assert suggester.suggest("n", limit=0) == []
    assert suggester.suggest(" - ") == []
