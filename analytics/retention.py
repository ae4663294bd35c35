"""Deleting events: those past the retention period (`LMI_EVENT_RETENTION_DAYS`; `lmi events purge`,
and the service once a day), and those an operator names to undo a flood (`lmi events purge` with a
portal, an institution, a variant or a period). An operator's purge is recorded, so that the analytics
of the periods it touched say so."""

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import ColumnElement, delete, func, or_, select
from sqlalchemy.orm import Session

from analytics.periods import Period
from models.events import Event, EventPurge


def retention_cutoff(retention_days: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=retention_days)


def purge_before(session: Session, cutoff: dt.datetime) -> int:
    """Delete the events that occurred before `cutoff` (the retention period); how many. Commits."""
    result = session.execute(delete(Event).where(Event.occurred_at < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)


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
    """Delete the events the criteria name and record the purge; how many. Commits once."""
    result = session.execute(delete(Event).where(*criteria.conditions()))
    purged = int(getattr(result, "rowcount", 0) or 0)
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
