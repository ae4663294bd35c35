"""Who may send what, and what is counted: the forgeries a hostile client tried are refused or not
counted, a portal's server-side traffic is counted with its key (and attributed to it) and is a robot's
without one, an institution reports its own programs' inquiries and referrals, the robot rule is the
right way round. On SQLite and PostgreSQL, over the real reference data and VIU's real catalog."""

import datetime as dt
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from accounts.institutions import create_institution
from accounts.keys import create_key
from accounts.portals import portal_named
from analytics.rollups import delete_events
from catalog.samples import SAMPLES, load_sample
from catalog.skill_space import SkillSpace
from models.accounts import Institution
from models.events import Event
from tests.service.api.analytics.conftest import BROWSER, GOOGLEBOT, event
from tests.support.problems import assert_problem
from tests.support.ranking import full_lists
from tests.support.source_data import DATA_DIR

LIBRARIES = ("python-requests/2.32.3", "curl/8.5.0", "Go-http-client/2.0", "Java/17.0.2")


@dataclass(frozen=True)
class Actors:
    keys: dict[str, str]
    viu_id: int
    other_id: int
    portal_id: int

    def headers(self, role: str, agent: str = "python-requests/2.32.3") -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}", "User-Agent": agent}


@pytest.fixture(scope="module")
def actors(client: TestClient, reference_engine: Engine, skill_space: SkillSpace) -> Iterator[Actors]:
    with Session(reference_engine) as session:
        viu = next(sample for sample in SAMPLES if sample.slug == "viu")
        load_sample(sessionmaker(reference_engine), DATA_DIR, viu, skill_space=skill_space)
        viu_id = session.scalar(select(Institution.id).where(Institution.slug == "viu"))
        assert viu_id is not None
        other = create_institution(session, "Another College", f"other-{uuid.uuid4().hex[:6]}")
        portal = portal_named(session, f"Trust portal {uuid.uuid4().hex[:6]}")
        keys = {role: create_key(session, role)[1] for role in ("admin", "analyst")}
        keys["portal"] = create_key(session, "portal", portal_id=portal.id)[1]
        keys["viu"] = create_key(session, "institution", viu_id)[1]
        session.commit()
        found = Actors(keys, viu_id, other.id, portal.id)
    yield found
    with Session(reference_engine) as session:
        delete_events(session, Event.session_id.like("trust-%"))  # with their roll-ups
        session.commit()


def recommend(client: TestClient, session_id: str, headers: dict[str, str], **body: Any) -> dict[str, Any]:
    with full_lists():  # two programs at least
        response = client.post(
            "/v1/recommendations",
            json={"job_title": "licensed practical nurse", "session_id": session_id, **body},
            headers=headers,
        )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["programs"], "VIU's catalog serves practical nurses"
    return answer


def send(client: TestClient, events: list[dict[str, Any]], headers: dict[str, str]) -> dict[str, Any]:
    response = client.post("/v1/events", json={"events": events}, headers=headers)
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


def logged(engine: Engine, session_id: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.scalars(select(Event).where(Event.session_id == session_id).order_by(Event.id)))


def rejection(answer: dict[str, Any], index: int = 0) -> str:
    return " ".join(next(item["errors"] for item in answer["rejected"] if item["index"] == index))


def test_without_a_key_a_program_cannot_be_credited_by_naming_it(client: TestClient, actors: Actors) -> None:
    """The flood of the issue: inquiries naming only a course or an institution, clicks without an
    impression, page views and searches made up, all without a key and with a browser's agent."""
    now = dt.datetime.now(dt.UTC)
    browser = {"User-Agent": BROWSER}
    forged = [
        event("inquiry", "trust-f", now, course_id="viu:1"),
        event("referral", "trust-f", now, institution_id=actors.viu_id),
        event("click", "trust-f", now, course_id="viu:1"),
        event("impression", "trust-f", now, course_id="viu:1"),
        event("page_view", "trust-f", now),
        event("search", "trust-f", now, noc_code="32101"),
        event("feedback", "trust-f", now, helpful=True),
    ]
    answer = send(client, forged, browser)
    assert answer["accepted"] == 0 and len(answer["rejected"]) == len(forged)
    assert "impression_id" in rejection(answer, 0) and "impression_id" in rejection(answer, 1)
    assert "logged by the service" in rejection(answer, 2) and "logged by the service" in rejection(answer, 4)
    # A click through a real impression is the tracked link's to log, not the browser's to report.
    shown = recommend(client, "trust-f", browser)["programs"][0]
    answer = send(client, [event("click", "trust-f", now, impression_id=shown["impression_id"])], browser)
    assert answer["accepted"] == 0 and "tracked links" in rejection(answer)


def test_an_impression_is_asked_about_once_and_not_before_it_was_shown(
    client: TestClient, actors: Actors, reference_engine: Engine
) -> None:
    browser = {"User-Agent": BROWSER}
    shown = recommend(client, "trust-once", browser, variant="control")["programs"][0]
    now = dt.datetime.now(dt.UTC)
    flood = [event("inquiry", "trust-x", now, impression_id=shown["impression_id"]) for _ in range(200)]
    assert send(client, flood, browser) == {"accepted": 1, "duplicates": 199, "rejected": []}
    earlier = event("referral", "trust-once", now - dt.timedelta(minutes=30), impression_id=shown["impression_id"])
    assert "before the impression" in rejection(send(client, [earlier], browser))
    # Nor into a day already past: without a key, an event is sent as it happens.
    late = event("referral", "trust-once", now - dt.timedelta(hours=2), impression_id=shown["impression_id"])
    assert "within an hour" in rejection(send(client, [late], browser))
    # Sent without a key, a step keeps the impression's session and arm: it cannot be moved to another.
    moved = event("referral", "trust-x", now, impression_id=shown["impression_id"], variant="ranking-v2")
    assert send(client, [moved], browser)["accepted"] == 1
    steps = [row for row in logged(reference_engine, "trust-once") if row.type in ("inquiry", "referral")]
    assert [(row.type, row.variant, row.course_key) for row in steps] == [
        ("inquiry", "control", shown["course_id"]),
        ("referral", "control", shown["course_id"]),
    ]


