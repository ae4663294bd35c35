"""Request dependencies of the search routes: the matcher and the suggester built in the lifespan."""

from typing import Annotated

from fastapi import Depends

from matching.engine import Matcher
from matching.suggest import TitleSuggester
from service.http.dependencies import AppModels
from service.problems import NotReady
from service.resources import NOT_IMPORTED

UNAVAILABLE = f"job-title search is unavailable: {NOT_IMPORTED}, then restart the service"


def get_matcher(models: AppModels) -> Matcher:
    if models.matcher is None:
        raise NotReady(UNAVAILABLE)
    return models.matcher


def get_title_suggester(models: AppModels) -> TitleSuggester:
    if models.suggester is None:
        raise NotReady(UNAVAILABLE)
    return models.suggester


AppMatcher = Annotated[Matcher, Depends(get_matcher)]
AppTitleSuggester = Annotated[TitleSuggester, Depends(get_title_suggester)]
