"""JSON responses for reference data, with a content ETag, Cache-Control and conditional GET."""

import hashlib
import json
from typing import Any

from fastapi import Request, Response
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel


def cached_json(
    request: Request, content: BaseModel | dict[str, Any], max_age: int, language: str | None = None
) -> Response:
    """Serialize `content`; answer 304 when the client's ``If-None-Match`` already has this body."""
    payload = content.model_dump(mode="json") if isinstance(content, BaseModel) else jsonable_encoder(content)
    body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
    etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
    headers = {"ETag": etag, "Cache-Control": f"public, max-age={max_age}", "Vary": "Accept-Language"}
    if language:
        headers["Content-Language"] = language
    client_etags = _client_etags(request.headers.get("if-none-match"))
    if etag in client_etags or "*" in client_etags:
        return Response(status_code=304, headers=headers)
    return Response(body, media_type="application/json", headers=headers)


def _client_etags(header: str | None) -> set[str]:
    if not header:
        return set()
    return {tag.strip().removeprefix("W/") for tag in header.split(",")}
