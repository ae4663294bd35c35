"""Every route of the service, mounted here and only here: the order below is the match order."""

from fastapi import APIRouter, FastAPI

from service.api import docs, health, metrics, problem_pages
from service.api.analytics.dashboard import router as dashboard_router
from service.api.analytics.events_router import router as events_router
from service.api.analytics.links_router import router as links_router
from service.api.analytics.router import router as analytics_router
from service.api.careers.router import router as careers_router
from service.api.catalog.router import router as catalog_router
from service.api.labour_market.router import router as labour_market_router
from service.api.matching.router import router as matching_router
from service.api.recommendations.page_router import router as page_router
from service.api.recommendations.router import router as recommendations_router

api_v1 = APIRouter(prefix="/v1")
# `/v1/occupations/search` before `/v1/occupations/{noc_code}`, which would read "search" as a code.
api_v1.include_router(matching_router)
api_v1.include_router(careers_router)
api_v1.include_router(labour_market_router)
api_v1.include_router(catalog_router)
api_v1.include_router(recommendations_router)
api_v1.include_router(events_router)
api_v1.include_router(analytics_router)

router = APIRouter()
router.include_router(page_router)
router.include_router(health.router)
router.include_router(metrics.router)
router.include_router(api_v1)
router.include_router(links_router)
router.include_router(dashboard_router)
router.include_router(docs.router)
router.include_router(problem_pages.router)


def mount_routes(app: FastAPI) -> None:
    """The routes above, then the documentation's static assets."""
    app.include_router(router)
    app.mount(docs.ASSETS_URL, docs.assets, name="docs-assets")
