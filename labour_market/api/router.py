"""All reference routes, mounted under `/v1` by the application."""

from fastapi import APIRouter

from labour_market.api import crosswalk, occupations, regions, sources

router = APIRouter()
router.include_router(occupations.router)
router.include_router(crosswalk.router)
router.include_router(regions.router)
router.include_router(sources.router)
