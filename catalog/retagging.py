"""Tagging again the active catalogs tagged under another model or other reference data.

A catalog version records the skill space key its tags were computed with; when the model, the
reference data or the tagging logic change, the key changes and the active versions are tagged
again (by `lmi catalog retag`, `lmi catalog load-samples`, and in the background when the
service starts). Each version is re-tagged in one transaction: readers see the old tags or the
new ones.
"""

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session

from catalog.skill_space import SkillSpace
from catalog.tagging import INFERRED, Progress, tag_courses
from catalog.uploads import text_of_course, write_taggings
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging


def stale_versions(session: Session, key: str, every_active: bool = False) -> list[CatalogVersion]:
    """The active catalog versions not tagged under `key` (all of them with `every_active`)."""
    query = (
        select(CatalogVersion)
        .join(Institution, Institution.active_version_id == CatalogVersion.id)
        .order_by(CatalogVersion.id)
    )
    if not every_active:
        query = query.where(or_(CatalogVersion.tagging_key.is_(None), CatalogVersion.tagging_key != key))
    return list(session.scalars(query))


def retag_version(
    session: Session, version: CatalogVersion, space: SkillSpace, progress: Progress | None = None
) -> int:
    """Replace the tags, vectors and inferred links of a version's courses; returns the course count.
    Flushes; the caller commits."""
    courses = list(session.scalars(select(Course).where(Course.version_id == version.id).order_by(Course.line)))
    taggings = tag_courses(space, [text_of_course(course) for course in courses], progress)
    ids = [course.id for course in courses]
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        session.execute(delete(CourseTagging).where(CourseTagging.course_id.in_(chunk)))
        session.execute(
            delete(CourseOccupation).where(CourseOccupation.course_id.in_(chunk), CourseOccupation.source == INFERRED)
        )
    for start in range(0, len(ids), 1000):
        write_taggings(session, ids[start : start + 1000], taggings[start : start + 1000])
    version.tagging_key = space.key
    session.flush()
    return len(courses)
