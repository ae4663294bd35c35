"""Rate limits on every route, counted with the `limits` library (sliding windows) in a storage named
by `LMI_RATE_LIMIT_STORAGE` (in memory by default; a `redis://` one is shared by workers and hosts).

- A request with a valid API key is counted against its key (`LMI_RATE_LIMIT_KEY`), whatever its
  address: a portal's server calls for all its users.
- The public page, its assets and the tracked links are counted per visit (the page's session cookie,
  `LMI_RATE_LIMIT_VISIT`) and, far more generously, per client address (`LMI_RATE_LIMIT_PAGE`), so that
  a class or a library behind one address can use the page while one client cannot flood it.
- Any other request is counted per client address (`LMI_RATE_LIMIT_ADDRESS`).

Over a limit, the answer is `429`, with `Retry-After`: a `too-many-requests` problem for the API, a
short page in English and French for the page. Health checks and /metrics are not limited. Client addresses are
counted by a keyed hash, never kept as they are.
"""

import asyncio
import hashlib
import math
import secrets
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from cachetools import TTLCache
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import SlidingWindowCounterRateLimiter
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

from accounts.exceptions import NotAuthenticated
from accounts.keys import Principal, authenticate
from service.problems import database_unavailable, typed_problem_response

NOT_LIMITED = ("/healthz", "/readyz", "/metrics")  # probes and scrapes (/metrics has its own access rule)
# How long a key's check is remembered: a revoked key is counted as none within this time.
KEY_CHECK_SECONDS = 30.0
TOO_MANY_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Too many requests / Trop de requêtes</title></head>
<body><main>
<h1>Too many requests</h1><p>Too many requests came from your network. Please try again in {seconds} seconds.</p>
<div lang="fr"><h1>Trop de requêtes</h1>
<p>Trop de requêtes sont venues de votre réseau. Veuillez réessayer dans {seconds} secondes.</p></div>
</main></body></html>
"""


@dataclass(frozen=True)
class RateLimitSettings:
    """Each a `limits` string such as "600/minute" or "20/second;600/minute"."""

    per_address: str
    per_key: str
    page_per_address: str
    page_per_visit: str
    storage: str = "memory://"
    address_salt: str | None = None  # shared by every process counting in one shared storage
    processes: int = 1  # worker processes of this host: each counts a share of the limits in memory://


def address_salt(secret: str) -> bytes:
    """The key client addresses are hashed with, from the service's secret (the same in every process)."""
    return hashlib.blake2b(secret.encode(), person=b"rate-limit-addr", digest_size=32).digest()


def limits_share(text: str, processes: int) -> list[RateLimitItem]:
    """The limits of `text`, each divided among `processes` that count apart (at least 1 each)."""
    return [type(item)(max(1, math.ceil(item.amount / processes)), item.multiples) for item in parse_many(text)]


def valid_limits(text: str) -> str:
    """`text` when it parses as limits; ValueError saying why otherwise."""
    try:
        parse_many(text)
    except ValueError as error:
        raise ValueError(f"{text!r} is not a rate limit such as '600/minute' or '20/second;600/minute'") from error
    return text


@dataclass(frozen=True)
class Check:
    """One limit to count a request against: what it counts (`namespace`) and whose requests (`who`)."""

    namespace: str
    who: str
    items: Sequence[RateLimitItem]


class KeyPrincipals:
    """The principal of a key, checked against the database and remembered a little while."""

    def __init__(self) -> None:
        self._known: TTLCache[str, Principal | None] = TTLCache(maxsize=10_000, ttl=KEY_CHECK_SECONDS)

    async def of(self, key: str, session_factory: Callable[[], Session]) -> Principal | None:
        if key in self._known:
            return self._known[key]
        try:
            principal = await asyncio.to_thread(self._check, key, session_factory)
        except SQLAlchemyError as error:
            if not database_unavailable(error):
                raise
            # The database cannot say just now (a restart): this request is counted per address, nothing is
            # remembered, and a route that needs the key or the database answers `database-unavailable` itself.
            return None
        self._known[key] = principal
        return principal

    @staticmethod
    def _check(key: str, session_factory: Callable[[], Session]) -> Principal | None:
        with session_factory() as session:
            try:
                return authenticate(session, key)
            except NotAuthenticated:
                return None


