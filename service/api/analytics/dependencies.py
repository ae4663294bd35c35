"""Request dependencies of the analytics routes: who reads (and so which rows and which disclosure
rule), the tracked links' signer, the robot detector, the user agent."""

from typing import Annotated

from fastapi import Depends, Header, Request

from analytics.disclosure import DisclosureRule
from analytics.links import LinkSigner
from analytics.privacy import RobotDetector
from analytics.queries import Scope
from analytics.summary import Viewer
from service.http.auth import CurrentPrincipal
from service.http.dependencies import AppSettings
from service.problems import NotReady


def get_disclosure_key(request: Request) -> bytes:
    key: bytes | None = getattr(request.app.state, "disclosure_key", None)
    if key is None:
        raise NotReady("analytics are unavailable: the database was not migrated when the service started")
    return key


def current_viewer(
    principal: CurrentPrincipal, settings: AppSettings, key: Annotated[bytes, Depends(get_disclosure_key)]
) -> Viewer:
    principal.require_reader()
    rule = DisclosureRule(principal.role == "admin", settings.suppress_below, settings.round_to, key)
    scope = Scope(principal.institution_id if principal.role == "institution" else None)
    return Viewer(scope, rule, sees_targets=principal.role != "institution")


CurrentViewer = Annotated[Viewer, Depends(current_viewer)]


def get_link_signer(request: Request) -> LinkSigner:
    signer: LinkSigner | None = getattr(request.app.state, "link_signer", None)
    if signer is None:
        raise NotReady("tracked links are unavailable: the database was not migrated when the service started")
    return signer


AppLinkSigner = Annotated[LinkSigner, Depends(get_link_signer)]


def get_robots(request: Request) -> RobotDetector:
    robots: RobotDetector = request.app.state.robots
    return robots


AppRobots = Annotated[RobotDetector, Depends(get_robots)]


def user_agent(user_agent: Annotated[str | None, Header(include_in_schema=False)] = None) -> str | None:
    return user_agent


UserAgent = Annotated[str | None, Depends(user_agent)]
