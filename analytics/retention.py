"""Events are kept `LMI_EVENT_RETENTION_DAYS` days, then deleted (`lmi events purge`, and the service
once a day)."""

import datetime as dt

from sqlalchemy import delete
from sqlalchemy.orm import Session

from models.events import Event


def retention_cutoff(retention_days: int, now: dt.datetime | None = None) -> dt.datetime:
    now = now or dt.datetime.now(dt.UTC)
    return now - dt.timedelta(days=retention_days)


def purge_before(session: Session, cutoff: dt.datetime) -> int:
    """Delete the events that occurred before `cutoff`; how many. Commits."""
    result = session.execute(delete(Event).where(Event.occurred_at < cutoff))
    session.commit()
    return int(getattr(result, "rowcount", 0) or 0)
