"""HEAD on every GET route: the GET answer's status and headers, without its body (RFC 9110 §9.3.2)."""

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEAD_REQUEST = "lmi.head_request"


class HeadAsGet:
    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def send_without_body(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET", HEAD_REQUEST: True}, receive, send_without_body)


def is_head_request(scope: Scope) -> bool:
    """Whether a GET being answered is really a HEAD (a route with side effects, such as logging a
    click, skips them)."""
    return bool(scope.get(HEAD_REQUEST))
