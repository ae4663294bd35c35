"""The problem+json answers of the routes, as the OpenAPI document describes them."""

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Problem(BaseModel):
    """RFC 9457 problem details; some types add members (`hint`, `noc2021_codes`, `missing_sources`…)."""

    model_config = ConfigDict(
        extra="allow",
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/unknown-occupation",
                    "title": "Unknown occupation",
                    "status": 404,
                    "detail": "7514 looks like a NOC 2016 code; NOC 2021 unit groups have five digits. "
                    "It corresponds to NOC 2021 74102, 75201.",
                    "instance": "/v1/occupations/7514",
                    "hint": "/v1/crosswalk/noc2016/7514",
                    "noc2021_codes": ["74102", "75201"],
                }
            ]
        },
    )

    type: str = Field(
        description="A URI reference: /problems/{type} explains the problem; about:blank for plain HTTP errors."
    )
    title: str
    status: int
    detail: str | None = None
    instance: str = Field(description="The path of the request.")
    hint: str | None = Field(default=None, description="Where to look instead: a link into the API.")
    request_id: str | None = Field(
        default=None, description="The request's id, as in the `X-Request-ID` header: quote it to report a problem."
    )


class ValidationErrorItem(BaseModel):
    location: str = Field(description="Where: `query.q`, `body.items.3.q`, `path.noc_code`…")
    message: str


class ValidationProblem(Problem):
    """`invalid-request`: every error of the request, each with its location."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "type": "/problems/invalid-request",
                    "title": "Invalid request",
                    "status": 422,
                    "detail": "query.q: Value error, must contain a non-space character",
                    "instance": "/v1/occupations/search",
                    "errors": [{"location": "query.q", "message": "Value error, must contain a non-space character"}],
                }
            ]
        }
    )

    errors: list[ValidationErrorItem]


DESCRIPTIONS = {
    401: "No API key, or an unknown or revoked one (problem+json, with `WWW-Authenticate: Bearer`)",
    403: "The key's role may not do this (problem+json)",
    404: "Not found (problem+json)",
    413: "The request body is too large (problem+json)",
    415: "The body is not sent as application/json (problem+json)",
    422: "Invalid request (problem+json): `invalid-request` with `errors`, or a type of its own "
    "(`unknown-region`, `invalid-catalog` with `errors`, `invalid-mapping`…)",
    503: "The reference data was not imported when the service started (problem+json)",
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """The `responses` of a route that answers these problem statuses."""
    return {
        status: {
            "model": ValidationProblem | Problem if status == 422 else Problem,
            "description": DESCRIPTIONS[status],
        }
        for status in statuses
    }
