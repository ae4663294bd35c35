"""Tagging and linking real courses in the service's skill space (e5 over the real OaSIS, ESCO and NOC)."""

import csv
import json

import pytest

from catalog.skill_space import SkillSpace
from catalog.tagging import GIVEN, INFERRED, CourseText, tag_courses
from labour_market.skill_vocabulary import esco_skills, preferred_label
from tests.support.source_data import DATA_DIR


def descriptor_names(space: SkillSpace, course: CourseText) -> set[str]:
    return {descriptor.split(":", 2)[2] for descriptor in tag_courses(space, [course])[0].descriptors}


def test_english_and_french_tags_reach_the_same_canonical_skills(skill_space: SkillSpace) -> None:
    english, french = tag_courses(
        skill_space,
        [
            CourseText("Bookkeeping basics", None, ["Bookkeeping", "Accounting"], False),
            CourseText("Tenue de livres", None, ["Tenue de livres", "Comptabilité"], False),
        ],
    )
    for tagging in (english, french):
        assert all(tag.source == GIVEN and tag.fits_course for tag in tagging.tags)
        assert {tag.descriptor.label for tag in tagging.tags if tag.descriptor} == {"Accounting"}
        assert "oasis:knowledge:Accounting" in tagging.descriptors
    assert english.tags[0].skill is not None and "bookkeeping" in english.tags[0].skill.label
    assert english.tags[0].skill.vocabulary == "esco" and english.tags[0].skill.confidence > 0.5


def test_a_course_without_tags_gets_inferred_ones(skill_space: SkillSpace) -> None:
    (tagging,) = tag_courses(skill_space, [CourseText("Introduction to Python programming", None, [], False)])
    assert tagging.tags and all(tag.source == INFERRED for tag in tagging.tags)
    assert any("python" in tag.text.lower() or "programming" in tag.text.lower() for tag in tagging.tags)


def test_tags_that_belong_to_another_course_count_for_nothing(skill_space: SkillSpace) -> None:
    """The Coursera file shifts "Gained Skills" by a row in places: a neighbour's tags are flagged."""
    with (DATA_DIR / "catalogs" / "coursera_courses_with_skills.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[:60]
    title_column = next(column for column in rows[0] if "title" in column.lower())
    courses = [CourseText(row[title_column], None, [], False) for row in rows]
    menu = CourseText(
        "Menu design for restaurants", None, ["Labor Law", "Workers Compensation", "Labor Relations"], False
    )
    fitting = CourseText(
        "Employment law essentials", None, ["Labor Law", "Workers Compensation", "Labor Relations"], False
    )
    *_, shifted, right = tag_courses(skill_space, [*courses, menu, fitting])
    assert not any(tag.fits_course for tag in shifted.tags if tag.source == GIVEN)
    assert any(tag.source == INFERRED for tag in shifted.tags)
    assert "oasis:knowledge:Law" not in shifted.descriptors
    assert all(tag.fits_course for tag in right.tags)
    assert "oasis:knowledge:Human Resources and Labour relations" in right.descriptors


def test_courses_are_linked_to_the_occupations_they_prepare_for(skill_space: SkillSpace) -> None:
    nursing, welding, given = tag_courses(
        skill_space,
        [
            CourseText("Practical Nursing", "Prepares students to work as licensed practical nurses.", [], False),
            CourseText("Soudage et assemblage", "Techniques de soudage à l'arc.", [], False),
            CourseText("Practical Nursing", "Prepares students to work as licensed practical nurses.", [], True),
        ],
    )
    assert nursing.links and nursing.links[0].noc_code in {"32101", "31301"}
    assert all(link.source == INFERRED and 0 < link.score <= 1 and link.evidence for link in nursing.links)
    assert "72106" in {link.noc_code for link in welding.links}
    assert given.links == []  # the institution's own codes win; see catalog.linking


def test_descriptors_come_from_the_skills_and_knowledge_a_person_is_shown(skill_space: SkillSpace) -> None:
    names = descriptor_names(skill_space, CourseText("Financial accounting", None, ["Financial Accounting"], False))
    assert "Accounting" in names
    assert {descriptor.dimension for descriptor in skill_space.descriptors} == {"skill", "knowledge"}
    assert all(descriptor.label_fr for descriptor in skill_space.descriptors)


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        ("manage musical staff manage staff of music coordinate duties of musical staff", "manage musical staff"),
        ("carry out aerial tree rigging carrying out aerial tree rigging undertake", "carry out aerial tree rigging"),
        (
            "contribute to bilge and ballast operations contributing to bilge",
            "contribute to bilge and ballast operations",
        ),
        ("Shiva (digital game creation systems) Shiva", "Shiva (digital game creation systems)"),
    ],
)
def test_the_preferred_esco_label_is_read_off_the_run_of_labels(labels: str, expected: str) -> None:
    first_words = frozenset({"manage", "coordinate", "undertake"})
    assert preferred_label(labels, first_words) == expected


def test_every_esco_skill_of_the_data_is_read_with_a_short_label() -> None:
    skills = esco_skills(DATA_DIR)
    assert len(skills) == 13_939
    assert len({skill.id for skill in skills}) == len(skills)
    assert all(0 < len(skill.label_en.split()) <= 7 for skill in skills)
    assert json.dumps([skill.label_en for skill in skills[:3]])