class RateLimit:
    """The ASGI middleware: counts each request and answers 429 over a limit."""

    def __init__(
        self,
        app: ASGIApp,
        settings: RateLimitSettings,
        page_paths: Sequence[str],
        page_prefixes: Sequence[str],
        visit_cookie: str,
    ):
        self.app = app
        self.limiter = SlidingWindowCounterRateLimiter(storage_from_string(settings.storage))
        # In memory, each worker counts only what it serves: it allows its share of each limit, so that the
        # host as a whole allows about the limit (the kernel spreads connections evenly among the workers).
        # A shared storage (redis://) counts every worker and host in one place, the limits exactly.
        share = settings.processes if settings.storage.startswith("memory://") else 1
        self.per_address = limits_share(settings.per_address, share)
        self.per_key = limits_share(settings.per_key, share)
        self.page_per_address = limits_share(settings.page_per_address, share)
        self.page_per_visit = limits_share(settings.page_per_visit, share)
        self.salt = (settings.address_salt or secrets.token_hex(16)).encode()
        self.page_paths = frozenset(page_paths)
        self.page_prefixes = tuple(page_prefixes)
        self.visit_cookie = visit_cookie
        self.keys = KeyPrincipals()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] in NOT_LIMITED:
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        page = self._is_page(scope["path"])
        checks = self._page_checks(request) if page else await self._api_checks(request)
        over = self._over(checks)
        if over is None:
            await self.app(scope, receive, send)
            return
        check, item, retry_after = over
        response = self._too_many(request, page, check, item, retry_after)
        await response(scope, receive, send)

    def _is_page(self, path: str) -> bool:
        return path in self.page_paths or path.startswith(self.page_prefixes)

    def _address(self, request: Request) -> str:
        """The client's address, as a keyed hash (the raw address is not kept, even in the counters)."""
        host = request.client.host if request.client else "unknown"
        # The service's secret once the lifespan has it (the same in every worker and host: their counts of
        # one address meet in a shared storage), else this process's own.
        salt: bytes = getattr(request.app.state, "address_salt", None) or self.salt
        return hashlib.blake2b(host.encode(), key=salt, digest_size=12).hexdigest()

    def _page_checks(self, request: Request) -> list[Check]:
        checks = [Check("page-address", self._address(request), self.page_per_address)]
        visit = request.cookies.get(self.visit_cookie, "")[:100]
        if visit:
            checks.append(Check("page-visit", visit, self.page_per_visit))
        return checks

    async def _api_checks(self, request: Request) -> list[Check]:
        scheme, _, key = request.headers.get("authorization", "").partition(" ")
        factory = getattr(request.app.state, "session_factory", None)
        if scheme.lower() == "bearer" and key.strip() and factory is not None:
            principal = await self.keys.of(key.strip(), factory)
            if principal is not None:
                return [Check("key", principal.key_prefix, self.per_key)]
        return [Check("address", self._address(request), self.per_address)]

    def _over(self, checks: list[Check]) -> tuple[Check, RateLimitItem, int] | None:
        """The first limit this request would exceed, with the seconds until it may come again; else
        None, and the request is counted against every limit."""
        for check in checks:
            for item in check.items:
                if not self.limiter.test(item, check.namespace, check.who):
                    reset = self.limiter.get_window_stats(item, check.namespace, check.who).reset_time
                    return check, item, max(1, math.ceil(reset - time.time()))
        for check in checks:
            for item in check.items:
                self.limiter.hit(item, check.namespace, check.who)
        return None

    @staticmethod
    def _too_many(request: Request, page: bool, check: Check, item: RateLimitItem, retry_after: int) -> Response:
        headers = {"Retry-After": str(retry_after)}
        if page:
            return HTMLResponse(TOO_MANY_PAGE.format(seconds=retry_after), status_code=429, headers=headers)
        whose = "this API key" if check.namespace == "key" else "this client address"
        response = typed_problem_response(
            request,
            "too-many-requests",
            f"More than {item.amount} requests per {item.multiples} {item.GRANULARITY.name} came from {whose}; "
            f"try again in {retry_after} s.",
            limit=str(item),
            retry_after=retry_after,
        )
        response.headers.update(headers)
        return response
