"""Checking RFC 9457 problem responses, shared by the API tests."""

from typing import Any

from httpx import Response

PROBLEM_JSON = "application/problem+json"


def assert_problem(response: Response, status: int, problem_type: str) -> dict[str, Any]:
    """An RFC 9457 problem: its media type, members, and a type URI ending with `problem_type`."""
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM_JSON
    body = response.json()
    assert {"type", "title", "status", "detail", "instance"} <= body.keys()
    assert body["type"].endswith(problem_type)
    assert (body["status"], body["instance"]) == (status, response.request.url.path)
    return body
