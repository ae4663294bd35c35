"""Request dependencies of the recommendation route: the recommender built in the lifespan."""

from typing import Annotated

from fastapi import Depends, Request

from recommendations.recommend import Recommender
from service.problems import NotReady
from service.resources import NOT_IMPORTED

UNAVAILABLE = f"recommendations are unavailable: {NOT_IMPORTED}, then restart the service"


def get_recommender(request: Request) -> Recommender:
    recommender: Recommender | None = getattr(request.app.state, "recommender", None)
    if recommender is None:
        raise NotReady(UNAVAILABLE)
    return recommender


AppRecommender = Annotated[Recommender, Depends(get_recommender)]
