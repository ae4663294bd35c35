"""A bound on the size of request bodies: larger ones are answered 413 before the route reads them.

Some routes take larger bodies (catalog uploads): `larger` gives them their own bound by path.
"""

import re
from collections.abc import Sequence

from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.problems import typed_problem_response


class BodySizeLimit:
    """Answers ``413 request-too-large`` to a body over `max_bytes`.

    A declared Content-Length is checked at once; a chunked body is read up to the bound (never
    further) and handed on only if it fits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, larger: Sequence[tuple[re.Pattern[str], int]] = ()):
        self.app = app
        self.max_bytes = max_bytes
        self.larger = larger

    def bound(self, path: str) -> int:
        return next((limit for pattern, limit in self.larger if pattern.fullmatch(path)), self.max_bytes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.bound(scope["path"])
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None:
            if declared.isdigit() and int(declared) > max_bytes:
                await self._too_large(scope, receive, send, max_bytes)
                return
            await self.app(scope, receive, send)
            return
        messages: list[Message] = []
        size = 0
        while True:
            message = await receive()
            messages.append(message)
            size += len(message.get("body", b""))
            if size > max_bytes:
                await self._too_large(scope, receive, send, max_bytes)
                return
            if message["type"] != "http.request" or not message.get("more_body", False):
                break

        async def replay() -> Message:
            return messages.pop(0) if messages else await receive()

        await self.app(scope, replay, send)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, max_bytes: int) -> None:
        response = typed_problem_response(
            Request(scope),
            "request-too-large",
            f"The request body is larger than {max_bytes:,} bytes.",
            max_bytes=max_bytes,
        )
        await response(scope, receive, send)
