"""Title typeahead: `matching.suggest.TitleSuggester` on a few real unit groups, and
`/v1/titles/suggest` on all the real titles."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.suggest import TitleSuggester
from matching.text import fold
from tests.support.problems import assert_problem
from tests.support.source_data import JOB_TITLES, UNIT_GROUPS, csv_rows, lexicon_from_files, unit_group_row

SUGGEST = "/v1/titles/suggest"


def published_titles(lang: str) -> dict[str, set[str]]:
    """Every published title of one language (example titles and unit group titles) → its codes."""
    titles: dict[str, set[str]] = {}
    for row in csv_rows(JOB_TITLES):
        if row["lang"] == lang:
            titles.setdefault(row["job_title"], set()).add(row["noc_code"])
    for row in csv_rows(UNIT_GROUPS):
        titles.setdefault(row[f"title_{lang}"], set()).add(row["noc_code"])
    return titles


def has_word_starting_with(title: str, prefix: str) -> bool:
    return any(word.startswith(fold(prefix)) for word in fold(title).split())


# --- The suggester on a few real unit groups ------------------------------------------------------

CODES = ("31301", "33102")  # registered nurses; nurse aides, orderlies and patient service associates


@pytest.fixture(scope="module")
def suggester() -> TitleSuggester:
    return TitleSuggester.from_lexicon(lexicon_from_files(CODES))


def test_titles_starting_with_the_prefix_come_first(suggester: TitleSuggester) -> None:
    titles = [s.title for s in suggester.suggest("infirm", "fr", limit=1000)]
    starts = [fold(title).startswith("infirm") for title in titles]
    assert starts == sorted(starts, reverse=True)
    assert True in starts and False in starts
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
    } | {unit_group_row(code)["title_en"] for code in CODES if has_word_starting_with(unit_group_row(code)["title_en"], "nurs")}
    suggestions = suggester.suggest("nurs", "en", limit=1000)
    assert {s.title for s in suggestions} == expected
    assert {(s.lang, s.noc_code in CODES) for s in suggestions} == {("en", True)}


def test_later_words_and_several_words(suggester: TitleSuggester) -> None:
    assert "Infirmier/infirmière au triage" in [s.title for s in suggester.suggest("triage", "fr")]
    assert [s.title for s in suggester.suggest("aide inf", "fr")][0] == "Aide-infirmier/aide-infirmière"


def test_only_word_starts_match(suggester: TitleSuggester) -> None:
    assert suggester.suggest("firmier") == []


def test_suggestion_carries_its_unit_group_row(suggester: TitleSuggester) -> None:
    (nurse,) = [s for s in suggester.suggest("infirmier", "fr", limit=50) if s.title == "Infirmier/infirmière"]
    assert (nurse.lang, nurse.noc_code, nurse.noc_title) == ("fr", "31301", unit_group_row("31301")["title_fr"])


def test_limit_and_empty_prefixes(suggester: TitleSuggester) -> None:
    assert len(suggester.suggest("n", limit=3)) == 3
    assert suggester.suggest("n", limit=0) == []
    assert suggester.suggest(" - ") == []


# --- The route, on every real title ---------------------------------------------------------------


def suggest(client: TestClient, **params: Any) -> dict[str, Any]:
    response = client.get(SUGGEST, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def test_french_nurse_titles(client: TestClient) -> None:
    body = suggest(client, prefix="infirm", lang="fr", limit=50)
    assert body["prefix"] == "infirm"
    items = body["items"]
    assert len(items) == 50
    french = published_titles("fr")
    for item in items:
        assert item["lang"] == "fr"
        assert item["noc_code"] in french[item["title"]]
        assert item["noc_title"] == unit_group_row(item["noc_code"])["title_fr"]
        assert has_word_starting_with(item["title"], "infirm")
    assert {"title": "Infirmier/infirmière", "lang": "fr", "noc_code": "31301",
            "noc_title": unit_group_row("31301")["title_fr"]} in items


def test_accents_and_case_are_ignored(client: TestClient) -> None:
    body = suggest(client, prefix="educ")
    assert any(item["title"].startswith("Éducateur") for item in body["items"])
    assert suggest(client, prefix="ÉDUC")["items"] == body["items"]


def test_english_titles_with_the_prefix_first(client: TestClient) -> None:
    english = published_titles("en")
    expected = {title for title in english if has_word_starting_with(title, "cashier")}
    items = suggest(client, prefix="Cashier", lang="en", limit=50)["items"]
    titles = [item["title"] for item in items]
    assert set(titles) == expected and len(titles) == len(expected)
    starts = [fold(title).startswith("cashier") for title in titles]
    assert starts == sorted(starts, reverse=True) and True in starts and False in starts


def test_without_lang_both_languages(client: TestClient) -> None:
    items = suggest(client, prefix="inf", limit=50)["items"]
    assert {item["lang"] for item in items} == {"en", "fr"}
    assert {item["lang"] for item in suggest(client, prefix="inf", lang="en", limit=50)["items"]} == {"en"}


def test_default_limit_and_limit(client: TestClient) -> None:
    assert len(suggest(client, prefix="a")["items"]) == 10
    assert len(suggest(client, prefix="a", limit=3)["items"]) == 3


def test_no_suggestion(client: TestClient) -> None:
    assert suggest(client, prefix="zzqx")["items"] == []


def test_suggestions_are_cacheable(client: TestClient) -> None:
    response = client.get(SUGGEST, params={"prefix": "nurse"})
    assert "max-age=" in response.headers["cache-control"]
    again = client.get(SUGGEST, params={"prefix": "nurse"}, headers={"If-None-Match": response.headers["etag"]})
    assert again.status_code == 304


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"prefix": ""}, "query.prefix"),
        ({"prefix": "   "}, "query.prefix"),
        ({"prefix": "n" * 101}, "query.prefix"),
        ({}, "query.prefix"),
        ({"prefix": "nurse", "lang": "de"}, "query.lang"),
        ({"prefix": "nurse", "limit": 0}, "query.limit"),
        ({"prefix": "nurse", "limit": 51}, "query.limit"),
    ],
)
def test_invalid_suggest_parameters(client: TestClient, params: dict[str, Any], location: str) -> None:
    body = assert_problem(client.get(SUGGEST, params=params), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == [location]


def test_prefix_is_stripped(client: TestClient) -> None:
    assert suggest(client, prefix="  nurse ")["items"] == suggest(client, prefix="nurse")["items"]
