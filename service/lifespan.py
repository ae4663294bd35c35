"""The application's long-lived resources, created at start-up and closed at shutdown: the database
engine and its session factory, the matching resources (matcher with its worker thread, title
suggester), the skill space and the recommender, the catalog upload worker (which first
re-tags catalogs tagged under another model or reference data), the robot detector, the tracked
links' signer and the analytics' rounding key, and the daily deletion of events past their retention
period. Routes reach them through `request.app.state`."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from analytics.disclosure import disclosure_key
from analytics.links import LinkSigner
from analytics.privacy import RobotDetector
from catalog.jobs import JobRunner
from models.database import create_database_engine, create_session_factory
from recommendations.recommend import Recommender
from service.config import Settings
from service.resources import (
    load_matching,
    load_skill_space_for,
    purge_old_events,
    retag_stale_catalogs,
    service_secret_for,
)
from service.startup import long_lived, release

logger = logging.getLogger(__name__)
PURGE_EVERY_SECONDS = 24 * 3600


async def purge_daily(session_factory: sessionmaker[Session], retention_days: int) -> None:
    """Delete the events past their retention period now, then once a day."""
    while True:
        try:
            await asyncio.to_thread(purge_old_events, session_factory, retention_days)
        except SQLAlchemyError as error:
            logger.warning("could not delete old events: %s", error)
        await asyncio.sleep(PURGE_EVERY_SECONDS)


def lifespan_for(settings: Settings) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_database_engine(settings.database_url)
        matching = None
        upload_jobs = JobRunner()
        purging: asyncio.Task[None] | None = None
        try:
            app.state.settings = settings
            app.state.engine = engine
            app.state.session_factory = create_session_factory(engine)
            app.state.upload_jobs = upload_jobs
            app.state.robots = RobotDetector()
            secret = service_secret_for(app.state.session_factory, settings.link_secret)
            app.state.link_signer = LinkSigner(secret) if secret else None
            app.state.disclosure_key = disclosure_key(secret) if secret else None
            purging = asyncio.create_task(purge_daily(app.state.session_factory, settings.event_retention_days))
            with long_lived():  # the matcher's structures and the skill space: millions of objects
                # CPU-bound, once: with an embedding backend the first start embeds every title.
                matching = load_matching(
                    app.state.session_factory, settings.matcher_backend, settings.index_dir, settings.data_dir
                )
                skill_space = load_skill_space_for(
                    app.state.session_factory,
                    settings.data_dir,
                    matching.matcher.embedder if matching else None,
                    settings.index_dir,
                )
            app.state.matcher = matching.matcher if matching else None
            app.state.title_suggester = matching.suggester if matching else None
            app.state.skill_space = skill_space
            app.state.recommender = (
                Recommender(matching.matcher, skill_space, settings.max_institution_share)
                if matching and skill_space
                else None
            )
            if skill_space is not None and settings.retag_on_startup:
                upload_jobs.run_in_background(lambda: retag_stale_catalogs(app.state.session_factory, skill_space))
            yield
        finally:
            if purging is not None:
                purging.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await purging
            upload_jobs.close()
            if matching is not None:
                matching.close()
            engine.dispose()
            release()

    return lifespan
