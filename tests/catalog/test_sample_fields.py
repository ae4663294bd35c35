"""The sample catalogs loaded as the service loads them give costs and durations that the
recommendation filters use: edX its certificate prices and effort x length, Coursera its lengths."""

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.samples import SAMPLES, load_sample
from models.accounts import Institution
from models.catalog import Course
from recommendations.catalog_snapshot import CourseEntry, load_snapshot
from recommendations.ranking import Filters
from tests.support.source_data import DATA_DIR

LOADED = ("edx", "coursera")


def loaded_courses(engine: Engine) -> dict[str, list[CourseEntry]]:
    for sample in SAMPLES:
        if sample.slug in LOADED:
            load_sample(sessionmaker(engine), DATA_DIR, sample)
    with Session(engine) as session:
        snapshot = load_snapshot(session, [], 1)
    return {slug: [course for course in snapshot.courses if course.institution_slug == slug] for slug in LOADED}


def test_loaded_samples_have_costs_and_durations_the_filters_use(reference_engine: Engine) -> None:
    courses = loaded_courses(reference_engine)
    with Session(reference_engine) as session:
        first_edx = session.execute(
            select(Course.cost_cad, Course.duration_hours)
            .join(Institution, Course.version_id == Institution.active_version_id)
            .where(Institution.slug == "edx", Course.title == "How to Learn Online")
        ).one()
    assert tuple(first_edx) == (67.12, 6.0)  # $49 USD; 2–3 hours per week for 2 Weeks
    assert len(courses["edx"]) > 700 and len(courses["coursera"]) > 2500
    assert all(course.cost_cad is not None and course.duration_hours is not None for course in courses["edx"])
    assert all(course.cost_cad is None and course.duration_hours is not None for course in courses["coursera"])

    cheap = [course for course in courses["edx"] if Filters(max_cost_cad=100).admit(course)]
    assert cheap and all(course.cost_cad is not None and course.cost_cad <= 100 for course in cheap)
    assert len(cheap) < len(courses["edx"])

    short = Filters(max_duration_hours=40)
    admitted = {course.duration_hours for course in courses["coursera"] if short.admit(course)}
    assert admitted == {2.0, 40.0}  # "Less Than 2 Hours", "1 - 4 Weeks"
