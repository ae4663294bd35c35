"""Every answer counted (service.metrics) and logged (logger `service.access`), by route template.

The route is named by its template (`/v1/occupations/{noc_code}`), never by the path as sent: a path
may hold ids and a query what a person typed, and a template keeps the metrics' labels few. A path no
route matches is `unmatched`. The middleware sits outside every other one but the request id's, so
that the answers they make themselves (a `429`, a `413`, a preflight) are counted too; a request
whose handling raised is counted as the `500` it is answered with.

The access line says the method, route, status and duration (and, in JSON, has them as fields); never
the query, the client's address or any header. The probes and the scrapes (`/healthz`, `/readyz`,
`/metrics`), which come every few seconds, are logged at DEBUG.
"""

import logging
import re
import time
from collections.abc import Iterable
from dataclasses import dataclass

from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.metrics import method_label, observe_request

UNMATCHED = "unmatched"
QUIET_PATHS = frozenset(("/healthz", "/readyz", "/metrics"))
access_logger = logging.getLogger("service.access")


@dataclass(frozen=True)
class RouteTemplate:
    pattern: re.Pattern[str]
    template: str
    methods: frozenset[str] | None  # None: any method (a mount)

    def answers(self, method: str) -> bool:
        return self.methods is None or method in self.methods


def route_templates(routes: Iterable[BaseRoute]) -> list[RouteTemplate]:
    """The app's routes in match order, each with its full path template (the prefixes of the routers
    it was included through added)."""
    try:  # FastAPI 0.16x includes routers lazily: their routes' full paths are in their contexts.
        from fastapi.routing import iter_route_contexts  # noqa: PLC0415

        flattened: Iterable[object] = iter_route_contexts(list(routes))
    except ImportError:  # earlier versions copy every included route into the app's list
        flattened = routes
    templates = []
    for route in flattened:
        pattern, template = getattr(route, "path_regex", None), getattr(route, "path_format", None)
        if isinstance(pattern, re.Pattern) and isinstance(template, str):
            methods = getattr(route, "methods", None)
            templates.append(RouteTemplate(pattern, template, frozenset(methods) if methods else None))
    return templates


def route_template(templates: Iterable[RouteTemplate], path: str, method: str) -> str:
    """The template of the route that answers `method` on `path` (HEAD is answered as GET); else of the
    first route on `path` (a 405); else `unmatched`."""
    method = "GET" if method == "HEAD" else method
    other_method = None
    for route in templates:
        if route.pattern.match(path):
            if route.answers(method):
                return route.template
            other_method = other_method or route.template
    return other_method or UNMATCHED


class ObserveRequests:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: list[RouteTemplate] | None = None

    def template(self, scope: Scope) -> str:
        if self._templates is None:  # the routes are all mounted by the first request
            self._templates = route_templates(scope["app"].router.routes)
        return route_template(self._templates, scope["path"], scope["method"])

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        start = time.perf_counter()
        status = 500  # unless an answer starts: an error raised before is answered 500 further out

        async def send_observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_observed)
        finally:
            seconds = time.perf_counter() - start
            route, method = self.template(scope), method_label(scope["method"])
            observe_request(route, method, status, seconds)
            milliseconds = round(seconds * 1000, 1)
            access_logger.log(
                logging.DEBUG if scope["path"] in QUIET_PATHS else logging.INFO,
                "%s %s %s %.1f ms",
                method,
                route,
                status,
                milliseconds,
                extra={"method": method, "route": route, "status": status, "duration_ms": milliseconds},
            )
