"""The OpenAPI document, saying what the service does: error answers are problem+json."""

from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from service.problems import PROBLEM_MEDIA_TYPE


def problem_media_types(schema: dict[str, Any]) -> dict[str, Any]:
    """Error answers (4xx, 5xx) declared as JSON are problem+json."""
    for path_item in schema.get("paths", {}).values():
        for operation in path_item.values():
            for status, response in operation.get("responses", {}).items():
                content = response.get("content", {})
                if status[0] in "45" and "application/json" in content:
                    content[PROBLEM_MEDIA_TYPE] = content.pop("application/json")
    return schema


TOO_MANY_REQUESTS = {
    "description": "Over the rate limit of the client address or the API key (problem+json `too-many-requests`); "
    "`Retry-After` says when to try again",
    "headers": {"Retry-After": {"description": "Seconds to wait", "schema": {"type": "integer", "minimum": 1}}},
    "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
}


def rate_limited(schema: dict[str, Any]) -> dict[str, Any]:
    """Every route may answer 429: the rate limits apply to all (service.http.rate_limit)."""
    for path, path_item in schema.get("paths", {}).items():
        if path in ("/healthz", "/readyz"):
            continue
        for operation in path_item.values():
            operation.setdefault("responses", {})["429"] = TOO_MANY_REQUESTS
    return schema


def install_openapi(app: FastAPI) -> None:
    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
            app.openapi_schema = rate_limited(problem_media_types(schema))
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
