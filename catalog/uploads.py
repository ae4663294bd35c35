"""Uploading a catalog: read, map, check every row, then write a new version and make it the active one.

The new version's courses and the switch of the institution's active version are written in one
short transaction, after the slow tagging (no transaction is open while courses are embedded):
readers see the old catalog or the new one, never a mix, and an upload that fails (or a process
killed mid-way) leaves the old one serving. Earlier versions are kept.
"""

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, replace
from typing import Literal

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.exceptions import InvalidCatalog, TooManyRows
from catalog.fields import CourseRecord, RowError
from catalog.linking import OccupationLink, given_links
from catalog.mapping import FieldSource, compile_mapping
from catalog.reading import Format, RawRow, read_table
from catalog.reference_codes import read_reference_codes
from catalog.skill_space import SkillSpace
from catalog.tagging import CourseText, Tagging, tag_courses
from catalog.validation import ReferenceCodes, check_row
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseOccupation, CourseTagging

OnError = Literal["reject", "skip"]
MAX_ROWS = 20_000
INSERT_CHUNK = 1000
TAGGED = "tagged"
WRITTEN = "written"
Progress = Callable[[str, int], object]  # told how many more courses were tagged (TAGGED) or written (WRITTEN)


@dataclass(frozen=True)
class UploadResult:
    institution_id: int
    version: int | None  # None for a dry run
    dry_run: bool
    rows: int
    courses: int
    skipped: int
    errors: list[RowError]


@dataclass(frozen=True)
class CheckedCatalog:
    """A catalog read and checked against the reference data, ready to tag and write."""

    institution_id: int
    records: list[CourseRecord]
    codes: ReferenceCodes
    result: UploadResult


def upload_catalog(
    session_factory: sessionmaker[Session],
    institution_id: int,
    content: bytes,
    file_format: Format,
    *,
    charset: str | None = None,
    mapping: Mapping[str, object] | None = None,
    source: str = "api",
    dry_run: bool = False,
    on_error: OnError = "reject",
    max_rows: int = MAX_ROWS,
    progress: Progress | None = None,
    skill_space: SkillSpace | None = None,
) -> UploadResult:
    """Check the catalog and, unless `dry_run`, add it as the institution's new active version.

    Owns its units of work: the catalog is checked in a short read, tagged with no transaction open
    (the slow part: every course is embedded, minutes for a large catalog), then written with its
    tags, and made the active version, in one short transaction committed here. Without a
    `skill_space` the courses are written untagged and tagged later (see `catalog.retagging`).

    Raises UnreadableCatalog, InvalidMapping, TooManyRows, or InvalidCatalog (a bad row while
    `on_error` is "reject", or no good row at all).
    """
    with session_factory() as session:
        checked = check_catalog(
            session, institution_id, content, file_format, charset=charset, mapping=mapping, dry_run=dry_run,
            on_error=on_error, max_rows=max_rows,
        )  # fmt: skip
    if dry_run:
        return checked.result
    taggings = None
    if skill_space is not None:
        tagged = None if progress is None else (lambda count: progress(TAGGED, count))
        taggings = tag_courses(skill_space, [text_of(record) for record in checked.records], tagged)
    with session_factory.begin() as session:
        number = write_catalog(
            session, checked, taggings, source, progress, skill_space.key if skill_space is not None else None
        )
    return replace(checked.result, version=number)


def check_catalog(
    session: Session,
    institution_id: int,
    content: bytes,
    file_format: Format,
    *,
    charset: str | None = None,
    mapping: Mapping[str, object] | None = None,
    dry_run: bool = False,
    on_error: OnError = "reject",
    max_rows: int = MAX_ROWS,
) -> CheckedCatalog:
    """Read, map and check every row (reads the reference codes; writes nothing)."""
    table = read_table(content, file_format, charset)
    if len(table.rows) + len(table.problems) > max_rows:
        raise TooManyRows(len(table.rows) + len(table.problems), max_rows)
    sources = compile_mapping(mapping, table.columns)
    codes = read_reference_codes(session)
    records, errors = _checked(table.rows, sources, codes)
    errors = sorted([*table.problems, *errors], key=lambda error: error.line)
    rows = len(table.rows) + len(table.problems)
    if (errors and on_error == "reject") or not records:
        raise InvalidCatalog(errors or [RowError(1, None, "the catalog has no course")], rows)
    result = UploadResult(institution_id, None, dry_run, rows, len(records), rows - len(records), errors)
    return CheckedCatalog(institution_id, records, codes, result)


