"""The active catalogs of every institution, held in memory as arrays for ranking.

A snapshot is read in one transaction, so it holds each institution's old catalog or its new one,
never a mix. :class:`SnapshotCache` keeps the latest and reads a new one when an institution's
active version (or the tagging of its courses) changes: one small query per request tells.
"""

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging

VersionKey = tuple[tuple[int, int, str | None], ...]


@dataclass(frozen=True)
class CourseEntry:
    key: str  # <institution slug>:<course id>, as in GET /v1/courses/{course}
    course_id: str
    title: str
    url: str
    url_derived: bool
    institution_id: int
    institution_slug: str
    institution_name: str
    provider: str | None
    language: str | None
    delivery_mode: str | None
    region: str | None
    cost_cad: float | None
    duration_hours: float | None
    credential: str | None
    financial_aid: tuple[str, ...]


@dataclass(frozen=True)
class Link:
    row: int
    score: float
    source: str
    evidence: str


@dataclass
class CatalogSnapshot:
    versions: VersionKey
    courses: list[CourseEntry]
    vectors: np.ndarray  # (courses, dimension), unit rows; zero rows for courses not tagged yet
    coverage: np.ndarray  # (courses, descriptors), 0-1
    links: dict[str, list[Link]]  # NOC code → courses linked to it
    descriptor_ids: list[str]
    descriptor_columns: dict[str, int] = field(init=False)
    tagged: np.ndarray = field(init=False)  # courses with a vector
    languages: np.ndarray = field(init=False)  # each course's language code, "" when unknown

    def __post_init__(self) -> None:
        self.descriptor_columns = {descriptor: column for column, descriptor in enumerate(self.descriptor_ids)}
        self.tagged = np.any(self.vectors != 0, axis=1)
        self.languages = np.array([course.language or "" for course in self.courses], dtype=object)


def active_versions(session: Session) -> VersionKey:
    rows = session.execute(
        select(Institution.id, CatalogVersion.id, CatalogVersion.tagging_key)
        .join(CatalogVersion, CatalogVersion.id == Institution.active_version_id)
        .order_by(Institution.id)
    ).all()
    return tuple((institution, version, key) for institution, version, key in rows)


def load_snapshot(session: Session, descriptor_ids: Sequence[str], dimension: int) -> CatalogSnapshot:
    """Every course of every active catalog, in a stable order (institution, then line)."""
    versions = active_versions(session)
    rows = session.execute(
        select(Course, Institution, CourseTagging)
        .join(Institution, Institution.active_version_id == Course.version_id)
        .outerjoin(CourseTagging, CourseTagging.course_id == Course.id)
        .order_by(Institution.id, Course.line)
    ).all()
    columns = {descriptor: column for column, descriptor in enumerate(descriptor_ids)}
    vectors = np.zeros((len(rows), dimension), dtype=np.float32)
    coverage = np.zeros((len(rows), len(descriptor_ids)), dtype=np.float32)
    courses = []
    row_of_course: dict[int, int] = {}
    for row, (course, institution, tagging) in enumerate(rows):
        row_of_course[course.id] = row
        courses.append(_entry(course, institution))
        if tagging is not None:
            vector = np.frombuffer(tagging.vector, dtype=np.float32)
            if vector.shape == (dimension,):
                vectors[row] = vector
            for descriptor, value in tagging.descriptors.items():
                if descriptor in columns:
                    coverage[row, columns[descriptor]] = float(value)
    links: dict[str, list[Link]] = {}
    link_rows = session.execute(
        select(CourseOccupation).join(Course).join(Institution, Institution.active_version_id == Course.version_id)
    ).scalars()
    for link in link_rows:
        linked_row = row_of_course.get(link.course_id)
        if linked_row is not None:
            links.setdefault(link.noc_code, []).append(Link(linked_row, link.score, link.source, link.evidence))
    return CatalogSnapshot(versions, courses, vectors, coverage, links, list(descriptor_ids))


def _entry(course: Course, institution: Institution) -> CourseEntry:
    return CourseEntry(
        key=f"{institution.slug}:{course.course_id}",
        course_id=course.course_id,
        title=course.title,
        url=course.url,
        url_derived=course.url_derived,
        institution_id=institution.id,
        institution_slug=institution.slug,
        institution_name=institution.name,
        provider=course.provider,
        language=course.language,
        delivery_mode=course.delivery_mode,
        region=course.region,
        cost_cad=course.cost_cad,
        duration_hours=course.duration_hours,
        credential=course.credential,
        financial_aid=tuple(str(aid) for aid in course.financial_aid or ()),
    )


class SnapshotCache:
    """The latest snapshot, re-read when the active catalogs change. Thread-safe."""

    def __init__(self, descriptor_ids: Sequence[str], dimension: int):
        self._descriptor_ids = list(descriptor_ids)
        self._dimension = dimension
        self._snapshot: CatalogSnapshot | None = None
        self._lock = threading.Lock()

    def current(self, session: Session) -> CatalogSnapshot:
        versions = active_versions(session)
        snapshot = self._snapshot
        if snapshot is not None and snapshot.versions == versions:
            return snapshot
        with self._lock:
            if self._snapshot is None or self._snapshot.versions != versions:
                fresh = load_snapshot(session, self._descriptor_ids, self._dimension)
                self._snapshot = fresh
            return self._snapshot
