"""Request dependencies of the catalog routes: the raw body and its format."""

from typing import Annotated

from fastapi import Depends, Path, Request

from accounts.institutions import find_institution
from catalog.jobs import JobRunner
from catalog.reading import Format
from catalog.skill_space import SkillSpace
from models.accounts import Institution
from service.http.auth import CurrentPrincipal
from service.http.dependencies import AppModels, DbSession
from service.problems import UnsupportedMediaType

MEDIA_TYPES: dict[str, Format] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "text/plain": "csv",
    "application/json": "json",
}


async def raw_body(request: Request) -> bytes:
    return await request.body()


def catalog_format(request: Request) -> tuple[Format, str | None]:
    """The file format from the Content-Type (CSV or JSON), and its charset if given."""
    media_type, _, parameters = request.headers.get("content-type", "").partition(";")
    file_format = MEDIA_TYPES.get(media_type.strip().lower())
    if file_format is None:
        sent = f"Content-Type {media_type.strip()!r}" if media_type.strip() else "no Content-Type"
        raise UnsupportedMediaType(
            f"A catalog is sent as text/csv or application/json; the request has {sent}.",
            accept="text/csv, application/json",
        )
    name, _, value = parameters.strip().partition("=")
    charset = value.strip().strip('"') if name.strip().lower() == "charset" and value.strip() else None
    return file_format, charset


RawBody = Annotated[bytes, Depends(raw_body)]
CatalogFormat = Annotated[tuple[Format, str | None], Depends(catalog_format)]


def get_upload_jobs(request: Request) -> JobRunner:
    runner: JobRunner = request.app.state.upload_jobs
    return runner


UploadJobs = Annotated[JobRunner, Depends(get_upload_jobs)]


def owned_institution(
    session: DbSession,
    principal: CurrentPrincipal,
    institution: Annotated[str, Path(description="The institution's id or slug.", examples=["coursera"])],
) -> Institution:
    """The institution named in the path, when the request's key may change its catalog."""
    found = find_institution(session, institution)
    principal.require_catalog_of(found.id)
    return found


OwnedInstitution = Annotated[Institution, Depends(owned_institution)]


def get_skill_space(models: AppModels) -> SkillSpace | None:
    """The skill space uploads are tagged in; None leaves new catalogs untagged until it is loaded (they
    are tagged then)."""
    return models.skill_space


AppSkillSpace = Annotated[SkillSpace | None, Depends(get_skill_space)]
