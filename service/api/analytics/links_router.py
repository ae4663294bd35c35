"""`GET /r/{token}`: a tracked link. Logs the click and answers 302 to the program's page as stored
on the server; an unknown or altered token is a 404 and logs nothing. A HEAD (link checkers,
previews) answers the same without logging."""

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import RedirectResponse

from analytics.tracking import follow_link, link_target
from service.api.analytics.dependencies import AppLinkSigner, AppRobots, UserAgent
from service.api.responses import problem_responses
from service.http.dependencies import DbSession
from service.http.head import is_head_request

router = APIRouter(tags=["events"])
Token = Annotated[str, Path(min_length=3, max_length=100, pattern=r"^[A-Za-z0-9_.-]+$")]


@router.get(
    "/r/{token}",
    status_code=302,
    summary="Follow a tracked link to a recommended program (logs the click)",
    responses={302: {"description": "To the program's page."}, **problem_responses(404, 422)},
    response_class=RedirectResponse,
)
def follow(
    token: Token, request: Request, session: DbSession, signer: AppLinkSigner, robots: AppRobots, agent: UserAgent
) -> RedirectResponse:
    if is_head_request(request.scope):
        target = link_target(session, signer, token)
    else:
        target = follow_link(session, signer, token, robot=robots.is_robot(agent))
    return RedirectResponse(target, status_code=302, headers={"Cache-Control": "no-store"})
