"""The upload worker: jobs run in order in the background, report progress, and end with a result or
the error that stopped them; their state is in the database, so another process of the service (here,
another runner on the same database) answers a poll, and a job whose process stopped is reported so."""

import datetime as dt
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

import catalog.jobs
from catalog.exceptions import InvalidCatalog, UploadCancelled
from catalog.fields import RowError
from catalog.jobs import JobRunner, UploadJob
from catalog.uploads import UploadResult
from models.accounts import Institution
from models.catalog import UploadJobRecord


def describe(error: Exception) -> dict[str, Any]:
    return {"type": type(error).__name__, "detail": str(error)}


@pytest.fixture
def runner(session_factory: sessionmaker[Session]) -> Iterator[JobRunner]:
    running = JobRunner(session_factory, describe)
    yield running
    running.close()


def result_for(institution: Institution) -> UploadResult:
    return UploadResult(institution.id, 1, False, 3, 2, 1, [RowError(3, "url", "not a link")])


def wait_until(condition: Callable[[], bool]) -> None:
    pause = threading.Event()
    for _ in range(100):
        if condition():
            return
        pause.wait(0.05)
    raise AssertionError("the condition did not come true in time")


def test_a_job_runs_reports_progress_and_succeeds(
    runner: JobRunner, institution: Institution, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalog.jobs, "PROGRESS_EVERY_SECONDS", 0.05)
    release = threading.Event()

    def work(job: UploadJob) -> UploadResult:
        job.advance("tagged", 20)
        job.advance("written", 1000)
        release.wait(5)
        job.advance("written", 500)
        return result_for(institution)

    job = runner.submit(institution.id, work)

    def progress() -> tuple[str, int, int] | None:
        state = runner.get(job.id)
        return None if state is None else (state.status, state.courses_tagged, state.rows_written)

    wait_until(lambda: progress() == ("running", 20, 1000))  # written apart from the work, within a second
    release.set()
    assert job.wait(5)
    assert (job.status, job.rows_written, job.result, job.error) == ("succeeded", 1500, result_for(institution), None)
    state = runner.get(job.id)
    assert state is not None
    assert (state.status, state.rows_written, state.result, state.problem) == (
        "succeeded",
        1500,
        result_for(institution),
        None,
    )
    assert state.finished_at is not None and state.finished_at >= state.created_at


def test_a_failing_job_keeps_its_error_and_reports_its_problem(runner: JobRunner, institution: Institution) -> None:
    error = InvalidCatalog([RowError(3, "url", "bad")], 3)

    def work(_: UploadJob) -> UploadResult:
        raise error

    job = runner.submit(institution.id, work)
    assert job.wait(5)
    assert (job.status, job.error, job.result) == ("failed", error, None)
    state = runner.get(job.id)
    assert state is not None
    assert (state.status, state.result, state.problem) == ("failed", None, describe(error))


def test_jobs_run_one_after_the_other(runner: JobRunner, institution: Institution) -> None:
    order: list[int] = []

    def work(number: int) -> Callable[[UploadJob], UploadResult]:
        def run(_: UploadJob) -> UploadResult:
            order.append(number)
            return result_for(institution)

        return run

    jobs = [runner.submit(institution.id, work(number)) for number in range(5)]
    assert all(job.wait(5) for job in jobs)
    assert order == [0, 1, 2, 3, 4]


def test_another_process_answers_the_poll(
    session_factory: sessionmaker[Session], runner: JobRunner, institution: Institution
) -> None:
    other = JobRunner(session_factory, describe)  # another worker of the service, on the same database
    try:
        release = threading.Event()

        def work(_: UploadJob) -> UploadResult:
            release.wait(5)
            return result_for(institution)

        job = runner.submit(institution.id, work)
        seen = other.get(job.id)
        assert seen is not None and seen.status in ("queued", "running") and seen.institution_id == institution.id
        release.set()
        assert job.wait(5)
        seen = other.get(job.id)
        assert seen is not None and (seen.status, seen.result) == ("succeeded", result_for(institution))
        assert other.get("0" * 32) is None
    finally:
        other.close()


def test_close_waits_for_the_running_job_and_cancels_the_queued_ones(
    session_factory: sessionmaker[Session], institution: Institution
) -> None:
    runner = JobRunner(session_factory, describe)
    started = threading.Event()

    def slow(job: UploadJob) -> UploadResult:
        started.set()
        threading.Event().wait(0.2)
        return result_for(institution)

    running = runner.submit(institution.id, slow)
    queued = runner.submit(institution.id, slow)
    assert started.wait(5)
    runner.close()
    assert (running.status, queued.status) == ("succeeded", "failed")
    assert isinstance(queued.error, UploadCancelled)
    recorded = runner.get(queued.id)
    assert recorded is not None and recorded.status == "failed"
    assert recorded.problem == describe(UploadCancelled())
    with pytest.raises(RuntimeError):
        runner.submit(institution.id, slow)


def test_a_job_whose_process_stopped_is_reported_interrupted(
    session_factory: sessionmaker[Session], runner: JobRunner, institution: Institution
) -> None:
    """A process killed while it ran a job never records its end: once the job has not been touched for
    a while, a poll answers that it was interrupted (its catalog is unchanged)."""
    release = threading.Event()

    def work(_: UploadJob) -> UploadResult:
        release.wait(5)
        return result_for(institution)

    job = runner.submit(institution.id, work)
    with session_factory.begin() as session:  # as if its process had stopped touching it long ago
        session.execute(
            update(UploadJobRecord)
            .where(UploadJobRecord.id == job.id)
            .values(updated_at=dt.datetime.now(dt.UTC) - catalog.jobs.STALE_AFTER - dt.timedelta(seconds=1))
        )
    state = runner.get(job.id)
    assert state is not None and state.status == "failed" and state.result is None
    assert state.problem is not None and state.problem["type"] == "UploadInterrupted"
    release.set()
    assert job.wait(5)
