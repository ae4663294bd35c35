"""What people did with the service: searches, programs shown, clicks, inquiries, referrals, feedback.

One row per event, whether the service logged it (a recommendation served, a tracked link followed)
or a portal sent it. Nothing in a row identifies a person: sessions and visitors are pseudonyms
the client made, comments are scrubbed, and no IP address or user agent is kept.
"""

import datetime as dt

from sqlalchemy import BigInteger, Boolean, Date, Float, Index, Integer, SmallInteger, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UtcDateTime

# SQLite gives only INTEGER PRIMARY KEY columns their automatic row ids.
EventId = BigInteger().with_variant(Integer(), "sqlite")


class Event(Base):
    __tablename__ = "event"
    __table_args__ = (
        Index("ix_event_institution_occurred_at", "institution_id", "occurred_at"),
        # The summary, funnel and usage figures of a period read only these columns: from this index alone.
        Index(
            "ix_event_period_figures",
            "occurred_at",
            "robot",
            "type",
            "session_id",
            "visitor_id",
            "institution_id",
            "helpful",
        ),
        Index("ix_event_visitor_occurred_at", "visitor_id", "occurred_at"),  # a visitor's first visit
        Index("ix_event_portal_occurred_at", "portal_id", "occurred_at"),  # a portal's traffic, and its purge
    )

    id: Mapped[int] = mapped_column(EventId, primary_key=True, autoincrement=True)
    # What makes two reports the same event: the client's event id, or for an impression or a click
    # the impression it is about (a program shown once is counted once, a link clicked twice too).
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
