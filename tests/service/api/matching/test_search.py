"""`/v1/occupations/search` and its batch form: job titles and codes → NOC 2021 unit groups.

Test apps match on words only (no embeddings), so these check the lexical path and the HTTP edge.
"""

from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from matching.engine import SearchQuery
from service.app import create_app
from service.config import Settings
from tests.support.problems import assert_problem
from tests.support.source_data import JOB_TITLES, csv_rows, noc2016_successors, unit_group_row

SEARCH = "/v1/occupations/search"
BATCH = "/v1/occupations/search/batch"
CONFIDENCES = {"high", "medium", "low"}


def search(client: TestClient, q: str, **params: Any) -> Response:
    return client.get(SEARCH, params={"q": q, **params})


def found(client: TestClient, q: str, **params: Any) -> dict[str, Any]:
    response = search(client, q, **params)
    assert response.status_code == 200, response.text
    return response.json()


def published_titles(code: str) -> set[str]:
    group = unit_group_row(code)
    return {row["job_title"] for row in csv_rows(JOB_TITLES) if row["noc_code"] == code} | {
        group["title_en"],
        group["title_fr"],
    }


def assert_well_formed(body: dict[str, Any], limit: int = 10) -> None:
    results = body["results"]
    assert len(results) <= limit
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert len({r["noc_code"] for r in results}) == len(results)
    for result in results:
        group = unit_group_row(result["noc_code"])
        assert (result["title_en"], result["title_fr"]) == (group["title_en"], group["title_fr"])
        assert result["title"] == (group["title_fr"] if body["lang"] == "fr" else group["title_en"])
        assert 0 <= result["score"] <= 1
        assert result["confidence"] in CONFIDENCES


def test_test_apps_never_embed(client: TestClient) -> None:
    assert client.app.state.models.matcher.embedder is None  # type: ignore[attr-defined]


# --- Titles ---------------------------------------------------------------------------------------


def test_english_title(client: TestClient) -> None:
    body = found(client, "cashier")
    assert (body["query"], body["normalized"], body["lang"], body["no_match"]) == ("cashier", "cashier", "en", False)
    best = body["results"][0]
    assert best["noc_code"] == "65100"
    assert best["title"] == unit_group_row("65100")["title_en"]
    assert best["match_type"] == "exact"
    assert best["matched_title"] in published_titles("65100")
    assert_well_formed(body)


def test_french_title_is_detected_and_answered_in_french(client: TestClient) -> None:
    body = found(client, "chauffeur de taxi")
    assert (body["lang"], body["no_match"]) == ("fr", False)
    best = body["results"][0]
    assert best["noc_code"] == "75200"
    assert best["title"] == best["title_fr"] == unit_group_row("75200")["title_fr"]
    assert best["matched_title"] in published_titles("75200")
    assert_well_formed(body)


def test_lang_parameter_overrides_detection(client: TestClient) -> None:
    body = found(client, "chauffeur de taxi", lang="en")
    assert body["lang"] == "en"
    assert all(result["title"] == result["title_en"] for result in body["results"])
    assert_well_formed(body)


def test_query_noise_is_normalized_away(client: TestClient) -> None:
    body = found(client, "Cashier - Toronto, ON")
    assert body["query"] == "Cashier - Toronto, ON"
    assert body["normalized"] == "cashier"
    assert body["results"][0]["noc_code"] == "65100"


def test_limit(client: TestClient) -> None:
    assert len(found(client, "nurse", limit=50)["results"]) > 2
    body = found(client, "nurse", limit=2)
    assert len(body["results"]) == 2
    assert_well_formed(body, limit=2)


def test_industry_is_accepted(client: TestClient) -> None:
    body = found(client, "cashier", industry="retail trade")
    assert body["results"][0]["noc_code"] == "65100"


LIBRARY_DUTIES = "shelve and lend books in the public library"


def test_duties_read_a_generic_title(client: TestClient) -> None:
    alone = found(client, "clerk", limit=5)
    with_duties = found(client, "clerk", limit=5, duties=LIBRARY_DUTIES)
    assert alone["results"][0]["noc_code"] != "14300"
    assert with_duties["results"][0]["noc_code"] == "14300"  # library assistants and clerks
    assert with_duties["query"] == alone["query"] == "clerk"


