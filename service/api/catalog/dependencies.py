"""Request dependencies of the catalog routes: the raw body and its format."""

from typing import Annotated

from fastapi import Depends, Request

from catalog.jobs import JobRunner
from catalog.reading import Format
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
