"""What people did with the service: searches, programs shown, clicks, inquiries, referrals, feedback.

One row per event, whether the service logged it (a recommendation served, a tracked link followed)
or a portal sent it. Nothing in a row identifies a person: sessions and visitors are pseudonyms
the client made, comments are scrubbed, and no IP address or user agent is kept.

On PostgreSQL `event` is partitioned by month of `occurred_at` (migration 0007, `models.partitions`):
its primary key there is (id, occurred_at), and a dedupe key is kept unique by `event_dedupe`, which
holds every stored event's key (a unique index of a partitioned table must hold the partition key). On
SQLite it is a plain table, its dedupe key unique as well; `event_dedupe` is written there too.

The analytics read the daily roll-ups below, never the events: they are kept current in the transaction
that adds events (analytics.rollups) and rebuilt from the events for the days a purge touched.
"""

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, SmallInteger, String, text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UtcDateTime

# SQLite gives only INTEGER PRIMARY KEY columns their automatic row ids.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_institution_occurred_at", "institution_id", "occurred_at"),  # an institution's purge
        Index("ix_event_portal_occurred_at", "portal_id", "occurred_at"),  # a portal's traffic, and its purge
        # A session's other events, which tell whether a new one adds a session to a roll-up's cell.
        Index("ix_event_session_occurred_at", "session_id", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    # What makes two reports the same event: the client's event id, or for an impression or a click
    # the impression it is about (a program shown once is counted once, a link clicked twice too).
    # (On PostgreSQL an index, not a unique one: `event_dedupe` keeps it unique across the partitions.)
    dedupe_key: Mapped[str] = mapped_column(String(80), unique=True)
    event_id: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(12))  # page_view, search, impression, click, inquiry, referral, feedback
    source: Mapped[str] = mapped_column(String(6))  # "server" (logged by the service) or "client"
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    received_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    session_id: Mapped[str | None] = mapped_column(String(100))
    visitor_id: Mapped[str | None] = mapped_column(String(100))
    variant: Mapped[str | None] = mapped_column(String(100))
    lang: Mapped[str | None] = mapped_column(String(2))
    region: Mapped[str | None] = mapped_column(String(10))
    impression_id: Mapped[str | None] = mapped_column(String(40))
    course_key: Mapped[str | None] = mapped_column(String(300))
    institution_id: Mapped[int | None] = mapped_column(Integer)
    noc_code: Mapped[str | None] = mapped_column(String(5))
    rank: Mapped[int | None] = mapped_column(SmallInteger)
    target_url: Mapped[str | None] = mapped_column(String(2000))  # an impression's program page
    helpful: Mapped[bool | None] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(String(500))
    robot: Mapped[bool] = mapped_column(Boolean, default=False)
    # The portal whose key sent it, or whose recommendation it follows (a click, an inquiry).
    portal_id: Mapped[int | None] = mapped_column(Integer)


