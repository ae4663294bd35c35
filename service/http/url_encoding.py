"""Percent-encoded text in the path and the query must be UTF-8, without NUL characters.

Servers decode invalid sequences (``%FF``) to U+FFFD silently, so a search for ``q=caf%E9`` would
look for "caf�"; and no database column can hold a NUL (``%00``). Such a request is answered
``422 invalid-request`` instead, except that the public page's routes (`page_paths`), which answer
in HTML in the page's language, are handed a query they cannot read with the problems under
`UNREADABLE_QUERY` in the request's scope, and answer it themselves (a path that cannot be read is
never theirs).
"""

from collections.abc import Collection
from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.problems import validation_problem

UNREADABLE_QUERY = "lmi.unreadable_query"


def unreadable(encoded: bytes, plus_is_space: bool) -> str | None:
    """Why `encoded` is not percent-encoded UTF-8 text without NUL, or None."""
    if plus_is_space:
        encoded = encoded.replace(b"+", b" ")
    try:
        text = unquote_to_bytes(encoded).decode("utf-8")
    except UnicodeDecodeError as error:
        return f"is not UTF-8 once percent-decoded (byte {error.start + 1} of the decoded text)"
    if "\x00" in text:
        return f"contains a NUL character (character {text.index(chr(0)) + 1} of the decoded text)"
    return None


def unreadable_parameters(query_string: bytes) -> list[str]:
    """The names of the parameters of a query (``a=1&b=2``) whose name or value cannot be read, each
    as well as it can be read."""
    return [
        unquote_to_bytes(pair.partition(b"=")[0].replace(b"+", b" ")).decode("utf-8", "replace")
        for pair in query_string.split(b"&")
        if unreadable(pair, plus_is_space=True)
    ]


class RejectInvalidUtf8:
    def __init__(self, app: ASGIApp, page_paths: Collection[str] = ()):
        self.app = app
        self.page_paths = page_paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            errors = [
                {"location": location, "message": problem}
                for location, encoded, plus_is_space in (
                    ("path", scope.get("raw_path") or b"", False),
                    ("query", scope.get("query_string") or b"", True),
                )
                if (problem := unreadable(encoded, plus_is_space))
            ]
            if errors and scope["path"] in self.page_paths and all(error["location"] == "query" for error in errors):
                await self.app({**scope, UNREADABLE_QUERY: errors}, receive, send)
                return
            if errors:
                # The instance is the path as sent (percent-encoded ASCII), not its lossy decoding.
                as_sent = {**scope, "path": (scope.get("raw_path") or b"").decode("latin-1") or scope["path"]}
                await validation_problem(Request(as_sent), errors)(scope, receive, send)
                return
        await self.app(scope, receive, send)
