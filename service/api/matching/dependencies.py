"""Request dependencies of the search routes: the matcher and the suggester built in the lifespan."""

from typing import Annotated

from fastapi import Depends, Request

from matching.engine import Matcher
from matching.suggest import TitleSuggester
from service.problems import NotReady
from service.resources import NOT_IMPORTED

UNAVAILABLE = f"job-title search is unavailable: {NOT_IMPORTED}, then restart the service"


def get_matcher(request: Request) -> Matcher:
    matcher: Matcher | None = request.app.state.matcher
    if matcher is None:
        raise NotReady(UNAVAILABLE)
    return matcher


def get_title_suggester(request: Request) -> TitleSuggester:
    suggester: TitleSuggester | None = request.app.state.title_suggester
    if suggester is None:
        raise NotReady(UNAVAILABLE)
    return suggester


AppMatcher = Annotated[Matcher, Depends(get_matcher)]
AppTitleSuggester = Annotated[TitleSuggester, Depends(get_title_suggester)]
