"""`/v1/institutions/{institution}/catalog` (upload, versions, rollback), `/v1/institutions/{institution}/courses`
and `/v1/courses/{course}`. Changing a catalog needs the institution's key (or an admin's); reading does not."""

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query
from fastapi.responses import JSONResponse

from accounts.institutions import find_institution
from catalog import versions
from catalog.jobs import JobState, start_upload
from catalog.mapping import parse_mapping
from catalog.uploads import UploadResult
from catalog.versions import LinkedOccupation
from models.accounts import Institution
from models.catalog import CatalogVersion, Course, CourseTagging
from service.api.catalog.dependencies import AppSkillSpace, CatalogFormat, OwnedInstitution, RawBody, UploadJobs
from service.api.catalog.schemas import (
    CourseOut,
    CoursePageOut,
    DescriptorCoverageOut,
    InstitutionListOut,
    InstitutionOut,
    InstitutionSummaryOut,
    JobOut,
    LinkedOccupationOut,
    RowErrorOut,
    SkillTagOut,
    UploadOut,
    VersionOut,
    VersionsOut,
)
from service.api.responses import problem_responses
from service.http.dependencies import AppSettings, DbSession, SessionFactory
from service.problems import UnknownJob

router = APIRouter(tags=["catalogs"])
InstitutionRef = Annotated[str, Path(description="The institution's id or slug.", examples=["coursera"])]
CATALOG_BODY = {
    "requestBody": {
        "required": True,
        "description": "The catalog: CSV with a header line (comma, semicolon or tab; UTF-8 or Windows-1252) "
        'or JSON (a list of course objects, or {"courses": [...]}).',
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/json": {
                "schema": {"oneOf": [{"type": "array", "items": {"type": "object"}}, {"type": "object"}]}
            },
        },
    }
}


def institution_out(institution: Institution) -> InstitutionOut:
    return InstitutionOut(id=institution.id, slug=institution.slug, name=institution.name)


def version_out(version: CatalogVersion, active: bool) -> VersionOut:
    return VersionOut(
        number=version.number,
        created_at=version.created_at,
        source=version.source,
        course_count=version.course_count,
        skipped_rows=version.skipped_rows,
        active=active,
    )


COMPUTED = ("id", "institution", "occupations", "tagged", "tags", "descriptors")


def course_out(
    institution: Institution, course: Course, occupations: list[LinkedOccupation], tagging: CourseTagging | None
) -> CourseOut:
    descriptors = sorted((tagging.descriptors if tagging else {}).items(), key=lambda item: (-item[1], item[0]))
    return CourseOut(
        id=f"{institution.slug}:{course.course_id}",
        institution=institution_out(institution),
        occupations=[LinkedOccupationOut.model_validate(link, from_attributes=True) for link in occupations],
        tagged=tagging is not None,
        tags=[SkillTagOut.model_validate(tag) for tag in (tagging.tags if tagging else [])],
        descriptors=[
            DescriptorCoverageOut(id=descriptor, label=descriptor.split(":", 2)[-1], coverage=coverage)
            for descriptor, coverage in descriptors
        ],
        **{name: getattr(course, name) for name in CourseOut.model_fields if name not in COMPUTED},
    )


@router.get(
    "/institutions",
    response_model=InstitutionListOut,
    summary="The institutions, with their active catalog version and course count",
    responses=problem_responses(422),
)
def get_institutions(session: DbSession) -> InstitutionListOut:
    return InstitutionListOut(
        items=[
            InstitutionSummaryOut(
                id=summary.institution.id,
                slug=summary.institution.slug,
                name=summary.institution.name,
                version=summary.version.number if summary.version else None,
                courses=summary.version.course_count if summary.version else 0,
            )
            for summary in versions.institutions_with_catalogs(session)
        ]
    )


