"""Leases: one process of many (workers of one host, hosts behind a load balancer) does a piece of
maintenance at a time (re-tagging stale catalogs at start-up, deleting old events), without a
coordinator: the first to take the lease does it; the others see it held and skip. A lease expires,
so a holder that died does not block the work for ever."""

import datetime as dt

from sqlalchemy import String, delete, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column, sessionmaker

from models.base import Base
from models.types import UtcDateTime


class Lease(Base):
    __tablename__ = "lease"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(100))
    expires_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


def take_lease(session_factory: sessionmaker[Session], name: str, holder: str, seconds: float) -> bool:
    """Take (or renew) the lease `name` for `seconds` if it is free, expired or already `holder`'s; True
    when `holder` now holds it. Its own unit of work, committed at once: the others must see it."""
    now = dt.datetime.now(dt.UTC)
    until = now + dt.timedelta(seconds=seconds)
    try:
        with session_factory.begin() as session:
            taken = session.execute(
                update(Lease)
                .where(Lease.name == name, (Lease.expires_at <= now) | (Lease.holder == holder))
                .values(holder=holder, expires_at=until)
            )
            if getattr(taken, "rowcount", 0):
                return True
            if session.scalar(select(Lease.name).where(Lease.name == name)) is not None:
                return False  # held by another
            session.execute(insert(Lease).values(name=name, holder=holder, expires_at=until))
            return True
    except IntegrityError:  # another process inserted it first
        return False


def release_lease(session_factory: sessionmaker[Session], name: str, holder: str) -> None:
    """Give the lease up, if `holder` holds it."""
    with session_factory.begin() as session:
        session.execute(delete(Lease).where(Lease.name == name, Lease.holder == holder))
