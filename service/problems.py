"""RFC 9457 problem details: every error the API returns is ``application/problem+json``.

`PROBLEM_TYPES` names each problem type the service answers, with the text of its page at
``/problems/{type}``; domain exceptions are mapped here to a type, a detail and, where it helps,
a hint (a link into the API) and other members. Domains know nothing of URLs: the links are
added here.
"""

import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from accounts.exceptions import InstitutionNotFound, NotAllowed, NotAuthenticated
from analytics.exceptions import InvalidPeriod, InvalidTarget, UnknownLink, UnknownTarget
from careers.exceptions import NoSkillsGiven
from catalog.exceptions import (
    CourseNotFound,
    InvalidCatalog,
    InvalidMapping,
    TooManyRows,
    UnreadableCatalog,
    UploadCancelled,
    UploadInterrupted,
    VersionNotFound,
)
from catalog.fields import RowError
from labour_market.exceptions import CrosswalkCodeNotFound, OccupationNotFound, UnknownRegion
from service.http.allow import allowed_methods
from service.http.json_body import unreadable_body_errors
from service.http.request_id import HEADER as REQUEST_ID_HEADER
from service.http.request_id import current_request_id
from service.http.trailing_slash import slash_redirect

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "/problems/"
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProblemType:
    status: int
    title: str
    description: str  # what the problem means and what to do about it, for its page


