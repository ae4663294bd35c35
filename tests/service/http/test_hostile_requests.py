"""What a hostile or careless client sends: undecodable text, oversized bodies, wrong media types,
out-of-range numbers, forged Host headers, HEAD. Each gets a clear answer, never a 500."""

import json
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.problems import PROBLEM_JSON, assert_problem

BATCH = "/v1/occupations/search/batch"


def batch_item_error(response: Response, index: int) -> dict[str, Any]:
    """The error a batch answered in place of item `index` (the request as a whole was fine)."""
    assert response.status_code == 200, response.text
    answer = response.json()["items"][index]
    assert answer.keys() == {"id", "error"} and answer["error"]["type"] == "/problems/invalid-request"
    error: dict[str, Any] = answer["error"]
    return {"id": answer["id"], **error}


def test_lone_surrogate_in_a_batch_title_is_invalid(client: TestClient) -> None:
    body = '{"items": [{"id": "a", "q": "cashier"}, {"id": "b", "q": "nurse\\ud800"}]}'
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    error = batch_item_error(response, 1)
    assert [item["location"] for item in error["errors"]] == ["body.items.1.q"]
    assert "lone surrogate" in error["errors"][0]["message"] and error["id"] == "b"
    assert response.json()["items"][0]["results"][0]["noc_code"] == "65100"


def test_lone_surrogate_in_a_batch_id_is_invalid(client: TestClient) -> None:
    body = '{"items": [{"id": "\\udfff", "q": "cashier"}]}'
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    error = batch_item_error(response, 0)
    assert [item["location"] for item in error["errors"]] == ["body.items.0.id"]
    assert "lone surrogate" in error["errors"][0]["message"] and error["id"] is None


@pytest.mark.parametrize("item_id", ["x" * 101, "0" * 101, 2**53, -(2**53), True, 1.5])
def test_batch_ids_are_bounded(client: TestClient, item_id: object) -> None:
    response = client.post(BATCH, json={"items": [{"id": item_id, "q": "cashier"}]})
    error = batch_item_error(response, 0)
    assert [item["location"] for item in error["errors"]] == ["body.items.0.id"]
    assert error["id"] is None


@pytest.mark.parametrize("item_id", ["x" * 100, "007", 2**53 - 1, -(2**53 - 1), 0])
def test_batch_ids_at_their_bounds_are_echoed(client: TestClient, item_id: object) -> None:
    response = client.post(BATCH, json={"items": [{"id": item_id, "q": "cashier"}]})
    assert response.status_code == 200, response.text
    assert response.json()["items"][0]["id"] == item_id


def test_huge_page_number_is_invalid(client: TestClient) -> None:
    response = client.get("/v1/occupations", params={"page": 9223372036854775807})
    problem = assert_problem(response, 422, "invalid-request")
    assert problem["errors"][0]["location"] == "query.page"


def test_an_oversized_body_is_refused_before_it_is_read(client: TestClient) -> None:
    items = [{"id": n, "q": "cashier " * 20} for n in range(12_000)]
    body = json.dumps({"items": items}).encode()
    assert len(body) > 2 * 1024 * 1024
    response = client.post(BATCH, content=body, headers={"content-type": "application/json"})
    problem = assert_problem(response, 413, "request-too-large")
    assert problem["max_bytes"] == 2 * 1024 * 1024


def test_an_oversized_chunked_body_is_refused(client: TestClient) -> None:
    def chunks() -> Iterator[bytes]:
        yield b'{"items": ['
        for _ in range(3000):
            yield b'{"q": "' + b"a" * 1000 + b'"},'
        yield b'{"q": "cashier"}]}'

    response = client.post(BATCH, content=chunks(), headers={"content-type": "application/json"})
    assert_problem(response, 413, "request-too-large")


