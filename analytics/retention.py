"""Deleting events: those past the retention period (`LMI_EVENT_RETENTION_DAYS`; `lmi events purge`,
and the service once a day), and those an operator names to undo a flood (`lmi events purge` with a
portal, an institution, a variant or a period). An operator's purge is recorded, so that the analytics
of the periods it touched say so.

Either way the daily roll-ups are corrected in the same transaction (analytics.rollups.delete_events:
the days and sessions the deleted events touched are recomputed from the events left). The retention
period ends at an instant: on PostgreSQL the months wholly before it are dropped as partitions (in a
transaction of their own, with their days' roll-ups), then the whole days before it are deleted with
their roll-ups, then the part of its own day before it, whose roll-ups are recomputed. The same run
makes the partitions of this month and the next two, for writers that bypass the service."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Engine, delete, func, or_, select
from sqlalchemy.orm import Session

from analytics.periods import Period
from analytics.rollups import delete_events, forget_days_before, lock_rollups
from models.events import Event, EventDedupe, EventPurge
from models.partitions import drop_months_before, ensure_around


def retention_cutoff(retention_days: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=retention_days)


def purge_before(session: Session, cutoff: dt.datetime, now: dt.datetime | None = None) -> int:
    """Delete the events that occurred before `cutoff` (the retention period), and correct the roll-ups;
    how many. Commits (once for the partitions dropped, once for the rest)."""
    bind = session.get_bind()
    engine = bind if isinstance(bind, Engine) else bind.engine
    ensure_around(engine, (now or dt.datetime.now(dt.UTC)).date())
    cutoff_day = cutoff.astimezone(dt.UTC).date()
    midnight = dt.datetime.combine(cutoff_day, dt.time(), dt.UTC)
    lock_rollups(session)
    dropped, through = drop_months_before(session, midnight)
    if through is not None:
        session.execute(delete(EventDedupe).where(EventDedupe.occurred_at < through))
        forget_days_before(session, through.date())
    session.commit()
    lock_rollups(session)
    whole_days = session.execute(delete(Event).where(Event.occurred_at < midnight))
    deleted = dropped + int(getattr(whole_days, "rowcount", 0) or 0)
    session.execute(delete(EventDedupe).where(EventDedupe.occurred_at < midnight))
    forget_days_before(session, cutoff_day)
    if cutoff > midnight:
        deleted += delete_events(session, Event.occurred_at >= midnight, Event.occurred_at < cutoff)
    session.commit()
    return deleted


@dataclass(frozen=True)
class PurgeCriteria:
    """Which events an operator deletes: all of these that are given (at least one)."""

    occurred_from: dt.datetime | None = None
    occurred_before: dt.datetime | None = None
    portal_id: int | None = None
    institution_id: int | None = None
    variant: str | None = None

    def __post_init__(self) -> None:
        if all(value is None for value in vars(self).values()):
            raise ValueError("name the events to purge: a period, a portal, an institution or a variant")

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions = []
        if self.occurred_from is not None:
            conditions.append(Event.occurred_at >= self.occurred_from)
        if self.occurred_before is not None:
            conditions.append(Event.occurred_at < self.occurred_before)
        for column, value in (
            (Event.portal_id, self.portal_id),
            (Event.institution_id, self.institution_id),
            (Event.variant, self.variant),
        ):
            if value is not None:
                conditions.append(column == value)
        return conditions


def count_matching(session: Session, criteria: PurgeCriteria) -> int:
    return int(session.scalar(select(func.count()).select_from(Event).where(*criteria.conditions())) or 0)


def purge_events(session: Session, criteria: PurgeCriteria, now: dt.datetime | None = None) -> int:
    """Delete the events the criteria name, correct the roll-ups and record the purge; how many. Commits
    once."""
    purged = delete_events(session, *criteria.conditions())
    session.add(
        EventPurge(
            purged_at=now or dt.datetime.now(dt.UTC),
            occurred_from=criteria.occurred_from,
            occurred_before=criteria.occurred_before,
            portal_id=criteria.portal_id,
            institution_id=criteria.institution_id,
            variant=criteria.variant,
            events=purged,
        )
    )
    session.commit()
    return purged


def purges_touching(session: Session, window: Period) -> list[EventPurge]:
    """The operators' purges whose span of time overlaps the period, oldest first."""
    return list(
        session.scalars(
            select(EventPurge)
            .where(or_(EventPurge.occurred_from.is_(None), EventPurge.occurred_from < window.ends))
            .where(or_(EventPurge.occurred_before.is_(None), EventPurge.occurred_before > window.begins))
            .order_by(EventPurge.purged_at, EventPurge.id)
        )
    )
