"""The active catalogs of every institution, held in memory as arrays for ranking.

A snapshot is read in one transaction, so it holds each institution's old catalog or its new one,
never a mix. :class:`SnapshotCache` keeps the latest and reads a new one when an institution's
active version (or the tagging of its courses) changes: one small query per request tells.
"""

import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.linking import GIVEN
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging

VersionKey = tuple[tuple[int, int, str | None], ...]
SUMMARY_CHARS = 120
TAG_SKILL_CONFIDENCE = 0.3  # a tag names an ESCO skill from this confidence
TAG_DESCRIPTOR_CONFIDENCE = 0.5  # and stands for an OaSIS descriptor from this one (as a course covers one)
# Words some catalogs put before the description proper: an empty cell written out, or edX's note
# that the course belongs to a series.
_BOILERPLATE = re.compile(
    r"^(?:n/?a(?:\s+|$)|this course is part of an? [^.]{0,60}?\b(?:program|certificate|xseries|series)\b\.?\s*)",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?])(?:\s+|(?=[A-Z]))")


@dataclass(frozen=True)
class CourseSkill:
    """One of a course's own skill tags, as its catalog words it."""

    text: str
    descriptor_id: str | None  # the OaSIS descriptor it stands for, when tagging found one near enough


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
    # What reasons quote: its own tags that fit it (not a neighbouring row's), and the start of its description.
    skills: tuple[CourseSkill, ...] = ()
    summary: str | None = None


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
        courses.append(_entry(course, institution, tagging))
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


def _entry(course: Course, institution: Institution, tagging: CourseTagging | None) -> CourseEntry:
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
        skills=own_skills(tagging.tags if tagging is not None else []),
        summary=summary(course.description),
    )


def own_skills(tags: Sequence[Any]) -> tuple[CourseSkill, ...]:
    """The tags the catalog gave a course (not those inferred from its title) that name a skill,
    when tagging found that they fit it: some rows carry a neighbouring row's tags, and some tags
    are search words that match no skill ("red seal", "apprenticeship")."""
    skills = []
    for tag in tags:
        if not (isinstance(tag, dict) and tag.get("source") == GIVEN and tag.get("fits_course") and tag.get("text")):
            continue
        descriptor_id = _match(tag.get("descriptor"), TAG_DESCRIPTOR_CONFIDENCE)
        if descriptor_id is not None or _match(tag.get("skill"), TAG_SKILL_CONFIDENCE) is not None:
            skills.append(CourseSkill(" ".join(str(tag["text"]).split()), descriptor_id))
    return tuple(skills)


def _match(found: object, least: float) -> str | None:
    """The id of a tag's nearest skill or descriptor, if it is near enough."""
    if not isinstance(found, dict) or not found.get("id"):
        return None
    confidence = found.get("confidence")
    return str(found["id"]) if isinstance(confidence, int | float) and confidence >= least else None


def summary(description: str | None) -> str | None:
    """The first sentence of a description, at most `SUMMARY_CHARS` long (cut after a word, with an
    ellipsis), without the boilerplate some catalogs start with; None without a description."""
    text = _BOILERPLATE.sub("", " ".join((description or "").split()))
    first = _SENTENCE_END.split(text, maxsplit=1)[0].strip()
    if len(first) > SUMMARY_CHARS:
        first = first[: SUMMARY_CHARS + 1].rsplit(" ", 1)[0].rstrip(" ,;:-") + "…"
    return first or None


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


class FitCache:
    """How far each occupation stands out for each course of the latest snapshot (see
    `occupation_fit`), computed once per snapshot. Thread-safe."""

    def __init__(self) -> None:
        self._versions: VersionKey | None = None
        self._fit = np.zeros((0, 0), dtype=np.float32)
        self._lock = threading.Lock()

    def current(self, snapshot: CatalogSnapshot, occupation_vectors: np.ndarray) -> np.ndarray:
        with self._lock:
            if self._versions != snapshot.versions:
                self._fit = occupation_fit(snapshot.vectors, occupation_vectors)
                self._versions = snapshot.versions
            return self._fit


def occupation_fit(course_vectors: np.ndarray, occupation_vectors: np.ndarray) -> np.ndarray:
    """(courses, occupations): how far each occupation stands out among all occupations in similarity to
    each course, in standard deviations; `occupation_vectors` is (texts, occupations, dimension) and a
    course's similarity to an occupation is that of its closest text."""
    similarity: np.ndarray = np.max(occupation_vectors @ course_vectors.T, axis=0).T
    deviation = similarity.std(axis=1, keepdims=True)
    deviation[deviation == 0] = 1.0
    fit: np.ndarray = ((similarity - similarity.mean(axis=1, keepdims=True)) / deviation).astype(np.float32)
    return fit
