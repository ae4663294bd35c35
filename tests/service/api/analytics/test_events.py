"""`POST /v1/events`: each event checked on its own, retries counted once, nothing personal kept,
robots flagged, every error path answered as a problem. Who may send what: test_trust.py."""

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.events import Event
from tests.service.api.analytics.conftest import GOOGLEBOT, Script, event, post_events
from tests.support.problems import assert_problem


def stored(engine: Engine, event_id: str) -> Event | None:
    with Session(engine) as session:
        return session.scalar(select(Event).where(Event.event_id == event_id))


def test_bad_events_are_reported_by_index_and_the_good_ones_kept(
    client: TestClient, script: Script, reference_engine: Engine
) -> None:
    now = dt.datetime.now(dt.UTC)
    shown = script.answers["a2"]["programs"][2]  # shown and clicked, not asked about yet
    good = [
        event("inquiry", "e1", now, impression_id=shown["impression_id"]),
        event("click", "e1", now, impression_id=script.answers["a4"]["programs"][0]["impression_id"]),
        event(
            "feedback",
            "e1",
            now,
            helpful=False,
            comment="Call 613-555-0199 or write to a.b@example.ca",
            impression_id=script.answers["a4"]["programs"][1]["impression_id"],
        ),
        event("search", "e1", now, region="ER3530", lang="fr", noc_code="32101"),
    ]
    bad: list[Any] = [
        {**event("search", "e1", now), "email": "someone@example.ca"},  # unknown field
        event("search", "someone@example.ca", now),  # not a pseudonym
        event("inquiry", "e1", now, impression_id="i_never-served"),
        event("inquiry", "e1", now, course_id="no-such-college:X1"),
        event("referral", "e1", now),  # says nothing of the program
        event("feedback", "e1", now),  # without helpful
        event("search", "e1", now + dt.timedelta(days=1)),
        event("search", "e1", now - dt.timedelta(days=401)),
        event("search", "e1", now, region="ZZ9"),
        {**event("search", "e1", now), "occurred_at": "2026-11-27T10:00:00"},  # no offset
        {**event("purchase", "e1", now)},
        "not an object",
        event("feedback", "e1", now, helpful=True, comment="x" * 501),
    ]
    answer = post_events(client, [good[0], *bad[:6], good[1], *bad[6:], *good[2:]], **script.portal())
    assert answer["accepted"] == len(good) and answer["duplicates"] == 0
    rejected = {item["index"]: " ".join(item["errors"]) for item in answer["rejected"]}
    assert sorted(rejected) == [*range(1, 7), *range(8, 8 + len(bad) - 6)]
    assert "email" in rejected[1] and "session_id" in rejected[2]
    assert "impression_id" in rejected[3] and "course_id" in rejected[4] and "needs impression_id" in rejected[5]
    assert "helpful" in rejected[6] and "future" in rejected[8] and "retention" in rejected[9]
    assert "region" in rejected[10] and "timezone" in rejected[11] and "type" in rejected[12]
    assert "comment" in rejected[14]
    inquiry = stored(reference_engine, good[0]["event_id"])
    assert inquiry is not None and inquiry.course_key == shown["course_id"] and inquiry.variant == "control"
    assert inquiry.institution_id == shown["institution"]["id"] and inquiry.rank == shown["rank"]
    feedback = stored(reference_engine, good[2]["event_id"])
    assert feedback is not None and feedback.comment == "Call [phone removed] or write to [e-mail removed]"
    assert feedback.course_key is None and feedback.noc_code == script.answers["a4"]["occupation"]["noc_code"]
    assert {event.portal_id for event in (inquiry, feedback)} == {script.portal_id}
    search = stored(reference_engine, good[3]["event_id"])
    assert search is not None and search.region == "3530"


def test_a_retry_is_a_duplicate_even_within_one_batch(client: TestClient, script: Script) -> None:
    now = dt.datetime.now(dt.UTC)
    one = event("page_view", "e2", now)
    assert post_events(client, [one, one], **script.portal()) == {"accepted": 1, "duplicates": 1, "rejected": []}
    assert post_events(client, [one], **script.portal()) == {"accepted": 0, "duplicates": 1, "rejected": []}
    # An impression the service already logged, reported again by the portal, is the same impression.
    shown = script.answers["b3"]["programs"][-1]
    again = event("impression", "b3", now, impression_id=shown["impression_id"])
    assert post_events(client, [again], **script.portal()) == {"accepted": 0, "duplicates": 1, "rejected": []}
    # Asking about a program shown is one inquiry, however often it is reported and under whatever event id.
    asked = [event("inquiry", "b3", now, impression_id=shown["impression_id"]) for _ in range(3)]
    assert post_events(client, asked[:1]) == {"accepted": 1, "duplicates": 0, "rejected": []}
    assert post_events(client, asked[1:]) == {"accepted": 0, "duplicates": 2, "rejected": []}


def test_robots_are_flagged_by_the_relayed_or_the_request_user_agent(
    client: TestClient, script: Script, reference_engine: Engine
) -> None:
    now = dt.datetime.now(dt.UTC)
    programs = script.answers["b2"]["programs"]
    relayed = event("page_view", "e3", now, user_agent=GOOGLEBOT)
    vouched = event("page_view", "e3", now)
    script_agent = event("feedback", "e3", now, helpful=True, impression_id=programs[-2]["impression_id"])
    person = event("feedback", "e3", now, helpful=True, impression_id=programs[-3]["impression_id"])
    post_events(client, [relayed], **script.portal())
    post_events(client, [vouched], **script.portal())
    post_events(client, [script_agent], **{"User-Agent": "curl/8.5.0"})
    post_events(client, [person])
    flags = [stored(reference_engine, item["event_id"]) for item in (relayed, vouched, script_agent, person)]
    assert [flag.robot for flag in flags if flag] == [True, False, True, False]


def test_a_batch_is_bounded_and_must_be_json(client: TestClient, script: Script) -> None:
    now = dt.datetime.now(dt.UTC)
    body = assert_problem(
        client.post("/v1/events", json={"events": [event("page_view", "e4", now) for _ in range(501)]}),
        413,
        "request-too-large",
    )
    assert body["max_events"] == 500 and "500" in body["detail"]
    assert_problem(
        client.post("/v1/events", content=b"x" * (3 * 1024 * 1024), headers={"Content-Type": "application/json"}),
        413,
        "request-too-large",
    )
    assert_problem(
        client.post("/v1/events", content="events", headers={"Content-Type": "text/plain"}),
        415,
        "unsupported-media-type",
    )
    assert client.post("/v1/events", content="{not json", headers={"Content-Type": "application/json"}).status_code in (
        400,
        422,
    )
    assert_problem(client.post("/v1/events", json={"events": []}), 422, "invalid-request")
    assert_problem(client.post("/v1/events", json=[event("page_view", "e4", now)]), 422, "invalid-request")
