"""Course catalogs: every upload is a version of an institution's catalog; its courses belong to it."""

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UtcDateTime


class CatalogVersion(Base):
    __tablename__ = "catalog_version"
    __table_args__ = (UniqueConstraint("institution_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)  # 1, 2, … per institution
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    source: Mapped[str] = mapped_column(String(300))  # file name or "api"
    course_count: Mapped[int] = mapped_column(Integer)
    skipped_rows: Mapped[int] = mapped_column(Integer)
    tagging_key: Mapped[str | None] = mapped_column(String(80))  # model and reference data its tags were computed with


class Course(Base):
    """One course or program of one catalog version, as uploaded (cells kept as text, never evaluated)."""

    __tablename__ = "course"
    __table_args__ = (Index("ix_course_version_course_id", "version_id", "course_id", unique=True),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("catalog_version.id"))
    line: Mapped[int] = mapped_column(Integer)  # where it stood in the uploaded file
    course_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(500))
    url: Mapped[str] = mapped_column(String(2000))
    url_derived: Mapped[bool] = mapped_column(Boolean)
    description: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[Any]] = mapped_column(JSON)
    noc_codes: Mapped[list[Any]] = mapped_column(JSON)
    language: Mapped[str | None] = mapped_column(String(2))
    delivery_mode: Mapped[str | None] = mapped_column(String(20))
    region: Mapped[str | None] = mapped_column(String(10))
    duration_hours: Mapped[float | None] = mapped_column(Float)
    cost_cad: Mapped[float | None] = mapped_column(Float)
    credential: Mapped[str | None] = mapped_column(String(40))
    provider: Mapped[str | None] = mapped_column(String(300))
    financial_aid: Mapped[list[Any]] = mapped_column(JSON)
    start_dates: Mapped[list[Any]] = mapped_column(JSON)


class CourseOccupation(Base):
    """A course linked to a NOC 2021 unit group it prepares for, with a score, where the link comes
    from (`given`: the institution's codes) and the evidence in words."""

    __tablename__ = "course_occupation"
    __table_args__ = (UniqueConstraint("course_id", "noc_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), index=True)
    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"), index=True)
    score: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(20))
    evidence: Mapped[str] = mapped_column(String(500))


class CourseTagging(Base):
    """What tagging found for a course: its skill tags, the OaSIS descriptors it covers and its text
    embedding. Computed at upload and again when the model or the reference data change (the
    version's `tagging_key` tells which)."""

    __tablename__ = "course_tagging"

    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"), primary_key=True)
    tags: Mapped[list[Any]] = mapped_column(
        JSON
    )  # [{"text", "source", "skill": {...} | None, "descriptor": {...} | None}]
    descriptors: Mapped[dict[str, Any]] = mapped_column(JSON)  # OaSIS descriptor id → coverage 0-1
    vector: Mapped[bytes] = mapped_column(LargeBinary)  # float32, unit length


class UploadJobRecord(Base):
    """A catalog upload that goes on in the background: its state, kept where every worker and host of
    the service reads it. The worker running it updates `updated_at` as it goes; a queued or running job
    not updated for a while ran on a worker that stopped (its catalog is unchanged)."""

    __tablename__ = "upload_job"
    __table_args__ = (Index("ix_upload_job_status_updated_at", "status", "updated_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    institution_id: Mapped[int] = mapped_column(ForeignKey("institution.id"), index=True)
    status: Mapped[str] = mapped_column(String(10))  # queued, running, succeeded, failed
    courses_tagged: Mapped[int] = mapped_column(Integer, default=0)
    rows_written: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the upload's result, once it succeeded
    problem: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # the problem it answered, once it failed