def write_catalog(
    session: Session,
    checked: CheckedCatalog,
    taggings: list[Tagging] | None,
    source: str,
    progress: Progress | None = None,
    tagging_key: str | None = None,
) -> int:
    """Write the checked catalog as the institution's new version and make it the active one; returns
    its number. Flushes; the caller's transaction commits."""
    institution = session.get_one(Institution, checked.institution_id)
    version = _write_version(
        session, institution, checked.records, checked.codes, source, checked.result.skipped, progress, taggings
    )
    version.tagging_key = tagging_key
    session.flush()
    return version.number


def text_of(record: CourseRecord) -> CourseText:
    return CourseText(record.title, record.description, record.skills, bool(record.noc_codes))


def text_of_course(course: Course) -> CourseText:
    return CourseText(course.title, course.description, [str(tag) for tag in course.skills], bool(course.noc_codes))


def _checked(
    rows: list[RawRow], sources: dict[str, FieldSource], codes: ReferenceCodes
) -> tuple[list[CourseRecord], list[RowError]]:
    records: list[CourseRecord] = []
    errors: list[RowError] = []
    first_line: dict[str, int] = {}
    for row in rows:
        checked = check_row(row.line, row.cells, sources, codes)
        if isinstance(checked, list):
            errors.extend(checked)
        elif checked.course_id in first_line:
            column = sources["course_id"].column or "course_id"
            errors.append(
                RowError(
                    row.line,
                    column,
                    f"duplicate course_id {checked.course_id!r}: line {first_line[checked.course_id]} has it",
                )
            )
        else:
            first_line[checked.course_id] = row.line
            records.append(checked)
    return records, errors


def _write_version(
    session: Session,
    institution: Institution,
    records: list[CourseRecord],
    codes: ReferenceCodes,
    source: str,
    skipped: int,
    progress: Progress | None,
    taggings: list[Tagging] | None,
) -> CatalogVersion:
    latest = session.scalar(
        select(func.max(CatalogVersion.number)).where(CatalogVersion.institution_id == institution.id)
    )
    version = CatalogVersion(
        institution_id=institution.id,
        number=(latest or 0) + 1,
        created_at=dt.datetime.now(dt.UTC),
        source=source[:300],
        course_count=len(records),
        skipped_rows=skipped,
    )
    session.add(version)
    session.flush()
    for start in range(0, len(records), INSERT_CHUNK):
        chunk = records[start : start + INSERT_CHUNK]
        ids = session.scalars(
            insert(Course).returning(Course.id, sort_by_parameter_order=True),
            [{**asdict(record), "version_id": version.id} for record in chunk],
        ).all()
        chunk_taggings = taggings[start : start + INSERT_CHUNK] if taggings is not None else None
        links = [
            {"course_id": course_id, **asdict(link)}
            for course_id, record in zip(ids, chunk, strict=True)
            for link in given_links(record.noc_codes, codes.noc2016_successors)
        ]
        if chunk_taggings is not None:
            write_taggings(session, ids, chunk_taggings)
        if links:
            session.execute(insert(CourseOccupation), links)
        if progress is not None:
            progress(WRITTEN, len(chunk))
    institution.active_version_id = version.id
    session.flush()
    return version


def write_taggings(session: Session, course_ids: Sequence[int], taggings: Sequence[Tagging]) -> None:
    """Store the tags, descriptor coverage and vector of each course, and its inferred links."""
    session.execute(
        insert(CourseTagging),
        [
            {
                "course_id": course_id,
                "tags": [asdict(tag) for tag in tagging.tags],
                "descriptors": tagging.descriptors,
                "vector": tagging.vector.astype("float32").tobytes(),
            }
            for course_id, tagging in zip(course_ids, taggings, strict=True)
        ],
    )
    links: list[tuple[int, OccupationLink]] = [
        (course_id, link) for course_id, tagging in zip(course_ids, taggings, strict=True) for link in tagging.links
    ]
    if links:
        session.execute(
            insert(CourseOccupation), [{"course_id": course_id, **asdict(link)} for course_id, link in links]
        )
