"""Percent-encoded text in the path and the query must be UTF-8, without NUL characters.

Servers decode invalid sequences (``%FF``) to U+FFFD silently, so a search for ``q=caf%E9`` would
look for "caf�"; and no database column can hold a NUL (``%00``). Such a request is answered
``422 invalid-request`` instead.
"""

from urllib.parse import unquote_to_bytes

from starlette.requests import Request
from starlette.types import ASGIApp, Receive, Scope, Send

from service.problems import validation_problem


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


class RejectInvalidUtf8:
    def __init__(self, app: ASGIApp):
        self.app = app

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
            if errors:
                # The instance is the path as sent (percent-encoded ASCII), not its lossy decoding.
                as_sent = {**scope, "path": (scope.get("raw_path") or b"").decode("latin-1") or scope["path"]}
                await validation_problem(Request(as_sent), errors)(scope, receive, send)
                return
        await self.app(scope, receive, send)
