"""The learning arm end to end, in an app of its own with `LMI_LEARNING_ARM` set, over the real
reference data and the sample catalogs: a request carrying the arm's variant is answered and logged
in that arm (a request carrying another is not re-ranked); people's clicks through the tracked links
raise the program they chose, a robot's do not; and the analytics' variant comparison, which the
dashboard draws, lists the arm against the control. On SQLite and PostgreSQL."""

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts.keys import create_key
from analytics.rollups import delete_events
from models.events import Event
from service.app import create_app
from service.config import Settings
from tests.support.ranking import full_lists

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
ROBOT = "python-requests/2.32.3"
ARM = f"learning-{uuid.uuid4().hex[:6]}"  # an arm no other test's events are in
SESSIONS = f"learn-arm-{uuid.uuid4().hex[:6]}"
TITLE = "licensed practical nurse"


@pytest.fixture(scope="module")
def learning_client(
    catalogs: None, reference_database_url: str, app_settings: Callable[[str], Settings], reference_engine: Engine
) -> Iterator[TestClient]:
    settings = app_settings(reference_database_url).model_copy(update={"learning_arm": ARM})
    with TestClient(create_app(settings)) as client:
        yield client
    with Session(reference_engine) as session:
        delete_events(session, Event.session_id.like(f"{SESSIONS}%"))  # with their roll-ups
        session.commit()


def recommend(client: TestClient, session_id: str, variant: str | None, agent: str = BROWSER) -> dict[str, Any]:
    body: dict[str, Any] = {"job_title": TITLE, "session_id": f"{SESSIONS}-{session_id}"}
    if variant is not None:
        body["variant"] = variant
    with full_lists():  # the arm's pool and the base list at their longest
        response = client.post("/v1/recommendations", json=body, headers={"User-Agent": agent})
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert len(answer["programs"]) >= 5, "the sample catalogs serve practical nurses"
    return answer


def courses(answer: dict[str, Any]) -> list[str]:
    return [program["course_id"] for program in answer["programs"]]


def follow(client: TestClient, answer: dict[str, Any], course_id: str, agent: str = BROWSER) -> None:
    program = next(program for program in answer["programs"] if program["course_id"] == course_id)
    response = client.get(program["tracked_url"], follow_redirects=False, headers={"User-Agent": agent})
    assert response.status_code == 302


def logged(engine: Engine, session_id: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.scalars(select(Event).where(Event.session_id == f"{SESSIONS}-{session_id}")))


def test_the_arm_answers_and_logs_its_variant(learning_client: TestClient, reference_engine: Engine) -> None:
    learning_client.app.state.learning_feedback.refresh()  # type: ignore[attr-defined]
    answer = recommend(learning_client, "arm", ARM)
    assert answer["variant"] == ARM
    control = recommend(learning_client, "control", "control")
    assert control["variant"] == "control"
    rows = logged(reference_engine, "arm")
    assert {row.variant for row in rows} == {ARM}
    assert sorted(row.type for row in rows) == ["impression"] * len(answer["programs"]) + ["search"]
    assert {row.variant for row in logged(reference_engine, "control")} == {"control"}
    # No variant and no share of sessions for the arm (LMI_LEARNING_ARM_SHARE is 0): not in the arm.
    assert recommend(learning_client, "none", None)["variant"] is None


def test_people_s_clicks_raise_a_program_and_a_robot_s_do_not(learning_client: TestClient) -> None:
    feedback = learning_client.app.state.learning_feedback  # type: ignore[attr-defined]
    feedback.refresh()
    # The lists compared are asked for as a robot, so that asking for them teaches the arm nothing.
    before = courses(recommend(learning_client, "before", ARM, ROBOT))
    control_before = courses(recommend(learning_client, "control-before", "control", ROBOT))
    chosen = before[4]  # the fifth program
    # A robot clicks it in a dozen answers: stored, flagged, and not learned from.
    for index in range(12):
        follow(learning_client, recommend(learning_client, f"robot-{index}", ARM, ROBOT), chosen, ROBOT)
    feedback.refresh()
    assert courses(recommend(learning_client, "after-robot", ARM, ROBOT)) == before
    # People choose it in a dozen answers (each one clicked once, as a click is per impression).
    for index in range(12):
        follow(learning_client, recommend(learning_client, f"person-{index}", ARM), chosen)
    feedback.refresh()
    after = courses(recommend(learning_client, "after", ARM, ROBOT))
    assert after.index(chosen) < before.index(chosen) and len(after) == len(before)
    # The control arm still answers with the base ranking.
    assert courses(recommend(learning_client, "control-after", "control", ROBOT)) == control_before


def test_the_variant_comparison_lists_the_arm(learning_client: TestClient, reference_engine: Engine) -> None:
    for index, variant in enumerate((ARM, "control")):
        answer = recommend(learning_client, f"compare-{index}", variant)
        follow(learning_client, answer, answer["programs"][0]["course_id"])
    with Session(reference_engine) as session:
        _, key = create_key(session, "admin")
        session.commit()
    today = dt.datetime.now(dt.UTC).date()
    # As the dashboard asks: the summary grouped by variant, the reference arm chosen by its name.
    response = learning_client.get(
        "/v1/analytics/summary",
        params={
            "from": (today - dt.timedelta(days=1)).isoformat(),
            "to": (today + dt.timedelta(days=1)).isoformat(),
            "group_by": "variant",
        },
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.text
    experiment = response.json()["experiment"]
    assert experiment["reference_variant"] == "control"
    arm = next(arm for arm in experiment["arms"] if arm["variant"] == ARM)
    assert not arm["reference"]
    assert {difference["rate"] for difference in arm["differences"]} == {"ctr", "referral_rate"}
