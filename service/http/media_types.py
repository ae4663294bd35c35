"""Checking the media type of a request body."""

from fastapi import Request

from service.problems import UnsupportedMediaType

JSON = "application/json"


def require_json(request: Request) -> None:
    """A dependency: the body must be sent as ``application/json`` (or a ``+json`` type)."""
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type != JSON and not (media_type.startswith("application/") and media_type.endswith("+json")):
        sent = f"Content-Type {media_type!r}" if media_type else "no Content-Type"
        raise UnsupportedMediaType(f"The body must be JSON sent as {JSON}; the request has {sent}.", accept=JSON)
