"""Portals' pages call the API from their visitors' browsers (LMI_CORS_ORIGINS): named origins only, no
credentials, no Authorization header, preflights answered before the rate limits and the checks.

These apps are not started (no lifespan, no database): every answer here is made by the middlewares or
by a route that needs nothing (/healthz, the problem pages)."""

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from pydantic import ValidationError

from service.app import create_app
from service.config import Settings
from service.http.cors import MAX_AGE, canonical_origin

PORTAL = "https://portal.example.ca"
DEV_PORTAL = "http://localhost:3000"


def client_for(**settings: object) -> TestClient:
    return TestClient(create_app(Settings(database_url="sqlite://", **settings)))  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def portals() -> TestClient:
    return client_for(cors_origins=f"{PORTAL}, {DEV_PORTAL}", rate_limit_address="1000/second")


def preflight(
    client: TestClient, path: str, origin: str, method: str = "POST", headers: str = "content-type"
) -> Response:
    return client.options(
        path,
        headers={"Origin": origin, "Access-Control-Request-Method": method, "Access-Control-Request-Headers": headers},
    )


def test_an_allowed_origin_gets_its_origin_back_and_may_read_the_request_id(portals: TestClient) -> None:
    response = portals.get("/healthz", headers={"Origin": PORTAL})
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == PORTAL
    assert "Origin" in response.headers["vary"]
    exposed = {name.strip().lower() for name in response.headers["access-control-expose-headers"].split(",")}
    assert {"x-request-id", "retry-after"} <= exposed
    assert "access-control-allow-credentials" not in response.headers
    assert portals.get("/healthz", headers={"Origin": DEV_PORTAL}).headers["access-control-allow-origin"] == DEV_PORTAL


def test_an_unknown_origin_gets_no_access(portals: TestClient) -> None:
    for origin in (
        "https://evil.example",
        "https://portal.example.ca.evil.example",
        "http://portal.example.ca",
        "null",
    ):
        response = portals.get("/healthz", headers={"Origin": origin})
        assert response.status_code == 200  # the browser, not the server, withholds the answer
        assert "access-control-allow-origin" not in response.headers
        assert "Origin" in response.headers["vary"]  # a shared cache keeps the answers apart
        refused = preflight(portals, "/v1/recommendations", origin)
        assert refused.status_code == 400 and "access-control-allow-origin" not in refused.headers


def test_a_preflight_for_a_json_post_is_allowed_and_cached(portals: TestClient) -> None:
    for path in ("/v1/recommendations", "/v1/events", "/v1/occupations/search/batch"):
        response = preflight(portals, path, PORTAL, headers="content-type, x-request-id")
        assert response.status_code == 200, response.text
        assert response.headers["access-control-allow-origin"] == PORTAL
        assert set(response.headers["access-control-allow-methods"].split(", ")) == {"GET", "HEAD", "POST"}
        allowed = {name.lower() for name in response.headers["access-control-allow-headers"].split(", ")}
        assert {"content-type", "x-request-id"} <= allowed and "authorization" not in allowed
        assert response.headers["access-control-max-age"] == str(MAX_AGE)
        assert "access-control-allow-credentials" not in response.headers
        assert response.headers["x-request-id"]  # answered like any other request


def test_keys_and_uploads_are_not_for_browsers(portals: TestClient) -> None:
    # An API key in a page's script is anyone's key: the browser is refused the Authorization header.
    assert preflight(portals, "/v1/recommendations", PORTAL, headers="content-type, authorization").status_code == 400
    # Catalog uploads come from servers.
    assert preflight(portals, "/v1/institutions/viu/catalog", PORTAL, method="PUT").status_code == 400
    assert preflight(portals, "/v1/analytics/targets/1", PORTAL, method="DELETE").status_code == 400


def test_preflights_pass_before_the_rate_limit_and_the_checks_and_a_429_is_readable() -> None:
    client = client_for(cors_origins=PORTAL, rate_limit_address="2/minute")
    # Preflights cost no count, and no body or path check stops them (a path that is not UTF-8).
    for _ in range(5):
        assert preflight(client, "/v1/recommendations", PORTAL).status_code == 200
    assert preflight(client, "/v1/occupations/caf%FF", PORTAL, method="GET", headers="x-request-id").status_code == 200
    origin = {"Origin": PORTAL}
    assert [client.get("/problems", headers=origin).status_code for _ in range(2)] == [200, 200]
    refused = client.get("/problems", headers=origin)
    assert refused.status_code == 429
    # The portal's script can read the 429 and when to try again.
    assert refused.headers["access-control-allow-origin"] == PORTAL
    assert "retry-after" in refused.headers["access-control-expose-headers"].lower()
    # A body over the limit is refused as before, readable too.
    big = client_for(cors_origins=PORTAL, max_body_bytes=10).post(
        "/v1/events", content=b"x" * 100, headers={**origin, "content-type": "application/json"}
    )
    assert big.status_code == 413 and big.headers["access-control-allow-origin"] == PORTAL


def test_without_origins_there_is_no_cross_origin_access() -> None:
    client = client_for()
    response = client.get("/healthz", headers={"Origin": PORTAL})
    assert "access-control-allow-origin" not in response.headers
    # A preflight is just an OPTIONS request, which no route answers.
    answer = preflight(client, "/v1/recommendations", PORTAL)
    assert answer.status_code == 405 and "access-control-allow-origin" not in answer.headers


@pytest.mark.parametrize(
    ("given", "canonical"),
    [
        ("https://portal.example.ca", "https://portal.example.ca"),
        ("HTTPS://Portal.Example.CA", "https://portal.example.ca"),
        ("https://portal.example.ca:443", "https://portal.example.ca"),
        ("http://localhost:80", "http://localhost"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://xn--carrire-6xa.example.ca:8443", "https://xn--carrire-6xa.example.ca:8443"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        (" http://127.0.0.1:5173 ", "http://127.0.0.1:5173"),
    ],
)
def test_origins_are_read_as_browsers_send_them(given: str, canonical: str) -> None:
    assert canonical_origin(given) == canonical


@pytest.mark.parametrize(
    "origin",
    [
        "*",
        "https://portal.example.ca/",
        "https://portal.example.ca/path",
        "https://portal.example.ca?x=1",
        "portal.example.ca",
        "ftp://portal.example.ca",
        "https://user@portal.example.ca",
        "https://carrière.example.ca",
        "https://portal.example.ca:0",
        "https://portal.example.ca:70000",
        "https://*.example.ca",
    ],
)
def test_a_setting_that_is_not_a_list_of_origins_is_refused(origin: str) -> None:
    with pytest.raises(ValidationError, match=r"LMI_CORS_ORIGINS|cors_origins"):
        Settings(database_url="sqlite://", cors_origins=f"{PORTAL},{origin}")


def test_the_setting_is_comma_separated_and_kept_canonical() -> None:
    settings = Settings(cors_origins=f" {PORTAL}, HTTP://LOCALHOST:3000 ,,https://portal.example.ca:443")
    assert settings.cors_origin_list() == (PORTAL, DEV_PORTAL)
    assert Settings().cors_origin_list() == ()
