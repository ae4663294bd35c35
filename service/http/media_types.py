"""Checking the media type of a request body, and that a JSON body is not nested too deep."""

from fastapi import Request
from fastapi.exceptions import RequestValidationError

from service.http.json_body import too_deep
from service.problems import UnsupportedMediaType

JSON = "application/json"


async def require_json(request: Request) -> None:
    """A dependency: the body must be sent as ``application/json`` (or a ``+json`` type), and nest
    arrays and objects at most `MAX_JSON_DEPTH` levels (``422 invalid-request`` otherwise)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != JSON and not (media_type.startswith("application/") and media_type.endswith("+json")):
        sent = f"Content-Type {media_type!r}" if media_type else "no Content-Type"
        raise UnsupportedMediaType(f"The body must be JSON sent as {JSON}; the request has {sent}.", accept=JSON)
    # FastAPI has read and parsed the body already (dependencies run after it): both are kept on the request.
    if await request.body() and (errors := too_deep(await request.json())):
        raise RequestValidationError(
            [{"type": "json_too_deep", "loc": (error["location"],), "msg": error["message"]} for error in errors]
        )