def test_duties_and_industry_reach_the_matcher(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    matcher = client.app.state.models.matcher  # type: ignore[attr-defined]
    calls: list[tuple[Any, ...]] = []
    search_one, search_many = matcher.search, matcher.search_many

    def recorded_search(*args: Any, **kwargs: Any) -> Any:
        calls.append(("search", args, kwargs))
        return search_one(*args, **kwargs)

    def recorded_search_many(items: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(("search_many", list(items), args, kwargs))
        return search_many(items, *args, **kwargs)

    monkeypatch.setattr(matcher, "search", recorded_search)
    monkeypatch.setattr(matcher, "search_many", recorded_search_many)
    found(client, "clerk", industry="library", duties=LIBRARY_DUTIES)
    items = [{"q": "clerk", "duties": LIBRARY_DUTIES}, {"q": "clerk", "industry": "bank", "duties": "count cash"}]
    assert batch(client, {"items": items, "lang": "en", "limit": 2}).status_code == 200
    assert calls[0] == ("search", ("clerk", "auto", 10), {"industry": "library", "duties": LIBRARY_DUTIES})
    # The single search may or may not go through search_many: the batch's call is the last.
    assert calls[-1] == (
        "search_many",
        [SearchQuery("clerk", None, LIBRARY_DUTIES), SearchQuery("clerk", "bank", "count cash")],
        ("en", 2),
        {"background": True},
    )


def test_gibberish_is_no_match(client: TestClient) -> None:
    body = found(client, "asdfgh")
    assert (body["no_match"], body["results"]) == (True, [])


def test_search_answers_are_not_cached(client: TestClient) -> None:
    response = search(client, "cashier")
    assert "etag" not in response.headers


# --- Codes ----------------------------------------------------------------------------------------


def test_noc2021_code_finds_itself(client: TestClient) -> None:
    body = found(client, "31301")
    assert [(r["noc_code"], r["match_type"], r["score"]) for r in body["results"]] == [("31301", "code", 1.0)]


def test_noc2016_code_finds_its_successors(client: TestClient) -> None:
    body = found(client, "7514")
    assert {r["noc_code"] for r in body["results"]} == noc2016_successors("7514") == {"74102", "75201"}
    assert {r["match_type"] for r in body["results"]} == {"noc2016_code"}


# --- Route order ----------------------------------------------------------------------------------


def test_search_is_not_read_as_a_noc_code(client: TestClient) -> None:
    body = found(client, "cashier")
    assert "results" in body and "teer" not in body
    profile = client.get("/v1/occupations/65100")
    assert profile.status_code == 200 and profile.json()["noc_code"] == "65100"


# --- Invalid parameters ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"q": ""}, "query.q"),
        ({"q": "   "}, "query.q"),
        ({"q": "c" * 201}, "query.q"),
        ({}, "query.q"),
        ({"q": "cashier", "lang": "de"}, "query.lang"),
        ({"q": "cashier", "limit": 0}, "query.limit"),
        ({"q": "cashier", "limit": 51}, "query.limit"),
        ({"q": "cashier", "industry": "i" * 201}, "query.industry"),
        ({"q": "cashier", "duties": "d" * 1001}, "query.duties"),
    ],
)
def test_invalid_search_parameters(client: TestClient, params: dict[str, Any], location: str) -> None:
    body = assert_problem(client.get(SEARCH, params=params), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == [location]


def test_query_of_200_characters_is_accepted(client: TestClient) -> None:
    assert found(client, "cashier " + "x" * 192)["query"] == "cashier " + "x" * 192


# --- Batch ----------------------------------------------------------------------------------------


def batch(client: TestClient, body: Any) -> Response:
    return client.post(BATCH, json=body)


def test_batch_answers_in_input_order_with_ids_echoed(client: TestClient) -> None:
    items = [
        {"id": "a", "q": "cashier"},
        {"id": 2, "q": "chauffeur de taxi"},
        {"q": "asdfgh"},
        {"id": "x", "q": "7514", "industry": "transportation"},
        {"id": "5", "q": "infirmière"},
    ]
    response = batch(client, {"lang": "auto", "limit": 3, "items": items})
    assert response.status_code == 200, response.text
    answers = response.json()["items"]
    assert response.json()["words_only"] is True  # test apps match on words only
    assert [answer["id"] for answer in answers] == ["a", 2, None, "x", "5"]
    for item, answer in zip(items, answers, strict=True):
        params = {"limit": 3} | ({"industry": item["industry"]} if "industry" in item else {})
        single = found(client, item["q"], **params)
        assert single.pop("words_only") is True
        assert {key: value for key, value in answer.items() if key != "id"} == single
    best = [answer["results"][0]["noc_code"] if answer["results"] else None for answer in answers]
    assert best[:3] == ["65100", "75200", None] and best[4] == "31301"
    assert {result["noc_code"] for result in answers[3]["results"]} == noc2016_successors("7514")


def test_batch_lang_applies_to_every_item(client: TestClient) -> None:
    response = batch(client, {"lang": "fr", "items": [{"q": "cashier"}, {"q": "caissier"}]})
    assert response.status_code == 200, response.text
    assert [answer["lang"] for answer in response.json()["items"]] == ["fr", "fr"]


def test_batch_of_1000_codes(client: TestClient) -> None:
    response = batch(client, {"limit": 1, "items": [{"id": n, "q": "31301"} for n in range(1000)]})
    assert response.status_code == 200, response.text
    answers = response.json()["items"]
    assert [answer["id"] for answer in answers] == list(range(1000))


def test_batch_of_1001_items_is_refused(client: TestClient) -> None:
    body = assert_problem(batch(client, {"items": [{"q": "cashier"}] * 1001}), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == ["body.items"]
    assert "1000" in body["detail"]


def test_empty_batch_is_refused(client: TestClient) -> None:
    body = assert_problem(batch(client, {"items": []}), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == ["body.items"]


def item_error(answer: dict[str, Any]) -> list[str]:
    """The locations an item's error names, after checking that it is the item's whole answer."""
    assert answer.keys() == {"id", "error"}
    error = answer["error"]
    assert error.keys() == {"type", "title", "detail", "errors"}
    assert (error["type"], error["title"]) == ("/problems/invalid-request", "Invalid request")
    assert all(f"{item['location']}: {item['message']}" in error["detail"] for item in error["errors"])
    return [item["location"] for item in error["errors"]]


@pytest.mark.parametrize("q", ["", "  ", "c" * 201])
def test_batch_item_with_a_bad_query_is_named(client: TestClient, q: str) -> None:
    items = [{"id": "a", "q": "cashier"}, {"id": "b", "q": q}]
    response = batch(client, {"items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] == 1
    good, bad = body["items"]
    assert good["id"] == "a" and good["results"][0]["noc_code"] == "65100"
    assert bad["id"] == "b"
    assert item_error(bad) == ["body.items.1.q"]


def test_bad_items_are_answered_in_place_and_the_others_as_usual(client: TestClient) -> None:
    bad: dict[int, tuple[dict[str, Any], str]] = {
        1: ({"id": "long", "q": "c" * 201}, "q"),
        2: ({"id": "empty", "q": ""}, "q"),
        4: ({"id": "number", "q": 42}, "q"),
        5: ({"id": "unknown", "q": "cashier", "title": "cashier"}, "title"),
        6: ({"id": "industry", "q": "clerk", "industry": "i" * 201}, "industry"),
        8: ({"id": "duties", "q": "clerk", "duties": "d" * 1001}, "duties"),
        9: ({"id": True, "q": "cashier"}, "id"),
        10: ({"id": 3, "industry": "retail"}, "q"),
    }
    good: dict[int, dict[str, Any]] = {
        0: {"id": "a", "q": "cashier"},
        3: {"id": 2, "q": "chauffeur de taxi"},
        7: {"id": "c", "q": "clerk", "industry": "bank", "duties": LIBRARY_DUTIES},
        11: {"q": "7514"},
    }
    items = [good[index] if index in good else bad[index][0] for index in range(12)]
    response = batch(client, {"limit": 3, "items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    answers = body["items"]
    assert (len(answers), body["errors"]) == (12, len(bad))
    for index, item in good.items():
        params = {"limit": 3} | {key: item[key] for key in ("industry", "duties") if key in item}
        single = found(client, item["q"], **params)
        assert single.pop("words_only") is body["words_only"] is True  # said once for the batch
        assert answers[index] == {"id": item.get("id")} | single
    for index, (item, field) in bad.items():
        assert answers[index]["id"] == (None if field == "id" else item["id"])
        assert item_error(answers[index]) == [f"body.items.{index}.{field}"], answers[index]
    assert "200 characters, not 201" in answers[1]["error"]["detail"]
    assert "1000 characters" in answers[8]["error"]["detail"]


def test_a_bad_item_of_1000_leaves_the_999_others_coded(client: TestClient) -> None:
    items: list[dict[str, Any]] = [{"id": n, "q": "cashier" if n % 2 else "31301"} for n in range(1000)]
    items[500] = {"id": 500, "q": "cashier " * 30}
    response = batch(client, {"limit": 1, "items": items})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] == 1
    answers = body["items"]
    assert [answer["id"] for answer in answers] == list(range(1000))
    assert item_error(answers[500]) == ["body.items.500.q"]
    best = [answer["results"][0]["noc_code"] for n, answer in enumerate(answers) if n != 500]
    assert best == ["31301" if n % 2 == 0 else "65100" for n in range(1000) if n != 500]


def test_a_batch_of_bad_items_only_is_answered(client: TestClient) -> None:
    response = batch(client, {"items": [{"q": ""}, {"query": "cashier"}]})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["errors"] == 2
    assert [item_error(answer) for answer in body["items"]] == [
        ["body.items.0.q"],
        ["body.items.1.q", "body.items.1.query"],
    ]


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"limit": 0, "items": [{"q": "cashier"}]}, "body.limit"),
        ({"limit": 51, "items": [{"q": "cashier"}]}, "body.limit"),
        ({"lang": "de", "items": [{"q": "cashier"}]}, "body.lang"),
        ({"items": [{"q": "cashier"}], "format": "csv"}, "body.format"),
        ({"items": {"q": "cashier"}}, "body.items"),
        ({"items": [{"q": "cashier"}, "nurse"]}, "body.items.1"),
        ({}, "body.items"),
    ],
)
def test_invalid_batch(client: TestClient, body: dict[str, Any], location: str) -> None:
    problem = assert_problem(batch(client, body), 422, "invalid-request")
    assert [error["location"] for error in problem["errors"]] == [location]


def test_batch_items_are_documented_without_the_checks_made_item_by_item(client: TestClient) -> None:
    document = client.get("/openapi.json").json()
    batch_in = document["components"]["schemas"]["BatchIn"]
    items = batch_in["properties"]["items"]
    assert (items["minItems"], items["maxItems"], batch_in["additionalProperties"]) == (1, 1000, False)
    item = items["items"]
    assert item["type"] == "object" and "required" not in item and "additionalProperties" not in item
    assert set(item["properties"]) == {"id", "q", "industry", "duties"}
    assert all(field.keys() == {"description"} for field in item["properties"].values())
    assert "1,000 characters" in item["properties"]["duties"]["description"]
    parameters = {parameter["name"]: parameter for parameter in document["paths"][SEARCH]["get"]["parameters"]}
    assert parameters["duties"]["schema"]["anyOf"][0]["maxLength"] == 1000
    assert "generic title" in parameters["industry"]["description"]


def test_malformed_json_is_a_problem(client: TestClient) -> None:
    response = client.post(BATCH, content=b'{"items": [', headers={"content-type": "application/json"})
    body = assert_problem(response, 422, "invalid-request")
    assert "JSON" in body["detail"]


# --- Without reference data -----------------------------------------------------------------------


@pytest.fixture
def empty_client(empty_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings(empty_database_url))) as test_client:
        yield test_client


def test_search_is_unavailable_without_reference_data(empty_client: TestClient) -> None:
    assert empty_client.app.state.models.matcher is None  # type: ignore[attr-defined]
    for response in (
        search(empty_client, "cashier"),
        batch(empty_client, {"items": [{"q": "cashier"}]}),
        empty_client.get("/v1/titles/suggest", params={"prefix": "cash"}),
    ):
        body = assert_problem(response, 503, "not-ready")
        assert "lmi import-reference" in body["detail"]


def test_readyz_reports_a_missing_matcher(client: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    models = state.models
    state.models = replace(models, matcher=None)  # as when the service started before the import
    try:
        body = assert_problem(client.get("/readyz"), 503, "not-ready")
        assert "matcher" in body["detail"]
        assert_problem(search(client, "cashier"), 503, "not-ready")
        response = client.get("/healthz")
        assert (response.status_code, response.headers["content-type"]) == (200, "application/json")
    finally:
        state.models = models
    assert client.get("/readyz").status_code == 200
