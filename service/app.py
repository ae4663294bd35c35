"""The FastAPI application: resources are created in the lifespan and kept on `app.state`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from labour_market.api.router import router as labour_market_router
from models.database import create_database_engine, create_session_factory
from service import health
from service.config import Settings
from service.problems import install_problem_handlers
from service.search.resources import load_matching
from service.search.router import router as search_router

DESCRIPTION = """
Find the NOC 2021 occupation for a job title, and see its skills, outlook and wages, in English
and French. Errors are RFC 9457 `application/problem+json`.

Contains information licensed under the Open Government Licence – Canada.
"""


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.database_url)
        try:
            app.state.settings = settings
            app.state.engine = engine
            app.state.session_factory = create_session_factory(engine)
            # CPU-bound, once: with an embedding backend the first start embeds every title.
            matching = load_matching(app.state.session_factory, settings.matcher_backend, settings.index_dir)
            app.state.matcher = matching.matcher if matching else None
            app.state.title_suggester = matching.suggester if matching else None
            yield
        finally:
            engine.dispose()

    app = FastAPI(
        title="Canadian occupation matching and labour-market information",
        version="0.1.0",
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    install_problem_handlers(app)
    app.include_router(health.router)
    # Before the reference routes: `/v1/occupations/search` must not be read as a NOC code.
    app.include_router(search_router, prefix="/v1")
    app.include_router(labour_market_router, prefix="/v1")
    return app