PROBLEM_TYPES: dict[str, ProblemType] = {
    "unknown-occupation": ProblemType(
        404,
        "Unknown occupation",
        "No NOC 2021 unit group has this code. Unit groups have five digits (31301). A four-digit code is "
        "read as NOC 2016: the answer names its NOC 2021 successors (`noc2021_codes`) and the crosswalk link "
        "(`hint`); a shorter NOC 2021 code is a group above the unit groups, listed at /v1/occupations.",
    ),
    "unknown-crosswalk-code": ProblemType(
        404,
        "Code not in the NOC 2016–2021 concordance",
        "The code is not a unit group of the official concordance in the direction asked. NOC 2016 unit "
        "groups have four digits (/v1/crosswalk/noc2016/7514), NOC 2021 unit groups five "
        "(/v1/crosswalk/noc2021/74102).",
    ),
    "unknown-region": ProblemType(
        422,
        "Unknown region",
        "The region is not Canada, a province or territory, or an economic region. Use an economic region "
        "(ER3530 or 3530), a province or territory (ER35, 35 or ON) or Canada (ER00, 00 or CA); /v1/regions "
        "lists them all.",
    ),
    "invalid-request": ProblemType(
        422,
        "Invalid request",
        "A parameter or the body does not have the expected form: `errors` lists each one with its "
        "location (`query.q`, `body.limit`) and what is wrong. Text must be valid UTF-8, percent-encoded "
        "or not, without NUL characters; a JSON body must be JSON, nesting arrays and objects at most 32 levels "
        "deep. A bad item of a batch search does not refuse the batch: it is "
        "answered in its place with this problem's `type`, `title`, `detail` and `errors` (`body.items.3.q`).",
    ),
    "request-too-large": ProblemType(
        413,
        "Request too large",
        "The request body is larger than the service accepts (`max_bytes`). Send fewer items per request.",
    ),
    "too-many-requests": ProblemType(
        429,
        "Too many requests",
        "More requests came from this client address, or with this API key, than the service's rate limits "
        "allow in the time window (`limit`). Wait the number of seconds the `Retry-After` header (and "
        "`retry_after`) gives, then go on. A portal calling from its server sends its API key: it is then "
        "limited per key, not per address. The operator sets the limits (`LMI_RATE_LIMIT_*`).",
    ),
    "unsupported-media-type": ProblemType(
        415,
        "Unsupported media type",
        "The body of this route must be JSON: send it with `Content-Type: application/json`.",
    ),
    "unauthorized": ProblemType(
        401,
        "API key required",
        "This route changes data: send an API key as `Authorization: Bearer <key>`. Keys are made with "
        "`lmi keys create` (admin, analyst) or `lmi institutions create` (an institution's key); a revoked "
        "key is refused.",
    ),
    "forbidden": ProblemType(
        403,
        "Not allowed for this key",
        "The key is valid but its role may not do this: an institution's key changes only that "
        "institution's catalog, an analyst's key changes no catalog.",
    ),
    "unknown-institution": ProblemType(
        404, "Unknown institution", "No institution has this id or slug. `lmi institutions list` shows them."
    ),
    "unknown-course": ProblemType(
        404,
        "Unknown course",
        "No current catalog has this course. A course is named `<institution slug>:<course_id>` "
        "(`coursera:Google | Google Data Analytics`, percent-encoded in a URL); "
        "/v1/institutions/{institution}/courses lists them.",
    ),
    "unknown-catalog-version": ProblemType(
        404,
        "Unknown catalog version",
        "The institution has no catalog version with this number; "
        "/v1/institutions/{institution}/catalog/versions lists them.",
    ),
    "unknown-job": ProblemType(
        404,
        "Unknown upload job",
        "The institution has no upload job with this id (the id of the `202` answer's `Location`).",
    ),
    "upload-interrupted": ProblemType(
        503,
        "Upload interrupted",
        "The upload job did not run to its end: the service process running it stopped (a restart, a "
        "deployment, a crash) before or while it ran. Its catalog is unchanged; upload the file again.",
    ),
    "invalid-catalog": ProblemType(
        422,
        "Invalid catalog",
        "Rows of the uploaded catalog failed their checks and nothing was changed: `errors` lists each "
        "problem with its `line` (CSV: the line of the file; JSON: the position of the course, from 1), "
        "`column` and `reason`. Fix them, or upload again with `on_error=skip` to import the good rows; "
        "`dry_run=true` checks without importing.",
    ),
    "no-skills": ProblemType(
        422,
        "No skills given",
        "A search by skills needs at least one skill: a list (`skills`, 1 to 50, each 1 to 200 characters) or a "
        "text (`text`, such as the skills section of a résumé) in which skills are separated by commas, "
        "semicolons, bullets or line breaks.",
    ),
    "unreadable-catalog": ProblemType(
        422,
        "Unreadable catalog",
        "The file as a whole cannot be read: it is not UTF-8 (or UTF-16 or UTF-32 with a byte-order mark) or "
        "Windows-1252 text, not CSV with a header line, or not JSON (a list of courses, nesting at most 16 levels "
        "deep). `line` says where, when known.",
    ),
    "invalid-mapping": ProblemType(
        422,
        "Invalid column mapping",
        "The `mapping` names an unknown field or a column the file does not have, or is not a JSON object "
        "from field names to a column name, a template, or an object with `column` (and `values`), "
        "`template` or `value`.",
    ),
    "too-many-rows": ProblemType(
        422,
        "Too many rows",
        "The catalog has more rows than one upload accepts (`limit`); split it or ask the operator to raise the limit.",
    ),
    "unknown-link": ProblemType(
        404,
        "Unknown tracked link",
        "The tracked link was not made by this service, was altered, or its record was deleted after the "
        "retention period (LMI_EVENT_RETENTION_DAYS). Nothing was logged. Ask for recommendations again.",
    ),
    "invalid-period": ProblemType(
        422,
        "Invalid period",
        "`from` must not be after `to`, and a period is at most three years long. Days are UTC dates, "
        "YYYY-MM-DD, both ends included.",
    ),
    "unknown-target": ProblemType(
        404, "Unknown target", "No analytics target has this id; GET /v1/analytics/targets lists them."
    ),
    "invalid-target": ProblemType(
        422,
        "Invalid target",
        "A target names one measure and one period, and either `change` (relative to a baseline period of "
        "the same length, by default the same days a year before) or `value` (an absolute goal).",
    ),
    "not-ready": ProblemType(
        503,
        "Service not ready",
        "The database is unreachable or its schema is behind this code's (run `lmi migrate`), or the reference "
        "data was not imported when the service started. Run `lmi import-reference`, then restart the service; "
        "`missing_sources` lists what is missing. From "
        "`/readyz`, `checks` says which part is not ready (`database`, `schema`, `reference_data`, `models`).",
    ),
    "database-unavailable": ProblemType(
        503,
        "Database unavailable",
        "The service could not reach its database just now, or the database could not write (it is restarting "
        "or failing over, its disk is full, or no connection came free in time). Try again after the seconds "
        "`Retry-After` gives (also `retry_after`); `/readyz` answers 200 once the database does. What this "
        "request would have stored may not be stored: send an event batch again with the same `event_id`s "
        "(a retry is counted once).",
    ),
    "metrics-not-allowed": ProblemType(
        403,
        "Metrics not allowed",
        "`/metrics` is for the operator's monitoring. While `LMI_METRICS_TOKEN` is unset it answers only on the "
        "machine itself (a loopback address); once set, it answers requests that send "
        "`Authorization: Bearer <LMI_METRICS_TOKEN>`, from anywhere.",
    ),
}


