"""Every request has an id, answered in `X-Request-ID` and written into every log line of the request
(`service.logging_config`) and into its problem+json answers (`request_id`).

The id is the request's own `X-Request-ID` when that is a plausible id (1 to `MAX_LENGTH` letters, digits,
`-`, `_`, `.` or `:`: a proxy's or a portal's id, a UUID), so that one request can be followed from the
portal or the reverse proxy to this log; anything else is replaced by a new id (a random UUID, as 32 hex
digits), so no text a client chose beyond that is ever echoed or logged.

asgi-correlation-id does the work: its middleware keeps the id in a context variable, which the
threads that serve the routes inherit. It would log each replaced id as a warning; the log
configuration silences that (a client's malformed header is no event worth a line, and a line per
request would let any client fill the log).
"""

import re
from uuid import uuid4

from asgi_correlation_id import CorrelationIdMiddleware
from asgi_correlation_id.context import correlation_id
from fastapi import FastAPI

HEADER = "X-Request-ID"
MAX_LENGTH = 64
VALID_ID = re.compile(rf"[A-Za-z0-9._:-]{{1,{MAX_LENGTH}}}")


def valid_request_id(value: str) -> bool:
    return VALID_ID.fullmatch(value) is not None


def new_request_id() -> str:
    return uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being handled, or None outside a request."""
    return correlation_id.get()


def add_request_ids(app: FastAPI) -> None:
    """Give every request an id (see the module's description); added last, it is the outermost
    middleware, so every other one, and the access log, sees the id."""
    app.add_middleware(
        CorrelationIdMiddleware,
        header_name=HEADER,
        generator=new_request_id,
        validator=valid_request_id,
        transformer=None,
    )