def test_the_robot_rule_without_a_key(client: TestClient, actors: Actors, reference_engine: Engine) -> None:
    """A library, a missing, empty or made-up agent is a robot; a browser's agent claimed in the body
    by a script is not believed; a browser is a person."""
    agents: dict[str, str] = {
        **{f"trust-lib{index}": agent for index, agent in enumerate(LIBRARIES)},
        "trust-empty": "",
        "trust-made-up": "x",
        "trust-browser": BROWSER,
    }
    for session_id, agent in agents.items():
        recommend(client, session_id, {"User-Agent": agent})
    recommend(client, "trust-claims", {"User-Agent": "python-requests/2.32.3"}, user_agent=BROWSER)
    robot = {session_id: logged(reference_engine, session_id)[0].robot for session_id in [*agents, "trust-claims"]}
    assert robot == {**dict.fromkeys(agents, True), "trust-browser": False, "trust-claims": True}


def test_a_portal_s_server_is_counted_with_its_key_and_attributed_to_it(
    client: TestClient, actors: Actors, reference_engine: Engine
) -> None:
    answer = recommend(client, "trust-portal", actors.headers("portal"), user_agent=BROWSER)
    rows = logged(reference_engine, "trust-portal")
    assert {row.robot for row in rows} == {False} and {row.portal_id for row in rows} == {actors.portal_id}
    assert [row.type for row in rows] == ["search"] + ["impression"] * len(answer["programs"])
    # Its user's click, through the tracked link, is the portal's too; so are the events it sends.
    followed = client.get(answer["programs"][0]["tracked_url"], headers={"User-Agent": BROWSER}, follow_redirects=False)
    assert followed.status_code == 302
    now = dt.datetime.now(dt.UTC)
    sent = send(
        client,
        [
            event("page_view", "trust-portal", now, user_agent=BROWSER),
            event("inquiry", "trust-portal", now, course_id=answer["programs"][1]["course_id"]),
        ],
        actors.headers("portal"),
    )
    assert sent == {"accepted": 2, "duplicates": 0, "rejected": []}
    rows = logged(reference_engine, "trust-portal")
    assert {row.portal_id for row in rows} == {actors.portal_id} and not any(row.robot for row in rows)
    # A crawler among its users is still a robot.
    recommend(client, "trust-portal-bot", actors.headers("portal"), user_agent=GOOGLEBOT)
    assert {row.robot for row in logged(reference_engine, "trust-portal-bot")} == {True}
    # The analytics break down by portal.
    today = dt.datetime.now(dt.UTC).date().isoformat()
    summary = client.get(
        "/v1/analytics/summary",
        params={"from": today, "to": today, "group_by": "portal"},
        headers=actors.headers("admin"),
    ).json()
    row = next(row for row in summary["current"]["groups"] if row["key"] == str(actors.portal_id))
    assert row["label"].startswith("Trust portal") and row["searches"] >= 1 and row["clicks"] >= 1
    assert row["impressions"] >= len(answer["programs"]) and row["inquiries"] >= 1


def test_an_institution_reports_its_own_programs_steps(
    client: TestClient, actors: Actors, reference_engine: Engine
) -> None:
    now = dt.datetime.now(dt.UTC)
    crm = actors.headers("viu")
    own = event("inquiry", "trust-crm", now - dt.timedelta(days=3), course_id="viu:9185")
    whole = event("referral", "trust-crm", now)  # about the institution itself
    someone_else = event("inquiry", "trust-crm", now, institution_id=actors.other_id)
    page_view = event("page_view", "trust-crm", now)
    answer = send(client, [own, whole, someone_else, page_view], crm)
    assert answer["accepted"] == 2
    assert "own programs" in rejection(answer, 2) and "inquiries and referrals" in rejection(answer, 3)
    rows = logged(reference_engine, "trust-crm")
    assert [(row.type, row.institution_id, row.robot) for row in rows] == [
        ("inquiry", actors.viu_id, False),
        ("referral", actors.viu_id, False),
    ]


def test_keys_that_may_not_send_or_read(client: TestClient, actors: Actors) -> None:
    now = dt.datetime.now(dt.UTC)
    body = {"events": [event("page_view", "trust-k", now)]}
    assert_problem(client.post("/v1/events", json=body, headers=actors.headers("analyst")), 403, "forbidden")
    bad_key = {"Authorization": "Bearer lmi_00000000_nothing", "User-Agent": BROWSER}
    assert_problem(client.post("/v1/events", json=body, headers=bad_key), 401, "unauthorized")
    assert_problem(
        client.post("/v1/recommendations", json={"job_title": "welder"}, headers=bad_key), 401, "unauthorized"
    )
    assert_problem(client.get("/v1/analytics/summary", headers=actors.headers("portal")), 403, "forbidden")
