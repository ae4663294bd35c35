"""Tagging again the active catalogs tagged under another model or other reference data.

A catalog version records the skill space key its tags were computed with; when the model, the
reference data or the tagging logic change, the key changes and the active versions are tagged
again (by `lmi catalog retag`, `lmi catalog load-samples`, and in the background when the
service starts). Each version's courses are read in a short transaction, tagged with none open (the
slow part), and their new tags written in one short transaction: readers see the old tags or the
new ones.
"""

from collections.abc import Callable

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.skill_space import SkillSpace
from catalog.tagging import INFERRED, Progress, tag_courses
from catalog.uploads import text_of_course, write_taggings
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging

Retagged = Callable[[int, int], object]  # told each version's id and course count once it is tagged again


def stale_versions(session: Session, key: str, every_active: bool = False) -> list[int]:
    """The ids of the active catalog versions not tagged under `key` (all of them with `every_active`)."""
    query = (
        select(CatalogVersion.id)
        .join(Institution, Institution.active_version_id == CatalogVersion.id)
        .order_by(CatalogVersion.id)
    )
    if not every_active:
        query = query.where(or_(CatalogVersion.tagging_key.is_(None), CatalogVersion.tagging_key != key))
    return list(session.scalars(query))


def retag_version(
    session_factory: sessionmaker[Session], version_id: int, space: SkillSpace, progress: Progress | None = None
) -> int:
    """Replace the tags, vectors and inferred links of a version's courses; returns the course count.
    Owns its units of work (a short read, the tagging with no transaction open, a short write)."""
    with session_factory() as session:
        rows = session.scalars(select(Course).where(Course.version_id == version_id).order_by(Course.line)).all()
        ids = [course.id for course in rows]
        texts = [text_of_course(course) for course in rows]
    taggings = tag_courses(space, texts, progress)
    with session_factory.begin() as session:
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            session.execute(delete(CourseTagging).where(CourseTagging.course_id.in_(chunk)))
            session.execute(
                delete(CourseOccupation).where(
                    CourseOccupation.course_id.in_(chunk), CourseOccupation.source == INFERRED
                )
            )
        for start in range(0, len(ids), 1000):
            write_taggings(session, ids[start : start + 1000], taggings[start : start + 1000])
        session.get_one(CatalogVersion, version_id).tagging_key = space.key
    return len(ids)


def retag_stale(
    session_factory: sessionmaker[Session],
    space: SkillSpace,
    every_active: bool = False,
    progress: Callable[[int], Progress | None] = lambda version_id: None,
    retagged: Retagged = lambda version_id, courses: None,
) -> int:
    """Tag again every active version tagged under another skill space (every active one with
    `every_active`), one after the other; returns the course count. `progress(version_id)` gives each
    version's progress callback."""
    with session_factory() as session:
        targets = stale_versions(session, space.key, every_active)
    count = 0
    for version_id in targets:
        courses = retag_version(session_factory, version_id, space, progress(version_id))
        retagged(version_id, courses)
        count += courses
    return count
