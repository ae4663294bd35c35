"""Request dependencies of the recommendation route: the recommender built in the lifespan."""

from typing import Annotated

from fastapi import Depends

from recommendations.recommend import Recommender
from service.http.dependencies import AppModels
from service.problems import NotReady
from service.resources import NOT_IMPORTED
from service.state import ServiceModels

UNAVAILABLE = f"recommendations are unavailable: {NOT_IMPORTED}, then restart the service"


BUILDING = (
    "{what} being prepared: the service is building {building}; job-title search answers meanwhile. "
    "Try again in a few minutes (`/readyz` says what is left)"
)


def still_building(what: str, models: ServiceModels) -> NotReady:
    """The 503 for a part of the service whose models are still being built (`what`: "recommendations are")."""
    return NotReady(BUILDING.format(what=what, building=" and ".join(models.building)), building=list(models.building))


def get_recommender(models: AppModels) -> Recommender:
    if models.recommender is None:
        if models.building:
            raise still_building("recommendations are", models)
        raise NotReady(UNAVAILABLE)
    return models.recommender


AppRecommender = Annotated[Recommender, Depends(get_recommender)]
