"""The learning arm's feedback, read from events that went through the analytics' own paths (the
service's logged impressions, tracked links followed, batches sent to POST /v1/events): robots' events,
forged ones (a token this service did not sign, a step naming an impression never served, a click a
browser reports itself) and events older than the look-back are not counted; the counts agree with
the analytics' figures for the same events; the cache reads again only when its feedback is stale.
On SQLite and PostgreSQL."""

import datetime as dt
import threading
import time
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session, sessionmaker

from accounts.institutions import create_institution
from analytics.events import ClientEvent, Sender, dedupe_key, record_events
from analytics.exceptions import UnknownLink
from analytics.links import LinkSigner
from analytics.periods import Period
from analytics.privacy import RobotDetector
from analytics.queries import Scope, count_events
from analytics.store import event_row, insert_new
from analytics.tracking import follow_link
from models.database import create_database_engine, create_session_factory
from models.events import Event, EventDedupe
from models.migrate import upgrade_to_head
from recommendations.feedback import EMPTY, FeedbackCache, read_feedback
from recommendations.learning import Observed, examination

BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
LIBRARY = "python-requests/2.32.3"
NURSES = "32101"
WELDERS = "72106"
SIGNER = LinkSigner("a-secret-of-this-service-0123456789")
FORGER = LinkSigner("another-secret-not-this-service-987")


