"""Institutions, portals, and the API keys that act for them or for the service's analysts and admins."""

import datetime as dt

from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UtcDateTime


class Institution(Base):
    """A college, university or provider that uploads a course catalog."""

    __tablename__ = "institution"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    # The catalog version readers see; switching it is the atomic swap of an upload or a rollback.
    active_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("catalog_version.id", use_alter=True, name="fk_institution_active_version"), nullable=True
    )


class Portal(Base):
    """A site or application that shows the service's recommendations to its own users and sends their
    events with its key: its traffic is attributed to it (analytics break down by portal, and an
    operator can purge it). An institution may run one."""

    __tablename__ = "portal"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)


class ApiKey(Base):
    """A key is shown once; only its SHA-256 is stored. `prefix` identifies it in listings and logs."""

    __tablename__ = "api_key"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(20))  # admin, analyst, institution or portal
    institution_id: Mapped[int | None] = mapped_column(ForeignKey("institution.id"), index=True)
    portal_id: Mapped[int | None] = mapped_column(ForeignKey("portal.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime, nullable=True)
