"""RFC 9457 problem details: every error the API returns is ``application/problem+json``."""

import logging
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/problems/"
logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """An error with a problem type; subclasses name the type, title and status of a domain error."""

    status: int = 400
    problem_type: str = "bad-request"
    title: str = "Bad request"

    def __init__(self, detail: str, **extensions: Any):
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class InvalidParameter(ProblemError):
    status = 422
    problem_type = "invalid-parameter"
    title = "Invalid parameter"


def problem_response(
    request: Request, status: int, title: str, detail: str | None, problem_type: str | None, **extensions: Any
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + problem_type if problem_type else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    body["instance"] = str(request.url.path)
    body.update(extensions)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


async def _handle_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return problem_response(request, error.status, error.title, error.detail, error.problem_type, **error.extensions)


async def _handle_http_exception(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, StarletteHTTPException)
    title = HTTPStatus(error.status_code).phrase
    detail = error.detail if isinstance(error.detail, str) and error.detail != title else None
    if detail is None and error.status_code == 404:
        detail = f"No route matches {request.url.path}; the API is described at /docs."
    elif detail is None and error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    response = problem_response(request, error.status_code, title, detail, None)
    if error.headers:
        response.headers.update(error.headers)
    return response


async def _handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    errors = [
        {"location": ".".join(str(part) for part in item["loc"]), "message": item["msg"]}
        for item in error.errors()
    ]
    detail = "; ".join(f"{e['location']}: {e['message']}" for e in errors)
    return problem_response(request, 422, "Invalid request", detail, "invalid-request", errors=errors)


async def _handle_unexpected(request: Request, error: Exception) -> JSONResponse:
    logger.exception("unhandled error on %s", request.url.path, exc_info=error)
    return problem_response(request, 500, "Internal server error", "The error has been logged.", None)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _handle_problem)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(Exception, _handle_unexpected)
