"""Every request has an id: a plausible `X-Request-ID` of the client's is kept, anything else replaced;
the id is answered in `X-Request-ID`, in problem+json bodies (`request_id`) and on every log record
written while handling the request, and the access line names the route's template, never the query.

The apps here are not started (no lifespan, no database): the routes used need nothing."""

import io
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY

from service.app import create_app
from service.config import Settings
from service.logging_config import LogFormat, RequestIdFilter, formatter
from tests.support.problems import assert_problem

GENERATED = re.compile(r"[0-9a-f]{32}")


def quiet_app(**settings: object) -> FastAPI:
    app = create_app(Settings(database_url="sqlite://", **settings))  # type: ignore[arg-type]

    def boom() -> None:
        raise RuntimeError("boom")

    def speaks() -> dict[str, str]:  # a sync route: it runs in a thread of the pool
        logging.getLogger("tests.speaks").warning("inside the route")
        return {"ok": "yes"}

    app.add_api_route("/test/boom", boom)
    app.add_api_route("/test/speaks", speaks)
    return app


@pytest.fixture(scope="module")
def client() -> TestClient:
    return TestClient(quiet_app(), raise_server_exceptions=False)


class Captured:
    """What the service's handler would write, read back: records, and lines as formatted."""

    def __init__(self, log_format: LogFormat) -> None:
        self.stream = io.StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(formatter(log_format))
        self.handler.addFilter(RequestIdFilter())
        self.records: list[logging.LogRecord] = []
        self.handler.addFilter(self._keep)

    def _keep(self, record: logging.LogRecord) -> bool:
        self.records.append(record)  # after the request id's filter: the record as the handler writes it
        return True

    def lines(self) -> list[str]:
        return self.stream.getvalue().splitlines()


@pytest.fixture(params=["json", "text"])
def captured(request: pytest.FixtureRequest) -> Iterator[Captured]:
    capture = Captured(request.param)
    root = logging.getLogger()
    level = root.level
    root.addHandler(capture.handler)
    root.setLevel(logging.INFO)
    try:
        yield capture
    finally:
        root.removeHandler(capture.handler)
        root.setLevel(level)


def test_a_request_without_an_id_gets_a_new_one(client: TestClient) -> None:
    first, second = client.get("/healthz"), client.get("/healthz")
    assert GENERATED.fullmatch(first.headers["x-request-id"])
    assert first.headers["x-request-id"] != second.headers["x-request-id"]


@pytest.mark.parametrize("given", ["abc-123", "3f2a1c9e-0d4b-4c1e-9a57-2b8f6c1d0e7a", "Root:1.x_y", "a" * 64])
def test_a_plausible_id_is_kept(client: TestClient, given: str) -> None:
    assert client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"] == given


@pytest.mark.parametrize(
    "given", ["a" * 65, "two words", "<script>alert(1)</script>", "id;drop", "é".encode(), "line\\nbreak", "a/b", ""]
)
def test_anything_else_is_replaced_never_echoed(client: TestClient, given: str | bytes) -> None:
    answered = client.get("/healthz", headers={"X-Request-ID": given}).headers["x-request-id"]
    assert GENERATED.fullmatch(answered) and answered != given


def test_problems_carry_the_request_id(client: TestClient) -> None:
    not_found = client.get("/no/such/route", headers={"X-Request-ID": "support-42"})
    assert assert_problem(not_found, 404, "about:blank")["request_id"] == "support-42"
    # Problems the middlewares answer themselves: a path that is not UTF-8, a body over the limit.
    unreadable = client.get("/v1/occupations/caf%FF")
    assert unreadable.status_code == 422
    assert unreadable.json()["request_id"] == unreadable.headers["x-request-id"]
    small = TestClient(quiet_app(max_body_bytes=10))
    too_large = small.post("/v1/events", content=b"x" * 100, headers={"content-type": "application/json"})
    assert assert_problem(too_large, 413, "request-too-large")["request_id"] == too_large.headers["x-request-id"]


