"""Reading catalogs: an institution's versions and active courses, one course; rolling back."""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from catalog.exceptions import CourseNotFound, VersionNotFound
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging
from models.occupations import NocClass


@dataclass(frozen=True)
class CoursePage:
    institution: Institution
    version: CatalogVersion | None
    courses: list[Course]
    occupations: dict[int, list["LinkedOccupation"]]  # by course row id
    taggings: dict[int, CourseTagging]  # by course row id; absent until the course is tagged
    total: int


@dataclass(frozen=True)
class InstitutionCatalog:
    institution: Institution
    version: CatalogVersion | None


def institutions_with_catalogs(session: Session) -> list[InstitutionCatalog]:
    """Every institution by id, with its active catalog version."""
    rows = session.execute(
        select(Institution, CatalogVersion)
        .outerjoin(CatalogVersion, CatalogVersion.id == Institution.active_version_id)
        .order_by(Institution.id)
    )
    return [InstitutionCatalog(institution, version) for institution, version in rows]


def versions(session: Session, institution: Institution) -> list[CatalogVersion]:
    query = select(CatalogVersion).where(CatalogVersion.institution_id == institution.id)
    return list(session.scalars(query.order_by(CatalogVersion.number)))


def active_version(session: Session, institution: Institution) -> CatalogVersion | None:
    return session.get(CatalogVersion, institution.active_version_id) if institution.active_version_id else None


def rollback_catalog(session: Session, institution: Institution, number: int) -> CatalogVersion:
    """Make version `number` the active one again (atomically, with the caller's commit)."""
    version = session.scalar(
        select(CatalogVersion).where(CatalogVersion.institution_id == institution.id, CatalogVersion.number == number)
    )
    if version is None:
        raise VersionNotFound(institution.slug, number)
    institution.active_version_id = version.id
    session.flush()
    return version


def list_courses(session: Session, institution: Institution, page: int, per_page: int) -> CoursePage:
    """The courses of the active version, in file order."""
    version = active_version(session, institution)
    if version is None:
        return CoursePage(institution, None, [], {}, {}, 0)
    condition = Course.version_id == version.id
    total = session.scalar(select(func.count()).select_from(Course).where(condition)) or 0
    courses = list(
        session.scalars(
            select(Course).where(condition).order_by(Course.line).offset((page - 1) * per_page).limit(per_page)
        )
    )
    return CoursePage(
        institution, version, courses, linked_occupations(session, courses), course_taggings(session, courses), total
    )


def find_course(session: Session, reference: str) -> tuple[Institution, Course]:
    """``<institution slug>:<course_id>`` in the institution's active catalog."""
    slug, _, course_id = reference.partition(":")
    found = session.execute(
        select(Institution, Course)
        .join(Course, Course.version_id == Institution.active_version_id)
        .where(Institution.slug == slug, Course.course_id == course_id)
    ).first()
    if found is None:
        raise CourseNotFound(reference)
    return found[0], found[1]


@dataclass(frozen=True)
class LinkedOccupation:
    noc_code: str
    title_en: str
    title_fr: str | None
    score: float
    source: str
    evidence: str


def linked_occupations(session: Session, courses: list[Course]) -> dict[int, list[LinkedOccupation]]:
    """Each course's linked unit groups, best first (by course row id)."""
    rows = session.execute(
        select(CourseOccupation, NocClass.title_en, NocClass.title_fr)
        .join(NocClass, NocClass.code == CourseOccupation.noc_code)
        .where(CourseOccupation.course_id.in_([course.id for course in courses]))
        .order_by(CourseOccupation.course_id, CourseOccupation.score.desc(), CourseOccupation.noc_code)
    )
    linked: dict[int, list[LinkedOccupation]] = {course.id: [] for course in courses}
    for link, title_en, title_fr in rows:
        linked[link.course_id].append(
            LinkedOccupation(link.noc_code, title_en, title_fr, link.score, link.source, link.evidence)
        )
    return linked


def course_taggings(session: Session, courses: list[Course]) -> dict[int, CourseTagging]:
    """The tags and descriptor coverage of the courses that are tagged (by course row id)."""
    query = select(CourseTagging).where(CourseTagging.course_id.in_([course.id for course in courses]))
    return {tagging.course_id: tagging for tagging in session.scalars(query)}
