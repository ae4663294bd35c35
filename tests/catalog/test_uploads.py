"""Uploads on the real reference data: versions, the atomic swap (even when the process is killed),
rollback, dry runs, skipping bad rows, limits, and the four sample catalogs."""

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.exceptions import InvalidCatalog, TooManyRows, VersionNotFound
from catalog.samples import SAMPLES, load_sample
from catalog.uploads import upload_catalog
from catalog.versions import find_course, list_courses, rollback_catalog, versions
from models.accounts import Institution
from models.catalog import CatalogVersion, Course
from tests.support.source_data import DATA_DIR, csv_rows, noc2016_successors

GOOD = b"course_id,title,url,noc_codes\nA1,Soins,https://a.ca/1,33102\nA2,Caisse,https://a.ca/2,6611\n"
BAD_ROW = b"A3,,https://a.ca/3,\n"


def course_count(session: Session, institution: Institution) -> int:
    return list_courses(session, institution, 1, 1).total


def test_given_codes_are_linked_through_the_concordance(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    upload_catalog(session_factory, institution.id, GOOD, "csv")
    session.commit()
    page = list_courses(session, institution, 1, 10)
    links = {course.course_id: page.occupations[course.id] for course in page.courses}
    assert [(link.noc_code, link.score, link.source) for link in links["A1"]] == [("33102", 1.0, "given")]
    expected = sorted(noc2016_successors("6611"))
    assert [link.noc_code for link in links["A2"]] == expected
    assert all(link.evidence.startswith("NOC 2016 6611") for link in links["A2"])


def test_each_upload_is_a_new_active_version(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    first = upload_catalog(session_factory, institution.id, GOOD, "csv")
    session.commit()
    second = upload_catalog(session_factory, institution.id, GOOD.replace(b"Soins", b"Soins infirmiers"), "csv")
    session.commit()
    assert (first.version, second.version) == (1, 2)
    assert [v.number for v in versions(session, institution)] == [1, 2]
    _, course = find_course(session, f"{institution.slug}:A1")
    assert (course.title, course.noc_codes) == ("Soins infirmiers", ["33102"])


def test_a_refused_upload_changes_nothing(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    upload_catalog(session_factory, institution.id, GOOD, "csv")
    session.commit()
    with pytest.raises(InvalidCatalog) as caught:
        upload_catalog(session_factory, institution.id, GOOD + BAD_ROW, "csv")
    session.rollback()
    assert [(e.line, e.column, e.reason) for e in caught.value.errors] == [(4, "title", "a value is required")]
    assert [v.number for v in versions(session, institution)] == [1]
    assert course_count(session, institution) == 2


def test_skip_imports_the_good_rows_and_reports_the_rest(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    result = upload_catalog(
        session_factory, institution.id, GOOD + BAD_ROW + b"A1,Again,https://a.ca/9,\n", "csv", on_error="skip"
    )
    session.commit()
    assert (result.rows, result.courses, result.skipped) == (4, 2, 2)
    assert [(e.line, e.column) for e in result.errors] == [(4, "title"), (5, "course_id")]
    assert "line 2 has it" in result.errors[1].reason


def test_a_dry_run_writes_nothing(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    result = upload_catalog(session_factory, institution.id, GOOD, "csv", dry_run=True)
    session.commit()
    assert (result.version, result.courses) == (None, 2)
    assert versions(session, institution) == []


def test_a_failure_while_writing_leaves_the_old_catalog(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    upload_catalog(session_factory, institution.id, GOOD, "csv")
    session.commit()
    rows = b"".join(f"B{n},Course {n},https://b.ca/{n},\n".encode() for n in range(2500))

    def fail(_: str, __: int) -> None:
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        upload_catalog(session_factory, institution.id, b"course_id,title,url,noc_codes\n" + rows, "csv", progress=fail)
    session.rollback()
    assert [v.number for v in versions(session, institution)] == [1]
    assert course_count(session, institution) == 2


def test_a_killed_upload_leaves_the_old_catalog(
    session: Session,
    session_factory: sessionmaker[Session],
    institution: Institution,
    reference_database_url: str,
    tmp_path: Path,
) -> None:
    """kill -9 of a process in the middle of writing a new version: the old one keeps serving."""
    upload_catalog(session_factory, institution.id, GOOD, "csv")
    session.commit()
    catalog = tmp_path / "big.csv"
    catalog.write_bytes(
        b"course_id,title,url\n" + b"".join(f"B{n},C {n},https://b.ca/{n}\n".encode() for n in range(5000))
    )
    script = textwrap.dedent(f"""
        import sys, time
        from catalog.uploads import upload_catalog
        from models.database import create_database_engine, create_session_factory
        sessions = create_session_factory(create_database_engine({reference_database_url!r}))
        def written(stage, rows):
            print("writing", flush=True)
            time.sleep(60)
        content = open({str(catalog)!r}, "rb").read()
        upload_catalog(sessions, {institution.id}, content, "csv", progress=written)
    """)
    process = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    assert process.stdout.readline().strip() == "writing"
    os.kill(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
    session.expire_all()
    assert [v.number for v in versions(session, institution)] == [1]
    assert course_count(session, institution) == 2


def test_rollback_restores_an_earlier_version(
    session: Session, session_factory: sessionmaker[Session], institution: Institution
) -> None:
    upload_catalog(session_factory, institution.id, GOOD, "csv")
    upload_catalog(session_factory, institution.id, GOOD.replace(b"A2,Caisse", b"A3,Vente"), "csv")
    session.commit()
    rollback_catalog(session, institution, 1)
    session.commit()
    assert find_course(session, f"{institution.slug}:A2")[1].title == "Caisse"
    with pytest.raises(VersionNotFound):
        rollback_catalog(session, institution, 9)


def test_too_many_rows(session: Session, session_factory: sessionmaker[Session], institution: Institution) -> None:
    with pytest.raises(TooManyRows, match="at most 1 are accepted"):
        upload_catalog(session_factory, institution.id, GOOD, "csv", max_rows=1)


def test_the_sample_catalogs_load_once(session: Session, session_factory: sessionmaker[Session]) -> None:
    for sample in SAMPLES:
        first = load_sample(session_factory, DATA_DIR, sample)
        session.commit()
        if first.result is None:  # another test of this session loaded it already
            continue
        source = list(csv_rows(sample.path)) if sample.file_format == "csv" else None
        if source is not None:
            assert first.result.rows == len(source)
        assert first.result.courses + first.result.skipped == first.result.rows
        assert load_sample(session_factory, DATA_DIR, sample).result is None
    slugs = {sample.slug for sample in SAMPLES}
    institutions = session.scalars(select(Institution).where(Institution.slug.in_(slugs))).all()
    assert len(institutions) == 4
    assert all(institution.active_version_id for institution in institutions)
    coursera = next(i for i in institutions if i.slug == "coursera")
    course = session.scalar(select(Course).where(Course.version_id == coursera.active_version_id).order_by(Course.line))
    assert course is not None
    assert course.url_derived and course.url.startswith("https://www.coursera.org/search?query=")
    assert course.skills[:2] == ["Process Analysis", "Business Process"]
    polytechnique = next(i for i in institutions if i.slug == "polytechnique-montreal")
    titles = session.scalars(select(Course.title).where(Course.version_id == polytechnique.active_version_id))
    assert "Caractéristiques des aéronefs" in set(titles)
    assert session.scalar(select(func.count()).select_from(CatalogVersion)) >= 4
