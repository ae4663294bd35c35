"""What the metrics read from a running worker: the gauges, refreshed every few seconds and at each
scrape, and the events stored, counted as their transactions commit. Wraps the application's lifespan
(service.lifespan) so that each worker process does this for itself (see service.metrics for how the
workers' values meet)."""

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker
from starlette.datastructures import State

from analytics.store import INSERTED_EVENTS
from service.api.health import not_ready
from service.metrics import count_events, set_embedding_queue, set_ready, set_upload_jobs, worker_stopping
from service.state import ServiceModels

REFRESH_SECONDS = 5.0
logger = logging.getLogger(__name__)
Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def embedding_jobs_waiting(models: ServiceModels) -> int:
    """Jobs waiting for the embedding workers of `models` (the matcher's, which tagging and recommendations
    share, and the skill space's own when matching is on words alone)."""
    waiting = 0
    if models.matcher is not None and (embedder := models.matcher.scheduled_embedder(background=False)):
        waiting += embedder.waiting()
    if models.skill_worker is not None:
        waiting += models.skill_worker.waiting()
    return waiting


def upload_job_counts(state: State) -> Mapping[str, int]:
    """The seam to the upload job store: how many of the jobs this process runs are in each status
    (`queued`, `running`), summed over the workers by the metrics."""
    counts: Mapping[str, int] = state.upload_jobs.counts()
    return counts


def refresh_gauges(app: FastAPI) -> None:
    """Set this worker's gauges from what it holds now (blocking: it asks the database for readiness)."""
    state = app.state
    models: ServiceModels = state.models
    set_embedding_queue(embedding_jobs_waiting(models))
    set_upload_jobs(upload_job_counts(state))
    with state.session_factory() as session:
        set_ready(not_ready(session, models) is None)


def refresh_gauges_quietly(app: FastAPI) -> None:
    """`refresh_gauges`, the gauges left as they were when it fails (the database away, a worker closing)."""
    try:
        refresh_gauges(app)
    except (SQLAlchemyError, RuntimeError) as error:
        logger.debug("could not refresh the gauges: %s", error)


async def refresh_every(app: FastAPI, seconds: float) -> None:
    while True:
        await asyncio.to_thread(refresh_gauges_quietly, app)
        await asyncio.sleep(seconds)


def count_committed_events(session_factory: sessionmaker[Session]) -> Callable[[], None]:
    """Count the events each session of `session_factory` stores (analytics.store notes them in the
    session) when its transaction commits; those of a transaction rolled back are not counted. Returns
    what stops counting."""

    def begun(session: Session, transaction: object, connection: object) -> None:
        session.info.pop(INSERTED_EVENTS, None)  # left by a transaction that did not commit

    def committed(session: Session) -> None:
        count_events(session.info.pop(INSERTED_EVENTS, ()))

    event.listen(session_factory, "after_begin", begun)
    event.listen(session_factory, "after_commit", committed)

    def stop() -> None:
        event.remove(session_factory, "after_begin", begun)
        event.remove(session_factory, "after_commit", committed)

    return stop


def observed(lifespan: Lifespan) -> Lifespan:
    """`lifespan`, and while it runs: the events counted, the gauges refreshed every REFRESH_SECONDS; at
    its end, this worker's gauges dropped from the host's sums."""

    @asynccontextmanager
    async def observed_lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with lifespan(app):
            stop_counting = count_committed_events(app.state.session_factory)
            refreshing = asyncio.create_task(refresh_every(app, REFRESH_SECONDS))
            try:
                yield
            finally:
                refreshing.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await refreshing
                stop_counting()
        worker_stopping()

    return observed_lifespan
