"""Cross-origin requests from the portals' pages (`LMI_CORS_ORIGINS`), with Starlette's CORSMiddleware.

A portal's page may call, from its visitors' browsers, what a browser may call without a key: job-title
search and suggestions, the reference routes, recommendations and events (`GET`, `HEAD`, `POST` with a
JSON body). Nothing else is granted:

- no credentials (`Access-Control-Allow-Credentials` is never sent): the API uses no cookies, and the
  public page's session cookie is for the page, on this origin;
- no `Authorization` header: an API key belongs on a server. A key in a page's script is a key anyone
  can read and use, and a portal's key vouches for the user agents and events it relays, so the
  browser is refused the header in the preflight, and a portal that needs its key calls from its
  server (which needs no CORS). Catalog uploads (`PUT`), keys and analytics come from servers too;
- no `*`: each origin is named (`https://portal.example.ca`), so that no other site's page can send
  events on its visitors' behalf.

The portal's script may read `X-Request-ID` (to quote in a support request) and `Retry-After` (after a
`429`). Preflights are cached by the browser for `MAX_AGE` seconds. The middleware sits outside the rate
limits and the request checks (see service.app), so a preflight is answered before them, costing no
count and no body read, and a `429` or `413` still carries `Access-Control-Allow-Origin` for the portal's
script to read. Every answer says `Vary: Origin`.
"""

import re
from collections.abc import Sequence

from fastapi import FastAPI
from starlette.middleware.cors import CORSMiddleware

ALLOWED_METHODS = ("GET", "HEAD", "POST")
# Content-Type (a JSON body) and the safelisted ones Starlette always allows; a portal may pass its own
# request id along.
ALLOWED_HEADERS = ("Content-Type", "X-Request-ID")
EXPOSED_HEADERS = ("X-Request-ID", "Retry-After")
MAX_AGE = 3600  # seconds a browser may keep a preflight's answer (Chromium caps it at 7,200)

# scheme://host[:port] as browsers send it in `Origin`: lower case, ASCII (an internationalized name in
# its xn-- form), no path, no default port.
ORIGIN = re.compile(
    r"(?P<scheme>https?)://(?P<host>[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*"
    r"|\[[0-9a-f:.]+\])(?::(?P<port>[0-9]{1,5}))?"
)
DEFAULT_PORTS = {"http": 80, "https": 443}


def canonical_origin(text: str) -> str:
    """`text` as a browser's `Origin` header would say it (lower case, without a default port);
    ValueError saying why when it is not an origin."""
    origin = text.strip().lower()
    if origin == "*":
        raise ValueError("'*' is not accepted: name each portal's origin, such as https://portal.example.ca")
    match = ORIGIN.fullmatch(origin)
    if match is None:
        raise ValueError(
            f"{text!r} is not an origin: scheme://host[:port] with scheme http or https, an ASCII host name "
            "(xn-- for an internationalized one) and no path, not even a trailing /, such as https://portal.example.ca"
        )
    port = match["port"]
    if port is None:
        return origin
    if not 0 < int(port) < 65536:
        raise ValueError(f"{text!r} is not an origin: port {port} is out of range")
    if int(port) == DEFAULT_PORTS[match["scheme"]]:
        return f"{match['scheme']}://{match['host']}"  # browsers leave the default port out
    return f"{match['scheme']}://{match['host']}:{int(port)}"


def valid_origins(text: str) -> str:
    """A comma-separated list of origins, each made canonical (see `canonical_origin`), without
    repeats; the empty text (no cross-origin access) is valid."""
    origins = [canonical_origin(part) for part in text.split(",") if part.strip()]
    return ",".join(dict.fromkeys(origins))


def origin_list(text: str) -> tuple[str, ...]:
    return tuple(origin for origin in text.split(",") if origin)


def add_cors(app: FastAPI, origins: Sequence[str]) -> None:
    """Answer cross-origin requests from `origins` (none: the middleware is left out, and browsers
    keep their same-origin rule)."""
    if not origins:
        return
    app.add_middleware(
        CORSMiddleware,
        allow_origins=list(origins),
        allow_methods=list(ALLOWED_METHODS),
        allow_headers=list(ALLOWED_HEADERS),
        allow_credentials=False,
        expose_headers=list(EXPOSED_HEADERS),
        max_age=MAX_AGE,
    )
