"""The `Allow` header of a 405: every method some route answers on the path (Starlette names only
the methods of the first route that matched the path, so a path served by a GET route and a POST
route would list one). A path the API describes by name has the methods its description gives: `GET
/v1/occupations/{noc_code}` would also read `/v1/occupations/by-skills` as a code, but that path is
POST's alone. HEAD is answered wherever GET is (service.http.head)."""

from fastapi import Request
from starlette.routing import Match

METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(request: Request) -> str | None:
    def answered(method: str) -> bool:
        scope = {**request.scope, "method": method}
        return any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes)

    described = request.app.openapi().get("paths", {}).get(request.url.path)
    if described:
        allowed = [method for method in METHODS if method != "HEAD" and method.lower() in described]
    else:
        allowed = [method for method in METHODS if method != "HEAD" and answered(method)]
    if "GET" in allowed:  # HeadAsGet answers HEAD wherever GET is answered
        allowed.insert(1, "HEAD")
    return ", ".join(allowed) or None
