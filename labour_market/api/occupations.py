"""`/v1/occupations`: the paginated list of unit groups and the full occupation profile."""

import math
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response

from labour_market import occupations
from labour_market.api.profile import build_profile
from labour_market.api.schemas import OccupationPageOut, OccupationProfileOut, OccupationSummaryOut
from service.dependencies import AppSettings, DbSession
from service.http_cache import cached_json
from service.language import Language, response_language

router = APIRouter(prefix="/occupations", tags=["occupations"])
ResponseLanguage = Annotated[Language, Depends(response_language)]
PROBLEM_RESPONSES = {
    404: {"description": "Unknown code (problem+json, with a hint)"},
    422: {"description": "Invalid parameter (problem+json)"},
}


@router.get("", response_model=OccupationPageOut, summary="List NOC 2021 unit groups")
def list_occupations(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    teer: Annotated[int | None, Query(ge=0, le=5, description="TEER category, 0 to 5")] = None,
    broad_category: Annotated[str | None, Query(pattern=r"^\d$", description="Broad category, 0 to 9")] = None,
    page: Annotated[int, Query(ge=1)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    result = occupations.list_unit_groups(session, teer, broad_category, page, per_page)
    pages = max(1, math.ceil(result.total / per_page))
    body = OccupationPageOut(
        items=[
            OccupationSummaryOut(
                noc_code=group.code,
                title=group.title_fr if lang == "fr" and group.title_fr else group.title_en,
                title_en=group.title_en,
                title_fr=group.title_fr,
                teer=group.teer or 0,
                broad_category=group.broad_category_code,
            )
            for group in result.items
        ],
        page=page,
        per_page=per_page,
        total=result.total,
        pages=pages,
        next=str(request.url.include_query_params(page=page + 1)) if page < pages else None,
        previous=str(request.url.include_query_params(page=page - 1)) if 1 < page <= pages else None,
    )
    return cached_json(request, body, settings.cache_max_age, lang)


@router.get(
    "/{noc_code}",
    response_model=OccupationProfileOut,
    summary="The bilingual profile of a NOC 2021 unit group",
    responses=PROBLEM_RESPONSES,
)
def get_occupation(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    noc_code: str,
    region: Annotated[
        str | None,
        Query(max_length=10, description="Province or economic region for wages: ER3530, 3530, ER35, 35 or ON"),
    ] = None,
) -> Response:
    profile = build_profile(session, noc_code.strip(), lang, region)
    return cached_json(request, profile, settings.cache_max_age, lang)