@pytest.fixture(scope="module")
def engine(database_factory: Any) -> Iterator[Engine]:
    engine = create_database_engine(database_factory.new_url())
    upgrade_to_head(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    """Sessions on the module's database, its events emptied (each test starts from nothing)."""
    with Session(engine) as session:
        session.execute(delete(Event))
        session.execute(delete(EventDedupe))
        session.commit()
    return create_session_factory(engine)


def serve(
    session: Session, noc_code: str, courses: list[tuple[str, int]], *, robot: bool, when: dt.datetime
) -> list[str]:
    """The impressions the service logs for one answer (as analytics.tracking does): their ids."""
    session_id = f"s-{uuid.uuid4().hex[:8]}"
    rows, ids = [], []
    for rank, (course_key, institution_id) in enumerate(courses, start=1):
        impression_id = f"i_{uuid.uuid4().hex[:12]}"
        ids.append(impression_id)
        rows.append(
            event_row(
                dedupe_key("impression", impression_id, impression_id),
                impression_id,
                "impression",
                "server",
                when,
                robot,
                session_id=session_id,
                variant="learning",
                noc_code=noc_code,
                impression_id=impression_id,
                course_key=course_key,
                institution_id=institution_id,
                rank=rank,
                target_url=f"https://example.ca/{course_key}",
            )
        )
    insert_new(session, rows)
    session.commit()
    return ids


def send(session: Session, events: list[ClientEvent], agent: str, sender: Sender | None = None) -> int:
    """A batch sent to POST /v1/events (without a key unless `sender`): how many were accepted."""
    result = record_events(
        session,
        list(enumerate(events)),
        sender=sender or Sender("anonymous"),
        robots=RobotDetector(),
        request_user_agent=agent,
        retention_days=400,
    )
    return result.accepted


def step(event_type: str, when: dt.datetime, **fields: Any) -> ClientEvent:
    return ClientEvent(uuid.uuid4().hex, event_type, "s-browser", when, **fields)


def test_only_trusted_events_count(factory: sessionmaker[Session]) -> None:
    now = dt.datetime.now(dt.UTC)
    with factory() as session:
        college = create_institution(session, "Feedback College", f"fb-{uuid.uuid4().hex[:6]}")
        session.commit()
        a, b, c = (f"{college.slug}:{number}" for number in (1, 2, 3))
        listed = [(a, college.id), (b, college.id), (c, college.id)]
        # People: three answers for nurses; a's link followed twice in one (one click), then asked
        # about (the same impression: chosen once); b's link followed in another; c never chosen.
        people = [serve(session, NURSES, listed, robot=False, when=now) for _ in range(3)]
        follow_link(session, SIGNER, SIGNER.token(people[0][0]), robot=False)
        follow_link(session, SIGNER, SIGNER.token(people[0][0]), robot=False)
        follow_link(session, SIGNER, SIGNER.token(people[1][1]), robot=False)
        assert send(session, [step("inquiry", now, impression_id=people[0][0])], BROWSER) == 1
        # A portal's key reports a referral to c for welders, naming no impression: it counts on its own.
        portal = Sender("portal", portal_id=None)
        assert send(session, [step("referral", now, course_id=c, noc_code=WELDERS)], LIBRARY, portal) == 1
        # A robot: its answer, its clicks and its inquiry are stored, flagged, and not counted.
        robot = serve(session, NURSES, listed, robot=True, when=now)
        follow_link(session, SIGNER, SIGNER.token(robot[2]), robot=True)
        follow_link(session, SIGNER, SIGNER.token(people[2][2]), robot=True)  # a robot following a person's link
        assert send(session, [step("inquiry", now, impression_id=people[2][2])], LIBRARY) == 1
        # Forgeries are refused as they arrive: nothing of them is stored.
        with pytest.raises(UnknownLink):
            follow_link(session, SIGNER, FORGER.token(people[2][2]), robot=False)
        forged = [
            step("click", now, impression_id=people[2][2]),  # a browser reporting a click itself
            step("inquiry", now, course_id=c),  # naming a program, not an impression it was shown
            step("referral", now, impression_id="i_never_served"),
            step("impression", now, course_id=c, noc_code=NURSES),
        ]
        assert send(session, forged, BROWSER) == 0
        # Older than the look-back: not counted.
        serve(session, NURSES, listed, robot=False, when=now - dt.timedelta(days=120))

        feedback = read_feedback(session, since=now - dt.timedelta(days=90))

    nurses = feedback.of(NURSES)
    assert {key: (seen.impressions, seen.chosen) for key, seen in nurses.items()} == {a: (3, 1), b: (3, 1), c: (3, 0)}
    assert [nurses[key].looks for key in (a, b, c)] == pytest.approx([3 * examination(rank) for rank in (1, 2, 3)])
    assert feedback.of(WELDERS) == {c: Observed(0, 0.0, 1)}
    assert feedback.of("99999") == {}
    assert feedback.read_at is not None


def test_the_counts_agree_with_the_analytics(factory: sessionmaker[Session]) -> None:
    """Per program, the impressions and clicks the feedback counts (summed over occupations) are the
    analytics' own figures for the same events: the same events are trusted."""
    now = dt.datetime.now(dt.UTC)
    with factory() as session:
        college = create_institution(session, "Agreeing College", f"ag-{uuid.uuid4().hex[:6]}")
        session.commit()
        listed = [(f"{college.slug}:{number}", college.id) for number in range(5)]
        for index in range(12):
            robot = index % 4 == 3
            shown = serve(session, (NURSES, WELDERS)[index % 2], listed, robot=robot, when=now)
            for place in range(index % 3):
                follow_link(session, SIGNER, SIGNER.token(shown[place]), robot=robot)
        feedback = read_feedback(session, since=now - dt.timedelta(days=1))
        figures = count_events(session, Period(now.date(), now.date()), Scope(), "course")
    for course_key, _ in listed:
        counted = [feedback.of(noc).get(course_key, Observed()) for noc in (NURSES, WELDERS)]
        published = figures[course_key][None]
        assert sum(item.impressions for item in counted) == published["impressions"]
        assert sum(item.chosen for item in counted) == published["clicks"]


def test_the_cache_reads_again_only_when_stale(factory: sessionmaker[Session]) -> None:
    now = dt.datetime.now(dt.UTC)
    clock = [1000.0]
    cache = FeedbackCache(factory, ttl_seconds=300, clock=lambda: clock[0])
    with factory() as session:
        college = create_institution(session, "Cached College", f"cc-{uuid.uuid4().hex[:6]}")
        session.commit()
        course = f"{college.slug}:1"
        serve(session, NURSES, [(course, college.id)], robot=False, when=now)
    assert cache.observed(NURSES) == {}  # nothing read yet: the first call starts a read, and does not wait
    _wait_for_read(cache)
    assert cache.observed(NURSES)[course].impressions == 1
    with factory() as session:
        serve(session, NURSES, [(course, college.id)], robot=False, when=now)
    clock[0] += 299  # still fresh: the second impression is not seen yet
    assert cache.observed(NURSES)[course].impressions == 1
    clock[0] += 2  # stale: a read starts in the background, the request gets what was read
    assert cache.observed(NURSES)[course].impressions == 1
    _wait_for_read(cache)
    assert cache.observed(NURSES)[course].impressions == 2
    assert cache.refresh().of(NURSES)[course].impressions == 2
    assert EMPTY.of(NURSES) == {}


def _wait_for_read(cache: FeedbackCache) -> None:
    """Until the background read (the thread named learning-feedback) has ended."""
    deadline = time.monotonic() + 30
    while any(thread.name == "learning-feedback" for thread in threading.enumerate()):
        assert time.monotonic() < deadline, "the feedback was not read in 30 s"
        time.sleep(0.01)
    assert cache.current() is not EMPTY