class ProblemError(Exception):
    """A problem the service itself raises; subclasses name its type."""

    problem_type: str = "invalid-request"

    def __init__(self, detail: str, **extensions: Any):
        super().__init__(detail)
        self.detail = detail
        self.extensions = extensions


class UnknownJob(ProblemError):
    problem_type = "unknown-job"


class NotReady(ProblemError):
    problem_type = "not-ready"


class MetricsNotAllowed(ProblemError):
    problem_type = "metrics-not-allowed"


class RequestTooLarge(ProblemError):
    problem_type = "request-too-large"


class UnsupportedMediaType(ProblemError):
    problem_type = "unsupported-media-type"


@dataclass(frozen=True)
class Problem:
    problem_type: str
    detail: str
    extensions: dict[str, Any]


def _occupation_not_found(error: OccupationNotFound) -> Problem:
    if error.noc2021_successors:
        extensions = {
            "hint": f"/v1/crosswalk/noc2016/{error.code}",
            "noc2021_codes": list(error.noc2021_successors),
        }
    elif error.broad_category is not None:
        extensions = {"hint": f"/v1/occupations?broad_category={error.broad_category}"}
    else:
        extensions = {"hint": "/v1/occupations"}
    return Problem("unknown-occupation", str(error), extensions)


def _crosswalk_code_not_found(error: CrosswalkCodeNotFound) -> Problem:
    if error.looks_like == "noc2021":
        advice = f"{error.code} looks like a NOC 2021 code; see /v1/crosswalk/noc2021/{error.code}"
    elif error.looks_like == "noc2016":
        advice = f"{error.code} looks like a NOC 2016 code; see /v1/crosswalk/noc2016/{error.code}"
    elif error.classification == "noc2016":
        advice = "NOC 2016 unit group codes have four digits, such as 3012"
    else:
        advice = "NOC 2021 unit group codes have five digits, such as 31301"
    return Problem("unknown-crosswalk-code", f"{error} {advice}.", {})


def _unknown_region(error: UnknownRegion) -> Problem:
    return Problem("unknown-region", str(error), {"hint": "/v1/regions"})


def _row_errors(errors: list[RowError]) -> list[dict[str, object]]:
    return [{"line": error.line, "column": error.column, "reason": error.reason} for error in errors]


def _invalid_catalog(error: InvalidCatalog) -> Problem:
    return Problem("invalid-catalog", str(error), {"rows": error.rows, "errors": _row_errors(error.errors)})


def _plain(problem_type: str) -> Callable[[Exception], Problem]:
    return lambda error: Problem(problem_type, str(error), {})


DOMAIN_PROBLEMS: dict[type[Exception], Callable[[Any], Problem]] = {
    OccupationNotFound: _occupation_not_found,
    CrosswalkCodeNotFound: _crosswalk_code_not_found,
    UnknownRegion: _unknown_region,
    NoSkillsGiven: _plain("no-skills"),
    NotAuthenticated: _plain("unauthorized"),
    NotAllowed: _plain("forbidden"),
    InstitutionNotFound: lambda error: Problem("unknown-institution", str(error), {"hint": "/v1/institutions"}),
    CourseNotFound: _plain("unknown-course"),
    VersionNotFound: _plain("unknown-catalog-version"),
    InvalidCatalog: _invalid_catalog,
    UnreadableCatalog: lambda error: Problem("unreadable-catalog", str(error), {"line": error.line}),
    InvalidMapping: _plain("invalid-mapping"),
    UnknownLink: _plain("unknown-link"),
    InvalidPeriod: _plain("invalid-period"),
    UnknownTarget: _plain("unknown-target"),
    InvalidTarget: _plain("invalid-target"),
    TooManyRows: lambda error: Problem("too-many-rows", str(error), {"rows": error.rows, "limit": error.limit}),
    UploadCancelled: _plain("upload-interrupted"),
    UploadInterrupted: _plain("upload-interrupted"),
}


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
    body["instance"] = request.url.path
    body.update(extensions)
    if (request_id := current_request_id()) is not None:
        body["request_id"] = request_id  # an extension member (RFC 9457 §3.2), as X-Request-ID: for support
    return JSONResponse(body, status_code=status, media_type=PROBLEM_MEDIA_TYPE)


