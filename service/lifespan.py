"""The application's long-lived resources, created at start-up and closed at shutdown: the database
engine and its session factory, the matching resources (matcher with its worker thread, title
suggester) and the catalog upload worker. Routes reach them through `request.app.state`."""

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from catalog.jobs import JobRunner
from models.database import create_database_engine, create_session_factory
from service.config import Settings
from service.resources import load_matching


def lifespan_for(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.database_url)
        matching = None
        upload_jobs = JobRunner()
        try:
            app.state.settings = settings
            app.state.engine = engine
            app.state.session_factory = create_session_factory(engine)
            app.state.upload_jobs = upload_jobs
            # CPU-bound, once: with an embedding backend the first start embeds every title.
            matching = load_matching(app.state.session_factory, settings.matcher_backend, settings.index_dir)
            app.state.matcher = matching.matcher if matching else None
            app.state.title_suggester = matching.suggester if matching else None
            yield
        finally:
            upload_jobs.close()
            if matching is not None:
                matching.close()
            engine.dispose()

    return lifespan
