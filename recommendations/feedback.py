"""What people did with the programs shown for each occupation, read from the events for the learning
arm (recommendations.learning): per occupation and program, the trusted impressions (weighted by the
place they were shown at) and the impressions followed by a click, an inquiry or a referral.

Trusted events are the ones the analytics count: events stored at all (a forged or unsigned one,
such as a click through a token this service did not sign or a step naming an impression it never
served, is refused when it arrives: analytics.events, analytics.tracking) and not a robot's (the
`robot` flag the analytics' robot rule set on each event as it was stored: analytics.privacy). The
flag is read as it was set, not judged again here.

Read as one aggregate over the last `LOOKBACK_DAYS` of events, and kept by `FeedbackCache`, which
reads again at most every `REFRESH_SECONDS`, in a thread of its own: a request never waits for it.
"""

import datetime as dt
import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import case, distinct, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from models.events import Event
from recommendations.learning import Observed, examination

logger = logging.getLogger(__name__)

LOOKBACK_DAYS = 90
REFRESH_SECONDS = 300.0
CHOICES = ("click", "inquiry", "referral")


@dataclass(frozen=True)
class Feedback:
    """NOC code → course key → what was observed; `read_at`: when (None: never read)."""

    occupations: Mapping[str, Mapping[str, Observed]] = field(default_factory=dict)
    read_at: dt.datetime | None = None

    def of(self, noc_code: str) -> Mapping[str, Observed]:
        return self.occupations.get(noc_code, {})


EMPTY = Feedback()


def read_feedback(session: Session, *, since: dt.datetime) -> Feedback:
    """The trusted impressions and choices since `since`, per occupation and program."""
    trusted = (
        Event.robot.is_(False),
        Event.occurred_at >= since,
        Event.noc_code.is_not(None),
        Event.course_key.is_not(None),
    )
    shown: dict[tuple[str, str], tuple[int, float]] = {}
    impressions = session.execute(
        select(Event.noc_code, Event.course_key, Event.rank, func.count())
        .where(Event.type == "impression", *trusted)
        .group_by(Event.noc_code, Event.course_key, Event.rank)
    )
    for noc_code, course_key, rank, count in impressions:
        key = (str(noc_code), str(course_key))  # neither is null here
        count_before, looks_before = shown.get(key, (0, 0.0))
        shown[key] = (count_before + count, looks_before + count * examination(rank))
    # An impression followed by several steps (a click, then an inquiry) is chosen once; a step that
    # names no impression (a portal's or an admin's report of a program) counts on its own.
    choices = session.execute(
        select(
            Event.noc_code,
            Event.course_key,
            func.count(distinct(Event.impression_id)),
            func.sum(case((Event.impression_id.is_(None), 1), else_=0)),
        )
        .where(Event.type.in_(CHOICES), *trusted)
        .group_by(Event.noc_code, Event.course_key)
    )
    chosen = {
        (str(noc_code), str(course_key)): int(named) + int(unnamed or 0)
        for noc_code, course_key, named, unnamed in choices
    }
    occupations: dict[str, dict[str, Observed]] = {}
    for noc_code, course_key in shown.keys() | chosen.keys():
        count, looks = shown.get((noc_code, course_key), (0, 0.0))
        occupations.setdefault(noc_code, {})[course_key] = Observed(
            count, round(looks, 6), chosen.get((noc_code, course_key), 0)
        )
    return Feedback(occupations, dt.datetime.now(dt.UTC))


class FeedbackCache:
    """The feedback last read, read again in a background thread when it is older than `ttl_seconds`
    (a request never waits: it gets what was last read, EMPTY until the first read is done).
    `refresh()` reads at once, in the caller's thread (at start-up, in tests and scripts)."""

    def __init__(
        self,
        session_factory: sessionmaker[Session],
        ttl_seconds: float = REFRESH_SECONDS,
        lookback_days: int = LOOKBACK_DAYS,
        clock: Callable[[], float] = time.monotonic,
    ):
        self.session_factory = session_factory
        self.ttl_seconds = ttl_seconds
        self.lookback = dt.timedelta(days=lookback_days)
        self.clock = clock
        self._feedback = EMPTY
        self._read_at: float | None = None
        self._reading = threading.Lock()

    def refresh(self) -> Feedback:
        with self._reading:
            return self._read()

    def current(self) -> Feedback:
        """What was last read; starts a read in the background when it is stale."""
        feedback = self._feedback
        stale = self._read_at is None or self.clock() - self._read_at >= self.ttl_seconds
        if stale and self._reading.acquire(blocking=False):
            threading.Thread(target=self._read_then_release, name="learning-feedback", daemon=True).start()
        return feedback

    def observed(self, noc_code: str) -> Mapping[str, Observed]:
        return self.current().of(noc_code)

    def _read_then_release(self) -> None:
        try:
            self._read()
        except SQLAlchemyError as error:
            logger.warning("could not read the learning arm's feedback: %s", error)
            self._read_at = self.clock()  # try again after another period, not on every request
        finally:
            self._reading.release()

    def _read(self) -> Feedback:
        with self.session_factory() as session:
            feedback = read_feedback(session, since=dt.datetime.now(dt.UTC) - self.lookback)
        self._feedback = feedback
        self._read_at = self.clock()
        return feedback