def test_an_unexpected_error_is_answered_and_logged_with_the_request_id(client: TestClient, captured: Captured) -> None:
    counted = REGISTRY.get_sample_value(
        "lmi_http_requests_total", {"route": "/test/boom", "method": "GET", "status": "500"}
    )
    response = client.get("/test/boom", headers={"X-Request-ID": "boom-1"})
    assert response.status_code == 500 and response.headers["x-request-id"] == "boom-1"
    labels = {"route": "/test/boom", "method": "GET", "status": "500"}
    assert REGISTRY.get_sample_value("lmi_http_requests_total", labels) == (counted or 0) + 1
    assert response.json()["request_id"] == "boom-1"
    errors = [record for record in captured.records if record.name == "service.problems"]
    assert errors and all(record.request_id == "boom-1" for record in errors)  # type: ignore[attr-defined]
    assert "boom-1" in next(line for line in captured.lines() if "unhandled error" in line)


def test_every_log_line_of_a_request_has_its_id(client: TestClient, captured: Captured) -> None:
    response = client.get("/test/speaks")
    request_id = response.headers["x-request-id"]
    inside = [record for record in captured.records if record.name == "tests.speaks"]
    assert [record.request_id for record in inside] == [request_id]  # type: ignore[attr-defined]
    access = [record for record in captured.records if record.name == "service.access"]
    assert [record.request_id for record in access] == [request_id]  # type: ignore[attr-defined]
    # Outside a request there is none.
    logging.getLogger("tests.outside").warning("no request")
    assert captured.records[-1].request_id is None  # type: ignore[attr-defined]


def test_json_access_lines_name_the_route_template_never_the_query(client: TestClient) -> None:
    capture = Captured("json")
    access = logging.getLogger("service.access")
    access.addHandler(capture.handler)
    level = access.level
    access.setLevel(logging.INFO)
    try:
        response = client.get("/problems/not-ready", params={"q": "Marie Tremblay infirmière", "email": "m@x.ca"})
        client.get("/v1/occupations/31301/nothing?q=secret")
    finally:
        access.removeHandler(capture.handler)
        access.setLevel(level)
    assert response.status_code == 200
    lines = [json.loads(line) for line in capture.lines()]
    assert [line["route"] for line in lines] == ["/problems/{problem_type}", "unmatched"]
    first = lines[0]
    assert first["request_id"] == response.headers["x-request-id"]
    assert (first["level"], first["logger"], first["method"], first["status"]) == ("INFO", "service.access", "GET", 200)
    assert isinstance(first["duration_ms"], float) and first["timestamp"].endswith("+00:00")
    assert first["message"].startswith("GET /problems/{problem_type} 200 ")
    text = capture.stream.getvalue()
    for private in ("Marie", "Tremblay", "m@x.ca", "secret", "?", "not-ready", "31301", "testclient"):
        assert private not in text


def test_the_serve_log_config_writes_json_for_uvicorn_and_the_service() -> None:
    """`lmi serve`'s logging (uvicorn applies the config in each of its processes), in a process of its own."""
    program = """
import logging, logging.config
from service.logging_config import log_config
logging.config.dictConfig(log_config("json", "info"))
logging.getLogger("uvicorn.error").info("Uvicorn running", extra={"color_message": "coloured"})
logging.getLogger("uvicorn.access").info('127.0.0.1:5000 - "GET /?q=secret HTTP/1.1" 200')
logging.getLogger("service.lifespan").info("les modèles sont prêts")
logging.getLogger("asgi_correlation_id").warning("replaced")
logging.getLogger("service.lifespan").debug("not at info")
"""
    done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    lines = [json.loads(line) for line in done.stderr.splitlines()]
    assert [(line["logger"], line["message"]) for line in lines] == [
        ("uvicorn.error", "Uvicorn running"),
        ("service.lifespan", "les modèles sont prêts"),
    ]
    assert all(line["request_id"] is None and line["level"] == "INFO" and "color_message" not in line for line in lines)
