"""`/v1/occupations` (list and profile), `/v1/crosswalk`, `/v1/regions` and `/v1/meta/sources`.

Every answer is reference data: it carries an ETag and Cache-Control (see `service.http.caching`).
"""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from labour_market import crosswalk, occupations, profile, provenance, regions
from labour_market.datasets import ATTRIBUTION_EN, ATTRIBUTION_FR
from service.api.labour_market.schemas import (
    CrosswalkOut,
    OccupationPageOut,
    OccupationProfileOut,
    OccupationSummaryOut,
    RegionListOut,
    RegionOut,
    SourceOut,
    SourcesOut,
)
from service.api.responses import problem_responses
from service.http.caching import cached_json
from service.http.dependencies import AppSettings, DbSession
from service.http.language import ResponseLanguage

router = APIRouter()
MAX_PAGE = 100_000


@router.get(
    "/occupations",
    response_model=OccupationPageOut,
    summary="List NOC 2021 unit groups",
    tags=["occupations"],
    responses=problem_responses(422),
)
def list_occupations(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    teer: Annotated[int | None, Query(ge=0, le=5, description="TEER category, 0 to 5")] = None,
    broad_category: Annotated[str | None, Query(pattern=r"^[0-9]$", description="Broad category, 0 to 9")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    per_page: Annotated[int, Query(ge=1, le=200)] = 50,
) -> Response:
    result = occupations.list_unit_groups(session, teer, broad_category, page, per_page, lang)
    body = OccupationPageOut(
        items=[OccupationSummaryOut.model_validate(item, from_attributes=True) for item in result.items],
        page=result.page,
        per_page=result.per_page,
        total=result.total,
        pages=result.pages,
        next=_page_link(request, page + 1) if result.has_next else None,
        previous=_page_link(request, page - 1) if result.has_previous else None,
    )
    return cached_json(request, body, settings.cache_max_age, lang)


def _page_link(request: Request, page: int) -> str:
    """A relative link to another page of the same listing: it never repeats the request's Host."""
    query = request.url.include_query_params(page=page).query
    return f"{request.url.path}?{query}"


@router.get(
    "/occupations/{noc_code}",
    response_model=OccupationProfileOut,
    summary="The bilingual profile of a NOC 2021 unit group",
    tags=["occupations"],
    responses=problem_responses(404, 422),
)
def get_occupation(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    noc_code: Annotated[str, Path(description="A NOC 2021 unit group: five digits.", examples=["31301"])],
    region: Annotated[
        str | None,
        Query(
            max_length=10,
            description="Province or economic region for wages: ER3530, 3530, ER35, 35 or ON",
            examples=["ER3530", "ON"],
        ),
    ] = None,
) -> Response:
    found = profile.occupation_profile(session, noc_code.strip(), lang, region)
    return cached_json(
        request, OccupationProfileOut.model_validate(found, from_attributes=True), settings.cache_max_age, lang
    )


@router.get(
    "/crosswalk/noc2016/{code}",
    response_model=CrosswalkOut,
    summary="NOC 2021 successors of a NOC 2016 code",
    tags=["crosswalk"],
    responses=problem_responses(404, 422),
)
def from_noc2016(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    code: Annotated[str, Path(description="A NOC 2016 unit group: four digits.", examples=["7514"])],
) -> Response:
    links = crosswalk.noc2021_successors(session, code, lang)
    return cached_json(request, CrosswalkOut.model_validate(links, from_attributes=True), settings.cache_max_age, lang)


@router.get(
    "/crosswalk/noc2021/{code}",
    response_model=CrosswalkOut,
    summary="NOC 2016 predecessors of a NOC 2021 code",
    tags=["crosswalk"],
    responses=problem_responses(404, 422),
)
def from_noc2021(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    lang: ResponseLanguage,
    code: Annotated[str, Path(description="A NOC 2021 unit group: five digits.", examples=["74102"])],
) -> Response:
    links = crosswalk.noc2016_predecessors(session, code, lang)
    return cached_json(request, CrosswalkOut.model_validate(links, from_attributes=True), settings.cache_max_age, lang)


@router.get(
    "/regions",
    response_model=RegionListOut,
    summary="Provinces, territories and economic regions, EN and FR",
    tags=["regions"],
    responses=problem_responses(422),
)
def list_regions(request: Request, session: DbSession, settings: AppSettings, lang: ResponseLanguage) -> Response:
    items = [RegionOut.model_validate(region, from_attributes=True) for region in regions.list_regions(session, lang)]
    return cached_json(request, RegionListOut(items=items), settings.cache_max_age, lang)


@router.get(
    "/meta/sources",
    response_model=SourcesOut,
    summary="Provenance of the reference data and its licence",
    tags=["meta"],
    responses=problem_responses(422),
)
def list_sources(request: Request, session: DbSession, settings: AppSettings) -> Response:
    files = provenance.imported_files(session)
    body = SourcesOut(
        attribution=ATTRIBUTION_EN,
        attribution_fr=ATTRIBUTION_FR,
        sources=[SourceOut.model_validate(file, from_attributes=True) for file in files],
    )
    return cached_json(request, body, settings.cache_max_age)