def typed_problem_response(request: Request, problem_type: str, detail: str, **extensions: Any) -> JSONResponse:
    """The response of one of `PROBLEM_TYPES`."""
    known = PROBLEM_TYPES[problem_type]
    return problem_response(request, known.status, known.title, detail, problem_type, **extensions)


def validation_errors(details: Iterable[Mapping[str, Any]], *prefix: str | int) -> list[dict[str, str]]:
    """Pydantic's errors as ``{"location", "message"}``, located under `prefix` (``body.items.3``)."""
    return [
        {"location": ".".join(str(part) for part in (*prefix, *detail["loc"])), "message": detail["msg"]}
        for detail in details
    ]


def _validation_detail(errors: list[dict[str, str]]) -> str:
    return "; ".join(f"{error['location']}: {error['message']}" for error in errors)


def validation_problem(request: Request, errors: list[dict[str, str]]) -> JSONResponse:
    """`invalid-request` listing each error as ``{"location", "message"}``."""
    return typed_problem_response(request, "invalid-request", _validation_detail(errors), errors=errors)


def validation_problem_body(errors: list[dict[str, str]]) -> dict[str, Any]:
    """The members of an `invalid-request` problem about one part of a request answered as a whole
    (a bad item of a batch): type, title, detail and errors, without a status of its own."""
    return {
        "type": PROBLEM_TYPE_BASE + "invalid-request",
        "title": PROBLEM_TYPES["invalid-request"].title,
        "detail": _validation_detail(errors),
        "errors": errors,
    }


async def _handle_problem(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, ProblemError)
    return typed_problem_response(request, error.problem_type, error.detail, **error.extensions)


def domain_problem(error: Exception) -> Problem | None:
    """The problem a domain exception stands for, or None when it is none of theirs."""
    return next((present(error) for kind, present in DOMAIN_PROBLEMS.items() if isinstance(error, kind)), None)


def problem_body(problem: Problem) -> dict[str, Any]:
    """A problem's members, for a document that reports it without being its answer (a failed job)."""
    known = PROBLEM_TYPES[problem.problem_type]
    return {
        "type": PROBLEM_TYPE_BASE + problem.problem_type,
        "title": known.title,
        "status": known.status,
        "detail": problem.detail,
        **problem.extensions,
    }


INTERNAL_ERROR = {"type": "about:blank", "title": "Internal server error", "status": 500}


def job_problem(error: Exception) -> dict[str, Any]:
    """What a failed upload job reports: its error's problem, or an internal error's."""
    known = domain_problem(error)
    return problem_body(known) if known else INTERNAL_ERROR


async def _handle_domain_error(request: Request, error: Exception) -> JSONResponse:
    problem = domain_problem(error)
    assert problem is not None
    response = typed_problem_response(request, problem.problem_type, problem.detail, **problem.extensions)
    if problem.problem_type == "unauthorized":
        response.headers["WWW-Authenticate"] = "Bearer"
    return response


async def _handle_http_exception(request: Request, error: Exception) -> Response:
    assert isinstance(error, StarletteHTTPException)
    if error.status_code == 404 and (redirect := slash_redirect(request)):
        return redirect
    title = HTTPStatus(error.status_code).phrase
    detail = error.detail if isinstance(error.detail, str) and error.detail != title else None
    if detail is None and error.status_code == 404:
        detail = f"No route matches {request.url.path}; the API is described at /docs."
    elif detail is None and error.status_code == 405:
        detail = f"{request.method} is not allowed on {request.url.path}."
    response = problem_response(request, error.status_code, title, detail, None)
    if error.headers:
        response.headers.update(error.headers)
    if error.status_code == 405 and (allowed := allowed_methods(request)):
        response.headers["Allow"] = allowed
    return response


