"""Problem `type` URIs resolve to a page that explains the problem."""

import pytest
from fastapi.testclient import TestClient

from service.problems import PROBLEM_TYPES
from tests.support.problems import assert_problem

# One request per problem type the service answers: (method, url, body, content type).
CAUSES = {
    "unknown-occupation": ("GET", "/v1/occupations/99999", None, None),
    "unknown-crosswalk-code": ("GET", "/v1/crosswalk/noc2016/xx", None, None),
    "unknown-region": ("GET", "/v1/occupations/31301?region=XX", None, None),
    "invalid-request": ("GET", "/v1/occupations?teer=9", None, None),
    "request-too-large": ("POST", "/v1/occupations/search/batch", b" " * (3 * 1024 * 1024), "application/json"),
    "unsupported-media-type": ("POST", "/v1/occupations/search/batch", b"q=cook", "text/plain"),
}


def _cause(client: TestClient, problem_type: str) -> dict[str, object]:
    method, url, body, content_type = CAUSES[problem_type]
    headers = {"content-type": content_type} if content_type else {}
    response = client.request(method, url, content=body, headers=headers)
    return assert_problem(response, PROBLEM_TYPES[problem_type].status, problem_type)


@pytest.mark.parametrize("problem_type", sorted(CAUSES))
def test_a_problem_type_resolves_to_its_page(client: TestClient, problem_type: str) -> None:
    problem = _cause(client, problem_type)
    page = client.get(str(problem["type"]))
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert PROBLEM_TYPES[problem_type].title in page.text.replace("&#x27;", "'")
    assert f"HTTP status {problem['status']}" in page.text


def test_the_index_lists_every_type(client: TestClient) -> None:
    page = client.get("/problems").text
    assert all(f'href="/problems/{problem_type}"' in page for problem_type in PROBLEM_TYPES)


def test_an_unknown_type_has_no_page(client: TestClient) -> None:
    assert_problem(client.get("/problems/no-such-thing"), 404, "about:blank")
