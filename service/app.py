"""The FastAPI application: resources are created in the lifespan and kept on `app.state`."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from labour_market.api.router import router as labour_market_router
from models.database import create_database_engine, create_session_factory
from service import health
from service.config import Settings
from service.problems import install_problem_handlers

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
        app.state.settings = settings
        app.state.engine = engine
        app.state.session_factory = create_session_factory(engine)
        try:
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
    app.include_router(labour_market_router, prefix="/v1")
    return app
