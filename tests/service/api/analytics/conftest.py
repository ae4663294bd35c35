"""A scripted session over the real reference data and Vancouver Island University's real catalog:
people in two arms of an experiment, on a portal that sends its page views with its key, search, are
shown programs, follow tracked links (one twice), ask institutions and are referred (their browsers
send these without a key), give feedback; a batch is retried; a robot goes through the same steps;
last month holds a baseline, backfilled with an admin's key. What every analytics answer must say is
counted here, from what the API answered, as the script goes."""

import datetime as dt
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session, sessionmaker

from accounts.institutions import create_institution
from accounts.keys import create_key
from accounts.portals import portal_named
from analytics.rollups import delete_events
from catalog.samples import SAMPLES, load_sample
from catalog.skill_space import SkillSpace
from models.accounts import Institution
from models.events import AnalyticsTarget
from tests.support.ranking import full_lists
from tests.support.source_data import DATA_DIR

GOOGLEBOT = "Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
# Session → (variant, job title, links followed, inquiries, referrals, feedback helpful or None)
PLAN: dict[str, tuple[str, str, int, int, int, bool | None]] = {
    "a1": ("control", "licensed practical nurse", 4, 1, 1, True),
    "a2": ("control", "electrician", 4, 1, 0, True),
    "a3": ("control", "early childhood educator", 4, 0, 0, False),
    "a4": ("control", "welder", 0, 0, 0, None),
    "b1": ("ranking-v2", "licensed practical nurse", 5, 2, 1, True),
    "b2": ("ranking-v2", "electrician", 5, 2, 1, True),
    "b3": ("ranking-v2", "early childhood educator", 5, 0, 0, True),
}
BASELINE = {"searches": 5, "impressions": 20, "clicks": 10, "inquiries": 4, "referrals": 2}


def event(event_type: str, session_id: str, occurred_at: dt.datetime, **fields: Any) -> dict[str, Any]:
    return {
        "event_id": uuid.uuid4().hex,
        "type": event_type,
        "session_id": session_id,
        "occurred_at": occurred_at.isoformat(),
        **fields,
    }


def post_events(client: TestClient, events: list[dict[str, Any]], **headers: str) -> dict[str, Any]:
    """Events sent as a person's browser sends them (no key), unless `headers` say otherwise."""
    response = client.post("/v1/events", json={"events": events}, headers={"User-Agent": BROWSER, **headers})
    assert response.status_code == 202, response.text
    answer: dict[str, Any] = response.json()
    return answer


@dataclass
class Script:
    today: dt.date
    keys: dict[str, str]
    institution_id: int  # VIU
    hyperlink_institution_id: int
    portal_id: int
    answers: dict[str, dict[str, Any]] = field(default_factory=dict)
    expected: Counter[str] = field(default_factory=Counter)
    by_variant: dict[str, Counter[str]] = field(default_factory=dict)
    viu: Counter[str] = field(default_factory=Counter)
    robot_events: int = 0
    retry: dict[str, Any] = field(default_factory=dict)

    def headers(self, role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}"}

    def portal(self) -> dict[str, str]:
        """A portal's server: its key, and its HTTP library's user agent."""
        return {**self.headers("portal"), "User-Agent": "python-requests/2.32.3"}

    def window(self) -> dict[str, str]:
        """The 30 days ending today, and tomorrow in case the script crossed midnight (UTC)."""
        return {
            "from": (self.today - dt.timedelta(days=29)).isoformat(),
            "to": (self.today + dt.timedelta(days=1)).isoformat(),
        }

    def baseline_window(self) -> dict[str, str]:
        return {
            "compare_from": (self.today - dt.timedelta(days=60)).isoformat(),
            "compare_to": (self.today - dt.timedelta(days=31)).isoformat(),
        }


def count(script: Script, variant: str | None, viu: bool, measure: str, amount: int = 1) -> None:
    script.expected[measure] += amount
    if variant:
        script.by_variant.setdefault(variant, Counter())[measure] += amount
    if viu:
        script.viu[measure] += amount


@pytest.fixture(scope="module")
def script(client: TestClient, reference_engine: Engine, skill_space: SkillSpace) -> Iterator[Script]:
    with Session(reference_engine) as session:
        delete_events(session)  # the events, and their roll-ups
        session.execute(delete(AnalyticsTarget))
        viu = next(sample for sample in SAMPLES if sample.slug == "viu")
        session.commit()  # the loader writes in transactions of its own
        load_sample(sessionmaker(reference_engine), DATA_DIR, viu, skill_space=skill_space)
        viu_id = session.scalar(select(Institution.id).where(Institution.slug == "viu"))
        odd = create_institution(session, '=HYPERLINK("http://example.com","x")', f"formula-{uuid.uuid4().hex[:6]}")
        keys = {role: create_key(session, role)[1] for role in ("admin", "analyst")}
        keys["institution"] = create_key(session, "institution", viu_id)[1]
        portal = portal_named(session, f"Career portal {uuid.uuid4().hex[:6]}")
        keys["portal"] = create_key(session, "portal", portal_id=portal.id)[1]
        session.commit()
        assert viu_id is not None
        odd_id, portal_id = odd.id, portal.id
    now = dt.datetime.now(dt.UTC)
    script = Script(now.date(), keys, viu_id, odd_id, portal_id)
    with full_lists():  # five programs a title, whatever the ranking leaves out
        run_script(client, script, now)
    yield script
    with Session(reference_engine) as session:
        delete_events(session)  # the events, and their roll-ups
        session.execute(delete(AnalyticsTarget))
        session.commit()


