"""The application's long-lived resources, created at start-up and closed at shutdown: the database
engine and its session factory, the models (matcher with its embedding worker, title suggester, skill
space and recommender: `service.state`, built in the background on a first start while words alone
answer), the catalog upload worker (which first re-tags catalogs tagged under another model or
reference data), the robot detector, the tracked links' signer and the analytics' rounding key, the
learning arm of the ranking when it is on (handed to the recommender), and the daily deletion of
events past their retention period. Routes reach them through typed dependencies."""

import asyncio
import contextlib
import logging
import threading
from collections.abc import AsyncIterator, Callable
from concurrent.futures import Future
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import replace

from fastapi import FastAPI
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from analytics.disclosure import disclosure_key
from analytics.links import LinkSigner
from analytics.privacy import RobotDetector
from catalog.jobs import JobRunner
from matching.backends import NO_EMBEDDINGS
from models.database import create_database_engine, create_session_factory
from recommendations.feedback import FeedbackCache
from recommendations.learning import LearningArm
from service.config import Settings
from service.http.rate_limit import address_salt
from service.problems import job_problem
from service.resources import (
    load_matching,
    load_models,
    purge_old_events,
    retag_stale_catalogs,
    service_secret_for,
)
from service.startup import long_lived, release
from service.state import NOTHING_LOADED, SKILL_SPACE, TITLE_INDEX, ServiceModels

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
        engine = create_database_engine(
            settings.database_url, pool_size=settings.db_pool_size, max_overflow=settings.db_max_overflow
        )
        session_factory = create_session_factory(engine)
        upload_jobs = JobRunner(session_factory, job_problem)
        purging: asyncio.Task[None] | None = None
        building: asyncio.Task[None] | None = None
        app.state.models = NOTHING_LOADED
        try:
            app.state.settings = settings
            app.state.engine = engine
            app.state.session_factory = session_factory
            app.state.upload_jobs = upload_jobs
            app.state.robots = RobotDetector()
            secret = service_secret_for(app.state.session_factory, settings.link_secret)
            app.state.link_signer = LinkSigner(secret) if secret else None
            app.state.disclosure_key = disclosure_key(secret) if secret else None
            app.state.address_salt = address_salt(secret) if secret else None
            app.state.learning_feedback = FeedbackCache(session_factory) if settings.learning_arm else None
            app.state.learning_arm = learning_arm_for(settings, app.state.learning_feedback)
            purging = asyncio.create_task(purge_daily(app.state.session_factory, settings.event_retention_days))
            building = await start_models(app, settings, upload_jobs)
            yield
        finally:
            for task in (purging, building):
                if task is not None:
                    task.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await task
            upload_jobs.close()
            app.state.models.close()
            engine.dispose()
            release()

    return lifespan


async def start_models(app: FastAPI, settings: Settings, upload_jobs: JobRunner) -> asyncio.Task[None] | None:
    """Load the models, waiting for them at most `settings.startup_wait_seconds`; if they take longer
    (they are being built), serve meanwhile with a matcher of the words alone and swap the whole models
    in when they are done (the returned task). Either way, stale catalogs are then re-tagged."""
    session_factory = app.state.session_factory
    stand_in: ServiceModels | None = None
    still_to_build: tuple[str, ...] = (TITLE_INDEX, SKILL_SPACE)

    def on_step(parts: tuple[str, ...]) -> None:  # in the build's thread
        nonlocal stand_in, still_to_build
        still_to_build = parts
        if stand_in is not None and app.state.models is stand_in:
            stand_in = replace(stand_in, building=parts)
            app.state.models = stand_in

    def load() -> ServiceModels:
        with long_lived():  # the matcher's structures and the skill space: millions of objects
            return load_models(
                session_factory,
                settings.matcher_backend,
                settings.index_dir,
                settings.data_dir,
                settings.max_institution_share,
                on_step=on_step,
                threads=settings.threads_per_worker(),
            )

    loading = asyncio.wrap_future(_in_daemon_thread(load))
    try:
        models = await asyncio.wait_for(asyncio.shield(loading), settings.startup_wait_seconds)
    except TimeoutError:
        logger.info("the models are being built: serving meanwhile with job-title matching on words alone")
        words = await asyncio.to_thread(
            load_matching, session_factory, NO_EMBEDDINGS, settings.index_dir, settings.data_dir
        )
        if words is not None:
            stand_in = ServiceModels(words.matcher, words.suggester, building=still_to_build)
            app.state.models = stand_in
        return asyncio.create_task(_swap_when_built(app, loading, stand_in, settings, upload_jobs))
    _serve(app, models, settings, upload_jobs)
    return None


def _in_daemon_thread(work: Callable[[], ServiceModels]) -> "Future[ServiceModels]":
    """Run `work` in a thread of its own that does not hold the process up at shutdown (a first build
    interrupted by Ctrl-C is simply started again next time: its caches are written whole or not at all)."""
    result: Future[ServiceModels] = Future()

    def run() -> None:
        try:
            result.set_result(work())
        except BaseException as error:
            result.set_exception(error)

    threading.Thread(target=run, name="model-build", daemon=True).start()
    return result


async def _swap_when_built(
    app: FastAPI,
    loading: "asyncio.Future[ServiceModels]",
    stand_in: ServiceModels | None,
    settings: Settings,
    upload_jobs: JobRunner,
) -> None:
    try:
        models = await loading  # cancelled at shutdown: the build's daemon thread ends with the process
    except Exception as error:
        logger.exception("building the models failed; job-title search goes on with words alone")
        if stand_in is not None:
            app.state.models = replace(app.state.models, building=(), failed=f"{type(error).__name__}: {error}")
        return
    _serve(app, models, settings, upload_jobs)
    if stand_in is not None:
        stand_in.close()
    logger.info("the models are built: job-title search and recommendations are whole")


def learning_arm_for(settings: Settings, feedback: FeedbackCache | None) -> LearningArm | None:
    """The learning arm when `LMI_LEARNING_ARM` names it, with the feedback it reads (the trusted events,
    read again in the background every few minutes)."""
    if settings.learning_arm is None or feedback is None:
        return None
    return LearningArm(settings.learning_arm, feedback.observed, share=settings.learning_arm_share)


def _serve(app: FastAPI, models: ServiceModels, settings: Settings, upload_jobs: JobRunner) -> None:
    if models.recommender is not None:
        models.recommender.learner = app.state.learning_arm
    app.state.models = models
    space = models.skill_space
    if space is not None and settings.retag_on_startup:
        upload_jobs.run_in_background(lambda: retag_stale_catalogs(app.state.session_factory, space))
