"""`/metrics`: the host's metrics in Prometheus's text format (service.metrics), for the operator's
monitoring, not for the public: it is left out of the OpenAPI document.

Who may read it: while `LMI_METRICS_TOKEN` is unset, the machine itself (a loopback client address, as
the server sees it: behind a reverse proxy that sets `X-Forwarded-For`, the address it forwards); once
set, whoever sends `Authorization: Bearer <LMI_METRICS_TOKEN>` (a Prometheus server elsewhere), and
nobody else. Refused, it answers `403 metrics-not-allowed`. The metrics hold no personal data (route
templates and counts); like the health checks, the route is not rate limited.
"""

import asyncio
import ipaddress
import secrets

from fastapi import APIRouter, Request, Response

from service.config import Settings
from service.http.auth import bearer_key
from service.metrics import render
from service.observability import refresh_gauges_quietly
from service.problems import MetricsNotAllowed

router = APIRouter(include_in_schema=False)


def is_loopback(host: str) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    mapped = getattr(address, "ipv4_mapped", None)  # ::ffff:127.0.0.1
    return address.is_loopback or (mapped is not None and mapped.is_loopback)


def refusal(request: Request, token: str | None) -> str | None:
    """Why `request` may not read the metrics, or None when it may."""
    if token:
        key = bearer_key(request.headers.get("authorization"))
        if key is not None and secrets.compare_digest(key.encode(), token.encode()):
            return None
        return "/metrics needs `Authorization: Bearer <LMI_METRICS_TOKEN>`."
    if request.client is not None and is_loopback(request.client.host):
        return None
    return (
        "/metrics answers the machine itself only, while LMI_METRICS_TOKEN is unset; set it to scrape from "
        "elsewhere with `Authorization: Bearer <LMI_METRICS_TOKEN>`."
    )


@router.get("/metrics")
async def metrics(request: Request) -> Response:
    settings: Settings = request.app.state.settings
    if (why := refusal(request, settings.metrics_token)) is not None:
        raise MetricsNotAllowed(why)
    await asyncio.to_thread(refresh_gauges_quietly, request.app)  # this worker's gauges as they are now
    body, content_type = render(request.headers.get("accept"))
    return Response(body, headers={"Content-Type": content_type, "Cache-Control": "no-store"})
