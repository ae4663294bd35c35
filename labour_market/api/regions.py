"""`/v1/regions`: Canada, provinces and territories, economic regions."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import case, select

from labour_market.api.profile import region_out
from labour_market.api.schemas import RegionListOut
from models.geography import Region
from service.dependencies import AppSettings, DbSession
from service.http_cache import cached_json
from service.language import Language, response_language

router = APIRouter(prefix="/regions", tags=["regions"])


@router.get("", response_model=RegionListOut, summary="Provinces, territories and economic regions, EN and FR")
def list_regions(
    request: Request, session: DbSession, settings: AppSettings, lang: Annotated[Language, Depends(response_language)]
) -> Response:
    level_order = case({"country": 0, "province": 1}, value=Region.level, else_=2)
    regions = session.scalars(select(Region).order_by(level_order, Region.code))
    body = RegionListOut(items=[region_out(region, lang) for region in regions])
    return cached_json(request, body, settings.cache_max_age, lang)