@router.put(
    "/institutions/{institution}/catalog",
    response_model=UploadOut,
    summary="Upload a catalog (CSV or JSON) as the institution's new version",
    responses={
        202: {"model": JobOut, "description": "The upload takes longer: it goes on as a job (see `Location`)."},
        **problem_responses(401, 403, 404, 413, 415, 422),
    },
    openapi_extra=CATALOG_BODY,
)
def put_catalog(
    session: DbSession,
    session_factory: SessionFactory,
    settings: AppSettings,
    upload_jobs: UploadJobs,
    skill_space: AppSkillSpace,
    found: OwnedInstitution,
    body: RawBody,
    media: CatalogFormat,
    dry_run: Annotated[bool, Query(description="Check every row, change nothing.")] = False,
    on_error: Annotated[
        Literal["reject", "skip"],
        Query(description="reject: any bad row changes nothing (422); skip: import the good rows, report the rest."),
    ] = "reject",
    mapping: Annotated[
        str | None,
        Query(
            max_length=10_000,
            description='JSON object from field names to the file\'s columns: {"title": "Course title", '
            '"url": {"template": "https://example.ca/courses/{Code}"}, "language": {"value": "fr"}}.',
        ),
    ] = None,
) -> UploadOut | JSONResponse:
    file_format, charset = media
    fields = parse_mapping(mapping) if mapping is not None else None
    job = start_upload(
        upload_jobs, session_factory, found.id, body, file_format,
        skill_space=skill_space, charset=charset, mapping=fields, dry_run=dry_run, on_error=on_error, source="api",
    )  # fmt: skip
    if not job.wait(settings.upload_wait_seconds):
        state = upload_jobs.get(job.id)
        assert state is not None  # recorded before it was queued
        answer = job_out(found, state)
        return JSONResponse(answer.model_dump(mode="json"), status_code=202, headers={"Location": answer.href})
    if job.error is not None:
        raise job.error
    assert job.result is not None
    return upload_out(found, job.result)


def upload_out(institution: Institution, result: UploadResult) -> UploadOut:
    return UploadOut(
        institution=institution_out(institution),
        version=result.version,
        dry_run=result.dry_run,
        rows=result.rows,
        courses=result.courses,
        skipped=result.skipped,
        errors=[RowErrorOut(line=e.line, column=e.column, reason=e.reason) for e in result.errors],
    )


def job_out(institution: Institution, job: JobState) -> JobOut:
    return JobOut(
        id=job.id,
        href=f"/v1/institutions/{institution.slug}/catalog/jobs/{job.id}",
        status=job.status,
        courses_tagged=job.courses_tagged,
        rows_written=job.rows_written,
        created_at=job.created_at,
        finished_at=job.finished_at,
        result=upload_out(institution, job.result) if job.result else None,
        problem=job.problem,
    )


@router.get(
    "/institutions/{institution}/catalog/jobs/{job}",
    response_model=JobOut,
    summary="A catalog upload that is still running, or how it ended",
    responses=problem_responses(401, 403, 404, 422),
)
def get_job(
    upload_jobs: UploadJobs,
    found: OwnedInstitution,
    job: Annotated[str, Path(description="The job's id, from the 202 answer of the upload.")],
) -> JobOut:
    state = upload_jobs.get(job)
    if state is None or state.institution_id != found.id:
        raise UnknownJob(f"{found.slug} has no upload job {job!r}.")
    return job_out(found, state)


@router.get(
    "/institutions/{institution}/catalog/versions",
    response_model=VersionsOut,
    summary="The institution's catalog versions, oldest first",
    responses=problem_responses(404, 422),
)
def list_versions(session: DbSession, institution: InstitutionRef) -> VersionsOut:
    found = find_institution(session, institution)
    return VersionsOut(
        institution=institution_out(found),
        versions=[
            version_out(version, active=version.id == found.active_version_id)
            for version in versions.versions(session, found)
        ],
    )


@router.post(
    "/institutions/{institution}/catalog/rollback",
    response_model=VersionOut,
    summary="Make an earlier catalog version the active one again",
    responses=problem_responses(401, 403, 404, 422),
)
def rollback(
    session: DbSession,
    found: OwnedInstitution,
    version: Annotated[int, Query(ge=1, le=1_000_000, description="The version number to restore.")],
) -> VersionOut:
    restored = versions.rollback_catalog(session, found, version)
    session.commit()
    return version_out(restored, active=True)


@router.get(
    "/institutions/{institution}/courses",
    response_model=CoursePageOut,
    summary="The courses of the institution's active catalog, in file order",
    responses=problem_responses(404, 422),
)
def list_courses(
    session: DbSession,
    institution: InstitutionRef,
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> CoursePageOut:
    found = find_institution(session, institution)
    listing = versions.list_courses(session, found, page, per_page)
    return CoursePageOut(
        institution=institution_out(found),
        version=listing.version.number if listing.version else None,
        items=[
            course_out(found, course, listing.occupations[course.id], listing.taggings.get(course.id))
            for course in listing.courses
        ],
        page=page,
        per_page=per_page,
        total=listing.total,
    )


@router.get(
    "/courses/{course:path}",
    response_model=CourseOut,
    summary="One course of a current catalog: `<institution slug>:<course_id>`",
    responses=problem_responses(404, 422),
)
def get_course(
    session: DbSession,
    course: Annotated[str, Path(description="`<institution slug>:<course_id>`", examples=["viu:9185"])],
) -> CourseOut:
    institution, found = versions.find_course(session, course)
    return course_out(
        institution,
        found,
        versions.linked_occupations(session, [found])[found.id],
        versions.course_taggings(session, [found]).get(found.id),
    )