@pytest.mark.parametrize("content_type", ["text/plain", "application/x-www-form-urlencoded", None])
def test_a_body_that_is_not_json_is_unsupported(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post(BATCH, content=b'{"items": [{"q": "cashier"}]}', headers=headers)
    problem = assert_problem(response, 415, "unsupported-media-type")
    assert problem["accept"] == "application/json"
    assert "application/json" in problem["detail"]


def test_json_with_a_charset_is_accepted(client: TestClient) -> None:
    response = client.post(
        BATCH, content=b'{"items": [{"q": "cashier"}]}', headers={"content-type": "application/json; charset=utf-8"}
    )
    assert response.status_code == 200


JSON_ROUTES = [BATCH, "/v1/recommendations", "/v1/events", "/v1/analytics/targets"]
UNREADABLE_BODIES = {
    "nested 1,000 deep": (b"[" * 1000 + b"]" * 1000, "nested more than 32 levels deep"),
    "never closed": (b'{"items": ' + b"[" * 100_000, "nested more than 32 levels deep"),
    "nested 33 deep": (b'{"items": ' + b"[" * 32 + b"]" * 32 + b"}", "nested more than 32 levels deep"),
    "not UTF-8": (b'{"items": [{"q": "caf\xe9"}]}', "is not UTF-8 text: byte 22 cannot be read"),
    "not JSON": (b'{"items": [{"q": "cafe"}', "JSON decode error"),
}


@pytest.mark.parametrize("path", JSON_ROUTES)
@pytest.mark.parametrize("body", UNREADABLE_BODIES, ids=list(UNREADABLE_BODIES))
def test_a_json_body_that_cannot_be_read_is_an_invalid_request(client: TestClient, path: str, body: str) -> None:
    content, message = UNREADABLE_BODIES[body]
    response = client.post(path, content=content, headers={"content-type": "application/json"})
    problem = assert_problem(response, 422, "invalid-request")
    assert [error["location"].split(".")[0] for error in problem["errors"]] == ["body"]
    assert message in problem["errors"][0]["message"]


def test_a_json_body_as_deep_as_allowed_is_read(client: TestClient) -> None:
    item = {"id": "a", "q": "cashier", "industry": None}
    for _ in range(29):  # with the body, its list of items and the item: 32 levels
        item = {"id": "a", "q": "cashier", "x": item}
    response = client.post(BATCH, json={"items": [item, {"id": "b", "q": "cashier"}]})
    assert response.status_code == 200
    assert [answer.get("error", {}).get("type") for answer in response.json()["items"]] == [
        "/problems/invalid-request",  # an unknown field, answered in its place
        None,
    ]


@pytest.mark.parametrize(
    ("path", "method"),
    [(BATCH, "post"), ("/v1/recommendations", "post"), ("/v1/institutions/{institution}/catalog", "put")],
)
def test_json_routes_declare_unreadable_bodies_as_422_not_400(client: TestClient, path: str, method: str) -> None:
    responses = client.get("/openapi.json").json()["paths"][path][method]["responses"]
    assert "422" in responses and "400" not in responses


@pytest.mark.parametrize(
    "url", ["/v1/occupations/search?q=caf%E9", "/v1/titles/suggest?prefix=%FF%FE", "/v1/regions?x=%C3"]
)
def test_query_text_that_is_not_utf8_is_invalid(client: TestClient, url: str) -> None:
    problem = assert_problem(client.get(url), 422, "invalid-request")
    assert problem["errors"][0]["location"] == "query"


@pytest.mark.parametrize(
    "url", ["/v1/occupations/31301?region=%00", "/v1/occupations/search?q=cook%00", "/v1/regions?lang=fr%00"]
)
def test_query_text_with_a_nul_is_invalid(client: TestClient, url: str) -> None:
    problem = assert_problem(client.get(url), 422, "invalid-request")
    assert "NUL" in problem["errors"][0]["message"]


def test_query_text_in_utf8_is_searched_as_is(client: TestClient) -> None:
    body = client.get("/v1/occupations/search?q=caf%C3%A9%20cook").json()
    assert body["query"] == "café cook"


def test_path_text_that_is_not_utf8_is_invalid(client: TestClient) -> None:
    response = client.get("/v1/occupations/3130%FF")
    assert (response.status_code, response.headers["content-type"]) == (422, PROBLEM_JSON)
    problem = response.json()
    assert problem["type"].endswith("invalid-request")
    assert problem["instance"] == "/v1/occupations/3130%FF"  # as sent, not with a replacement character
    assert problem["errors"][0]["location"] == "path"


@pytest.mark.parametrize(
    "url", ["/v1/occupations/31301?region=ON", "/v1/regions", "/healthz", "/v1/occupations/search?q=cook"]
)
def test_head_answers_like_get_without_a_body(client: TestClient, url: str) -> None:
    get = client.get(url)
    head = client.head(url)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    for header in ("content-type", "etag", "cache-control", "content-length"):
        assert head.headers.get(header) == get.headers.get(header)


def test_head_of_an_unknown_occupation_is_its_404(client: TestClient) -> None:
    response = client.head("/v1/occupations/99999")
    assert (response.status_code, response.headers["content-type"], response.content) == (404, PROBLEM_JSON, b"")


def test_listing_links_do_not_echo_the_host(client: TestClient) -> None:
    response = client.get("/v1/occupations?teer=1&per_page=5&page=2", headers={"host": "evil.example"})
    body = response.json()
    assert body["next"] == "/v1/occupations?teer=1&per_page=5&page=3"
    assert body["previous"] == "/v1/occupations?teer=1&per_page=5&page=1"
    assert "evil.example" not in response.text


def test_trailing_slash_redirects_relatively(client: TestClient) -> None:
    response = client.get("/v1/regions/?lang=fr", headers={"host": "evil.example"}, follow_redirects=False)
    assert response.status_code == 307
    assert response.headers["location"] == "/v1/regions?lang=fr"


def test_unknown_path_with_a_slash_is_still_404(client: TestClient) -> None:
    assert_problem(client.get("/v1/nothing/"), 404, "about:blank")


@pytest.mark.parametrize("code", ["３１３０１", "٣١٣٠١"])
def test_non_ascii_digits_are_not_codes(client: TestClient, code: str) -> None:
    problem = assert_problem(client.get(f"/v1/occupations/{code}"), 404, "unknown-occupation")
    assert "is not a NOC 2021 code" in problem["detail"]
    body = client.get(f"/v1/crosswalk/noc2016/{code}")
    assert "NOC 2016 unit group codes have four digits" in assert_problem(body, 404, "unknown-crosswalk-code")["detail"]


def test_non_ascii_broad_category_is_invalid(client: TestClient) -> None:
    assert_problem(client.get("/v1/occupations?broad_category=３"), 422, "invalid-request")


def test_timestamps_carry_their_utc_offset(client: TestClient) -> None:
    sources = client.get("/v1/meta/sources").json()["sources"]
    assert sources
    assert all(source["imported_at"].endswith(("+00:00", "Z")) for source in sources)


@pytest.mark.parametrize("url", ["/v1/regions", "/v1/occupations/99999", "/docs", "/problems"])
def test_security_headers(client: TestClient, url: str) -> None:
    headers = client.get(url).headers
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["x-frame-options"] == "DENY"
    assert "frame-ancestors 'none'" in headers["content-security-policy"]


def test_json_answers_may_load_nothing(client: TestClient) -> None:
    assert client.get("/v1/regions").headers["content-security-policy"].startswith("default-src 'none'")
