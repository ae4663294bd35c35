"""A path with a stray trailing slash (or a missing one) is redirected to the route it means.

Starlette's own redirect writes an absolute URL built from the request's Host header; this one
answers a relative Location, so no header of the request is echoed into the answer.
"""

from starlette.requests import Request
from starlette.responses import RedirectResponse
from starlette.routing import Match


def slash_redirect(request: Request) -> RedirectResponse | None:
    """A 307 to the same path with the trailing slash toggled, if a route matches that path."""
    path = request.url.path
    if path == "/":
        return None
    other = path.rstrip("/") if path.endswith("/") else path + "/"
    scope = {**request.scope, "path": other}
    for route in request.app.router.routes:
        match, _ = route.matches(scope)
        if match is not Match.NONE:
            query = request.url.query
            return RedirectResponse(f"{other}?{query}" if query else other, status_code=307)
    return None
