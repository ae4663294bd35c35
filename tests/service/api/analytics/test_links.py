"""Tracked links: every program shown has one; following it logs a click and leads to the page stored
on the server; a forged link leads nowhere and logs nothing."""

from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.events import Event
from tests.service.api.analytics.conftest import Script
from tests.support.problems import assert_problem


def events_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def test_every_program_shown_has_an_impression_and_a_signed_link(client: TestClient, script: Script) -> None:
    programs = script.answers["b1"]["programs"]
    assert len({program["impression_id"] for program in programs}) == len(programs)
    assert all(program["tracked_url"].startswith("/r/") for program in programs)
    assert all(
        program["tracked_url"].split("/r/")[1].startswith(program["impression_id"] + ".") for program in programs
    )


def test_a_forged_or_altered_link_is_a_404_and_logs_nothing(
    client: TestClient, script: Script, reference_engine: Engine
) -> None:
    token = script.answers["b1"]["programs"][0]["tracked_url"].removeprefix("/r/")
    impression, _, signature = token.rpartition(".")
    other = script.answers["b2"]["programs"][0]["impression_id"]
    before = events_count(reference_engine)
    for forged in (
        f"{other}.{signature}",
        f"{impression}.{signature[::-1]}",
        impression,
        "i_unknown.AAAAAAAAAAAAAAAAAAAAAA",
    ):
        response = client.get(f"/r/{forged}", follow_redirects=False)
        assert_problem(response, 404, "unknown-link")
        assert "location" not in response.headers
    assert_problem(client.get("/r/javascript:alert(1)", follow_redirects=False), 422, "invalid-request")
    assert events_count(reference_engine) == before


def test_a_head_request_answers_the_redirect_without_logging_a_click(
    client: TestClient, script: Script, reference_engine: Engine
) -> None:
    program = script.answers["a4"]["programs"][0]  # a4 followed no link
    before = events_count(reference_engine)
    response = client.head(program["tracked_url"], follow_redirects=False)
    assert response.status_code == 302 and response.headers["location"] == program["url"]
    assert response.headers["cache-control"] == "no-store"
    assert events_count(reference_engine) == before
    assert client.get(program["tracked_url"], follow_redirects=False).status_code == 302
    assert events_count(reference_engine) == before + 1
