"""`/v1/titles/suggest`: title typeahead over all the real titles."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from matching.folding import fold
from tests.matching.test_suggest import has_word_starting_with
from tests.support.problems import assert_problem
from tests.support.source_data import JOB_TITLES, UNIT_GROUPS, csv_rows, unit_group_row

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
    assert {
        "title": "Infirmier/infirmière",
        "lang": "fr",
        "noc_code": "31301",
        "noc_title": unit_group_row("31301")["title_fr"],
    } in items


def test_accents_and_case_are_ignored(client: TestClient) -> None:
    body = suggest(client, prefix="educ")
    assert any(item["title"].startswith("Éducateur") for item in body["items"])
    assert suggest(client, prefix="ÉDUC")["items"] == body["items"]


def test_english_titles_with_the_prefix_first(client: TestClient) -> None:
    english = published_titles("en")
    expected = {title for title in english if has_word_starting_with(title, "cashier")}
    items = suggest(client, prefix="Cashier", lang="en", limit=50)["items"]
    titles = [item["title"] for item in items]
    assert set(titles) == expected
    assert len(titles) == len(expected)
    starts = [fold(title).startswith("cashier") for title in titles]
    assert starts == sorted(starts, reverse=True)
    assert True in starts
    assert False in starts


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