def run_script(client: TestClient, script: Script, now: dt.datetime) -> None:
    earlier = now - dt.timedelta(minutes=5)
    later_events: list[dict[str, Any]] = []
    for session_id, (variant, title, follow, inquiries, referrals, helpful) in PLAN.items():
        visitor = f"visitor-{session_id[1]}"  # a1 and b1 are the same visitor
        post_events(
            client,
            [event("page_view", session_id, earlier, visitor_id=visitor, variant=variant, user_agent=BROWSER)],
            **script.portal(),
        )
        count(script, variant, False, "page_views")
        response = client.post(
            "/v1/recommendations",
            json={"job_title": title, "session_id": session_id, "variant": variant, "region": "BC"},
            headers={"User-Agent": BROWSER},
        )
        assert response.status_code == 200, response.text
        answer = response.json()
        script.answers[session_id] = answer
        programs = answer["programs"]
        assert len(programs) >= 5, (title, len(programs))
        count(script, variant, False, "searches")
        for program in programs:
            count(script, variant, program["institution"]["slug"] == "viu", "impressions")
        for position, program in enumerate(programs[:follow]):
            times = 2 if (session_id, position) == ("a1", 0) else 1  # a second click on a link counts once
            for _ in range(times):
                followed = client.get(program["tracked_url"], follow_redirects=False, headers={"User-Agent": BROWSER})
                assert followed.status_code == 302 and followed.headers["location"] == program["url"]
            count(script, variant, program["institution"]["slug"] == "viu", "clicks")
        for kind, how_many in (("inquiry", inquiries), ("referral", referrals)):
            for program in programs[:how_many]:
                later_events.append(event(kind, session_id, now, impression_id=program["impression_id"]))
                count(
                    script,
                    variant,
                    program["institution"]["slug"] == "viu",
                    "inquiries" if kind == "inquiry" else "referrals",
                )
        if helpful is not None:
            feedback = event("feedback", session_id, now, helpful=helpful, comment="Merci! j@example.ca")
            later_events.append({**feedback, "impression_id": programs[-1]["impression_id"]})
            count(script, variant, False, "feedback")
            if helpful:
                count(script, variant, False, "helpful")
    first = post_events(client, later_events)
    script.retry = {"first": first, "again": post_events(client, later_events), "size": len(later_events)}
    # A visitor who came 40 days ago comes back today, sees one page and leaves (a bounce).
    post_events(
        client, [event("page_view", "old1", now - dt.timedelta(days=40), visitor_id="visitor-old")], **script.portal()
    )
    post_events(client, [event("page_view", "c1", now, visitor_id="visitor-old")], **script.portal())
    count(script, None, False, "page_views")
    # A referral the portal saw to an institution whose name would be a spreadsheet formula, from another session.
    post_events(
        client, [event("referral", "c2", now, institution_id=script.hyperlink_institution_id)], **script.portal()
    )
    count(script, None, False, "referrals")
    run_robot(client, script, now)
    run_baseline(client, script, now - dt.timedelta(days=45))


def run_robot(client: TestClient, script: Script, now: dt.datetime) -> None:
    response = client.post(
        "/v1/recommendations",
        json={"job_title": "electrician", "session_id": "bot1", "variant": "control"},
        headers={"User-Agent": GOOGLEBOT},
    )
    programs = response.json()["programs"]
    assert (
        client.get(programs[0]["tracked_url"], follow_redirects=False, headers={"User-Agent": GOOGLEBOT}).status_code
        == 302
    )
    post_events(client, [event("page_view", "bot1", now, user_agent=GOOGLEBOT)], **script.portal())
    script.robot_events = 1 + len(programs) + 1 + 1


def run_baseline(client: TestClient, script: Script, then: dt.datetime) -> None:
    viu_courses = [
        program["course_id"] for program in script.answers["a1"]["programs"] if program["course_id"].startswith("viu:")
    ]
    events = [event("search", f"old-s{index}", then) for index in range(BASELINE["searches"])]
    events += [
        event("impression", "old-s0", then, course_id=viu_courses[index % len(viu_courses)])
        for index in range(BASELINE["impressions"])
    ]
    events += [event("click", "old-s0", then, course_id=viu_courses[0]) for _ in range(BASELINE["clicks"])]
    events += [
        event("inquiry", "old-s1", then, institution_id=script.institution_id) for _ in range(BASELINE["inquiries"])
    ]
    events += [
        event("referral", "old-s1", then, institution_id=script.institution_id) for _ in range(BASELINE["referrals"])
    ]
    answer = post_events(client, events, **script.headers("admin"))  # a backfill of last month's history
    assert answer == {"accepted": len(events), "duplicates": 0, "rejected": []}
