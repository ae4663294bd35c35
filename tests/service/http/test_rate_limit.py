"""Rate limits: per client address without a key, per key with one, per visit and generously per
address on the public page; 429 with Retry-After, as problem+json for the API and a page for people."""

from collections.abc import Callable, Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accounts.keys import create_key
from service.app import create_app
from service.config import Settings
from tests.support.problems import assert_problem


@pytest.fixture
def limited(reference_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    settings = app_settings(reference_database_url).model_copy(
        update={
            "rate_limit_address": "3/minute",
            "rate_limit_key": "5/minute",
            "rate_limit_page": "6/minute",
            "rate_limit_visit": "2/minute",
        }
    )
    with TestClient(create_app(settings)) as client:
        yield client


@pytest.fixture
def analyst_key(reference_engine: Engine) -> str:
    with Session(reference_engine) as session:
        _, key = create_key(session, "analyst")
        session.commit()
    return key


def test_the_api_is_limited_per_address_without_a_key_and_per_key_with_one(
    limited: TestClient, analyst_key: str
) -> None:
    for _ in range(3):
        assert limited.get("/v1/regions").status_code == 200
    refused = limited.get("/v1/regions")
    problem = assert_problem(refused, 429, "too-many-requests")
    assert 0 < int(refused.headers["retry-after"]) <= 60 and problem["retry_after"] == int(
        refused.headers["retry-after"]
    )
    assert "this client address" in problem["detail"] and problem["limit"] == "3 per 1 minute"
    # Health checks are never limited; a made-up key is no key.
    assert limited.get("/healthz").status_code == 200
    assert limited.get("/v1/regions", headers={"Authorization": "Bearer lmi_00000000_x"}).status_code == 429
    # A key has limits of its own, wherever it calls from.
    with_key = {"Authorization": f"Bearer {analyst_key}"}
    assert [limited.get("/v1/regions", headers=with_key).status_code for _ in range(5)] == [200] * 5
    assert (
        "this API key"
        in assert_problem(limited.get("/v1/regions", headers=with_key), 429, "too-many-requests")["detail"]
    )


def test_people_behind_one_address_share_the_page_but_one_visit_cannot_flood_it(limited: TestClient) -> None:
    def page(visit: str) -> int:
        limited.cookies.clear()
        limited.cookies.set("lmi_session", visit)
        return limited.get("/").status_code

    visits = [f"v_{'abcdefghijklmnop'[: 15 - n]}{'x' * (n + 1)}" for n in range(3)]
    for visit in visits:  # three people of one school, two pages each: the address allows six
        assert [page(visit), page(visit)] == [200, 200]
    limited.cookies.set("lmi_session", visits[0])
    refused = limited.get("/")  # a third page in a minute from one visit
    assert refused.status_code == 429 and refused.headers["content-type"].startswith("text/html")
    assert int(refused.headers["retry-after"]) > 0
    assert "Too many requests" in refused.text and "Trop de requêtes" in refused.text
    # The page's own limit is the address's: the seventh page from the school waits too.
    assert page("v_0123456789abcdef") == 429
    # The API has its own count.
    assert limited.get("/v1/regions").status_code == 200