async def _handle_validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return validation_problem(request, validation_errors(error.errors()))


# SQLite's result codes of a database that cannot be read or written just now; its other OperationalErrors
# ("no such table", a syntax error) are mistakes, answered 500 as any other.
SQLITE_UNAVAILABLE = frozenset(
    (
        sqlite3.SQLITE_BUSY,
        sqlite3.SQLITE_LOCKED,
        sqlite3.SQLITE_IOERR,
        sqlite3.SQLITE_FULL,
        sqlite3.SQLITE_CANTOPEN,
        sqlite3.SQLITE_READONLY,
    )
)
DATABASE_RETRY_AFTER = 5  # seconds: about what a PostgreSQL restart takes


def database_unavailable(error: BaseException) -> bool:
    """The database cannot be reached or cannot write just now: a connection refused or lost (PostgreSQL
    restarting, failing over), a full disk or a locked file (SQLite), no pooled connection free in time."""
    if isinstance(error, PoolTimeout):
        return True
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if isinstance(error.orig, sqlite3.Error):
        code = error.orig.sqlite_errorcode & 0xFF  # the primary code of an extended one
        return isinstance(error, OperationalError) and code in SQLITE_UNAVAILABLE
    return isinstance(error, OperationalError)


def _database_unavailable_response(request: Request, error: Exception) -> JSONResponse:
    cause = error.orig if isinstance(error, DBAPIError) else error
    # One line, without the statement or its parameters (what people typed is never logged).
    logger.warning(
        "database unavailable on %s: %s: %s",
        request.url.path,
        type(cause).__name__,
        (str(cause).splitlines() or [""])[0],
    )
    response = typed_problem_response(
        request,
        "database-unavailable",
        f"The database is unavailable just now; try again in {DATABASE_RETRY_AFTER} s.",
        retry_after=DATABASE_RETRY_AFTER,
    )
    response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER)
    return response


async def _handle_database_error(request: Request, error: Exception) -> Response:
    """`database-unavailable` (503, with Retry-After) when the database cannot answer just now; any other
    database error goes on to be answered as an unexpected one (500, logged)."""
    if not database_unavailable(error):
        raise error
    return _database_unavailable_response(request, error)


async def _handle_unexpected(request: Request, error: Exception) -> JSONResponse:
    if database_unavailable(error):  # raised outside the routes (by a middleware): answered as in them
        response = _database_unavailable_response(request, error)
    else:
        logger.exception("unhandled error on %s", request.url.path, exc_info=error)
        response = problem_response(request, 500, "Internal server error", "The error has been logged.", None)
    # Answered outside every middleware (by Starlette's ServerErrorMiddleware): the request id's adds no header.
    if (request_id := current_request_id()) is not None:
        response.headers[REQUEST_ID_HEADER] = request_id
    return response


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _handle_problem)
    for domain_error in DOMAIN_PROBLEMS:
        app.add_exception_handler(domain_error, _handle_domain_error)
    app.add_exception_handler(StarletteHTTPException, _handle_http_exception)
    app.add_exception_handler(RequestValidationError, _handle_validation_error)
    app.add_exception_handler(DBAPIError, _handle_database_error)
    app.add_exception_handler(PoolTimeout, _handle_database_error)
    app.add_exception_handler(Exception, _handle_unexpected)
    app.add_exception_handler(400, _handle_unreadable_body)


async def _handle_unreadable_body(request: Request, error: Exception) -> Response:
    """FastAPI answers 400 to a JSON body its parser raised on (not UTF-8, or nested so deep that the
    parser's recursion stopped), the parser's exception as the cause: that is `invalid-request`, as
    a body that is not JSON is. Any other 400 is answered as usual."""
    assert isinstance(error, StarletteHTTPException)
    errors = unreadable_body_errors(error.__cause__)
    if errors is None:
        return await _handle_http_exception(request, error)
    return validation_problem(request, errors)
