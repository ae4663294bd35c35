"""Tagging at upload, and again when the skill space changes (another model or other reference data)."""

import dataclasses

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from catalog.retagging import retag_version, stale_versions
from catalog.skill_space import SkillSpace
from catalog.uploads import upload_catalog
from catalog.versions import active_version
from models.accounts import Institution
from models.catalog import Course, CourseOccupation, CourseTagging

CATALOG = (
    "course_id,title,description,skills,noc_codes\n"
    "N1,Practical Nursing,Prepares students to work as licensed practical nurses.,,3233\n"
    "W1,Soudage,Techniques de soudage à l'arc et assemblage de pièces métalliques.,soudage;lecture de plans,\n"
    "B1,Bookkeeping,,Bookkeeping;Accounting;Payroll,\n"
).encode()


def tagging_of(
    session: Session, institution: Institution
) -> dict[str, tuple[CourseTagging | None, list[CourseOccupation]]]:
    version = active_version(session, institution)
    assert version is not None
    courses = session.scalars(select(Course).where(Course.version_id == version.id)).all()
    return {
        course.course_id: (
            session.get(CourseTagging, course.id),
            list(session.scalars(select(CourseOccupation).where(CourseOccupation.course_id == course.id))),
        )
        for course in courses
    }


def upload(sessions: sessionmaker[Session], institution: Institution, space: SkillSpace | None) -> None:
    mapping = {"url": {"template": "https://example.ca/{course_id}"}}
    upload_catalog(sessions, institution.id, CATALOG, "csv", mapping=mapping, skill_space=space)


def test_an_upload_is_tagged_and_linked_with_its_evidence(
    session: Session, session_factory: sessionmaker[Session], institution: Institution, skill_space: SkillSpace
) -> None:
    upload(session_factory, institution, skill_space)
    session.commit()  # a new read sees the upload's transaction
    found = tagging_of(session, institution)
    nursing, nursing_links = found["N1"]
    assert nursing is not None and np.frombuffer(nursing.vector, dtype=np.float32).shape == (
        skill_space.embedder.dimension,
    )
    assert [(link.noc_code, link.source) for link in nursing_links] == [("32101", "given")]
    welding, welding_links = found["W1"]
    assert welding is not None and [tag["source"] for tag in welding.tags] == ["given", "given"]
    assert any(link.source == "inferred" and link.noc_code == "72106" for link in welding_links)
    bookkeeping, _ = found["B1"]
    assert bookkeeping is not None and "oasis:knowledge:Accounting" in bookkeeping.descriptors
    version = active_version(session, institution)
    assert version is not None and version.tagging_key == skill_space.key
    assert version.id not in set(stale_versions(session, skill_space.key))


def test_a_catalog_uploaded_without_tagging_or_under_another_space_is_tagged_again(
    session: Session, session_factory: sessionmaker[Session], institution: Institution, skill_space: SkillSpace
) -> None:
    upload(session_factory, institution, None)
    session.commit()
    version = active_version(session, institution)
    assert version is not None and version.tagging_key is None
    assert all(tagging is None for tagging, _ in tagging_of(session, institution).values())
    assert version.id in set(stale_versions(session, skill_space.key))

    session.commit()  # no transaction of this session's is open while another writes
    assert retag_version(session_factory, version.id, skill_space) == 3
    session.expire_all()
    found = tagging_of(session, institution)
    assert all(tagging is not None for tagging, _ in found.values())
    assert version.tagging_key == skill_space.key
    assert version.id not in set(stale_versions(session, skill_space.key))

    changed = dataclasses.replace(skill_space, key=skill_space.key + "-new-data")
    assert version.id in set(stale_versions(session, changed.key))
    session.commit()
    retag_version(session_factory, version.id, changed)
    session.expire_all()
    again = tagging_of(session, institution)
    inferred = [link.noc_code for _, links in again.values() for link in links if link.source == "inferred"]
    assert len(inferred) == len(set(inferred))  # the old inferred links were replaced, not doubled
    assert [link.source for link in again["N1"][1]] == ["given"]