class EventDedupe(Base):
    """The dedupe key of every stored event, unique: an event whose key is here is a duplicate. Written in
    the transaction that stores the event, deleted with it (`occurred_at`: for the retention period)."""

    __tablename__ = "event_dedupe"
    __table_args__ = (Index("ix_event_dedupe_occurred_at", "occurred_at"),)

    dedupe_key: Mapped[str] = mapped_column(String(80), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


# The breakdowns a daily roll-up row is of: "total" (no breakdown, its key ''), then the dimensions an
# analyst may group by (analytics.queries.GroupBy, less the time buckets, which are made of days).
ROLLUP_DIMENSIONS = ("total", "institution", "course", "occupation", "teer", "region", "lang", "variant", "portal")
# The scope of a roll-up row: everyone's events, or (an institution's id) those about its programs.
EVERYONE = 0


class EventDaily(Base):
    """The counts of one UTC day's events, of one scope (EVERYONE, or an institution's id: the events
    about its programs), in one group of one breakdown (`dimension`, and `key`: the group's value as text,
    '' for the events without one). `sessions` counts the distinct sessions of that day and group (people's
    events only); a period's distinct sessions subtract the repeats (EventSessionRepeat)."""

    __tablename__ = "event_daily"

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    # People's events by type (robots' apart), the helpful feedback, the distinct sessions.
    page_views: Mapped[int] = mapped_column(Integer, default=0)
    searches: Mapped[int] = mapped_column(Integer, default=0)
    impressions: Mapped[int] = mapped_column(Integer, default=0)
    clicks: Mapped[int] = mapped_column(Integer, default=0)
    inquiries: Mapped[int] = mapped_column(Integer, default=0)
    referrals: Mapped[int] = mapped_column(Integer, default=0)
    feedback: Mapped[int] = mapped_column(Integer, default=0)
    helpful: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
    robots: Mapped[int] = mapped_column(Integer, default=0)  # robots' events, of every type
    events: Mapped[int] = mapped_column(Integer, default=0)  # every event, people's and robots'


class EventSessionRepeat(Base):
    """A session seen again in a group on a later day (`prev_day`: the last day before it was seen in that
    group, same scope and breakdown): a period holding both days counts the session once. Sessions rarely
    outlast a day, so this table stays small; a session id reused for months makes it grow."""

    __tablename__ = "event_session_repeat"
    __table_args__ = (
        Index("ix_event_session_repeat_period", "scope", "dimension", "day", "prev_day"),
        Index("ix_event_session_repeat_session_id", "session_id"),
    )

    scope: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    prev_day: Mapped[dt.date] = mapped_column(Date)


class EventSessionDay(Base):
    """One session's day (people's events only): when it began and ended that day, its actions and entries
    (for its length and bounce), and the funnel steps it reached (1 or 0). `prev_day` and `next_day` are the
    session's other days around it (null: none), so that a period's rows of sessions seen on one of its days
    only are read as they are, and only the others are grouped by session."""

    __tablename__ = "event_session_day"
    __table_args__ = (
        Index("ix_event_session_day_session_id", "session_id", "day"),
        Index(
            "ix_event_session_day_several",
            "day",
            postgresql_where=text("prev_day IS NOT NULL OR next_day IS NOT NULL"),
            sqlite_where=text("prev_day IS NOT NULL OR next_day IS NOT NULL"),
        ),
    )

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    first_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    last_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    actions: Mapped[int] = mapped_column(Integer)  # page views, searches, clicks, inquiries, referrals, feedback
    entries: Mapped[int] = mapped_column(Integer)  # page views and searches
    searched: Mapped[int] = mapped_column(SmallInteger)
    shown: Mapped[int] = mapped_column(SmallInteger)  # had an impression
    clicked: Mapped[int] = mapped_column(SmallInteger)
    converted: Mapped[int] = mapped_column(SmallInteger)  # an inquiry or a referral
    prev_day: Mapped[dt.date | None] = mapped_column(Date)
    next_day: Mapped[dt.date | None] = mapped_column(Date)


class EventSessionInstitutionDay(Base):
    """One session's day with one institution's programs (people's events about them): the funnel steps
    reached with them (1 or 0)."""

    __tablename__ = "event_session_institution_day"

    institution_id: Mapped[int] = mapped_column(Integer, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    shown: Mapped[int] = mapped_column(SmallInteger)
    clicked: Mapped[int] = mapped_column(SmallInteger)
    converted: Mapped[int] = mapped_column(SmallInteger)


class EventVisitorDay(Base):
    """A visitor seen on a day (people's events), and the day the visitor was last seen before (null: never):
    a period's visitors are its rows whose previous day is before it (their first day in it), the returning
    ones those that have a previous day."""

    __tablename__ = "event_visitor_day"
    __table_args__ = (
        Index("ix_event_visitor_day_visitor_id", "visitor_id", "day"),
        Index("ix_event_visitor_day_period", "day", "prev_day"),
    )

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    visitor_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    prev_day: Mapped[dt.date | None] = mapped_column(Date)


class AnalyticsTarget(Base):
    """A goal an analyst set for one measure over one period, absolute or against a baseline period."""

    __tablename__ = "analytics_target"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    measure: Mapped[str] = mapped_column(String(40))
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    baseline_from: Mapped[dt.date | None] = mapped_column(Date)
    baseline_to: Mapped[dt.date | None] = mapped_column(Date)
    change: Mapped[float | None] = mapped_column(Float)  # +0.20: 20% above the baseline
    value: Mapped[float | None] = mapped_column(Float)  # or an absolute figure
    label: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class EventPurge(Base):
    """An operator's deletion of events (`lmi events purge` with a portal, institution, variant or
    period), kept so that the analytics can say the figures of that period lost them."""

    __tablename__ = "event_purge"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    purged_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The events' time span: from the first instant (None: any earlier) to before the last.
    occurred_from: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    occurred_before: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    portal_id: Mapped[int | None] = mapped_column(Integer)
    institution_id: Mapped[int | None] = mapped_column(Integer)
    variant: Mapped[str | None] = mapped_column(String(100))
    events: Mapped[int] = mapped_column(Integer)


class ServiceSecret(Base):
    """Secrets the service generates for itself on first run (the tracked links' signing key)."""

    __tablename__ = "service_secret"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
