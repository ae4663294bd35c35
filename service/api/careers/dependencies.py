"""Request dependencies of the career routes: the career search built in the lifespan."""

from typing import Annotated

from fastapi import Depends

from careers.search import CareerSearch
from service.api.recommendations.dependencies import still_building
from service.http.dependencies import AppModels
from service.problems import NotReady
from service.resources import NOT_IMPORTED

UNAVAILABLE = f"career search is unavailable: {NOT_IMPORTED}, then restart the service"


def get_career_search(models: AppModels) -> CareerSearch:
    if models.careers is None:
        if models.building:
            raise still_building("career search is", models)
        raise NotReady(UNAVAILABLE)
    return models.careers


AppCareerSearch = Annotated[CareerSearch, Depends(get_career_search)]
