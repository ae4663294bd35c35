"""Request dependencies of the recommendation route: the recommender built in the lifespan."""

from typing import Annotated

from fastapi import Depends

from recommendations.recommend import Recommender
from service.http.dependencies import AppModels
from service.problems import NotReady
from service.resources import NOT_IMPORTED

UNAVAILABLE = f"recommendations are unavailable: {NOT_IMPORTED}, then restart the service"


BUILDING = (
    "recommendations are being prepared: the service is building {}; job-title search answers meanwhile. "
    "Try again in a few minutes (`/readyz` says what is left)"
)


def get_recommender(models: AppModels) -> Recommender:
    if models.recommender is None:
        if models.building:
            raise NotReady(BUILDING.format(" and ".join(models.building)), building=list(models.building))
        raise NotReady(UNAVAILABLE)
    return models.recommender


AppRecommender = Annotated[Recommender, Depends(get_recommender)]
