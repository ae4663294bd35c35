"""The FastAPI application: routes from `service.api`, resources from `service.lifespan`."""

import re

from fastapi import FastAPI

from labour_market.datasets import ATTRIBUTION_EN
from service.api import mount_routes
from service.api.openapi import install_openapi
from service.api.recommendations.page_router import PAGE_PATHS, PAGE_PREFIXES, SESSION_COOKIE
from service.config import Settings
from service.http.body_limit import BodySizeLimit
from service.http.cors import add_cors
from service.http.head import HeadAsGet
from service.http.observe import ObserveRequests
from service.http.rate_limit import RateLimit
from service.http.request_id import add_request_ids
from service.http.security_headers import SecurityHeaders
from service.http.url_encoding import RejectInvalidUtf8
from service.lifespan import lifespan_for
from service.observability import observed
from service.problems import install_problem_handlers

CATALOG_UPLOAD = re.compile(r"/v1/institutions/[^/]+/catalog")

DESCRIPTION = f"""
Find the NOC 2021 occupation for a job title, and see its skills, outlook and wages, in English
and French. Errors are RFC 9457 `application/problem+json`; each problem `type` links to a page
that explains it (`/problems`). Any route answers `422 invalid-request` to a path or query whose
percent-encoded text is not UTF-8 or holds a NUL character, and `413 request-too-large` to a body
over the size limit (larger for catalog uploads).

{ATTRIBUTION_EN}
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()
    app = FastAPI(
        title="Canadian occupation matching and labour-market information",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=observed(lifespan_for(settings)),
        docs_url=None,
        redoc_url=None,
        redirect_slashes=False,
    )
    install_problem_handlers(app)
    mount_routes(app)
    install_openapi(app)
    # The last added is the outermost: security headers go on every answer, even a rejected request's.
    app.add_middleware(HeadAsGet)
    app.add_middleware(
        BodySizeLimit, max_bytes=settings.max_body_bytes, larger=[(CATALOG_UPLOAD, settings.max_catalog_bytes)]
    )
    app.add_middleware(RejectInvalidUtf8, page_paths=PAGE_PATHS)
    # Counted before anything else is done with the request (a flood costs a lookup, not a body read).
    app.add_middleware(
        RateLimit,
        settings=settings.rate_limits(),
        page_paths=PAGE_PATHS,
        page_prefixes=PAGE_PREFIXES,
        visit_cookie=SESSION_COOKIE,
    )
    # The portals' cross-origin requests (LMI_CORS_ORIGINS): a preflight is answered before the rate limits and
    # the checks, and their answers (a 429, a 413) carry the portal's Access-Control-Allow-Origin.
    add_cors(app, settings.cors_origin_list())
    app.add_middleware(SecurityHeaders)
    # Every answer counted and logged (service.http.observe), with the request's id (service.http.request_id).
    app.add_middleware(ObserveRequests)
    add_request_ids(app)
    return app
