"""The upload worker: jobs run in order in the background, report progress, and end with a result
or the error that stopped them."""

import threading
from collections.abc import Callable

import pytest

from catalog.exceptions import InvalidCatalog, UploadCancelled
from catalog.fields import RowError
from catalog.jobs import JobRunner, UploadJob
from catalog.uploads import UploadResult

RESULT = UploadResult(7, 1, False, 2, 2, 0, [])


def test_a_job_runs_reports_progress_and_succeeds() -> None:
    runner = JobRunner()
    release = threading.Event()

    def work(job: UploadJob) -> UploadResult:
        job.advance("written", 1000)
        release.wait(5)
        job.advance("written", 500)
        return RESULT

    job = runner.submit(7, work)
    assert not job.wait(0.05)
    assert job.status == "running"
    assert job.rows_written == 1000
    release.set()
    assert job.wait(5)
    assert (job.status, job.rows_written, job.result, job.error) == ("succeeded", 1500, RESULT, None)
    assert runner.get(job.id) is job
    runner.close()


def test_a_failing_job_keeps_its_error() -> None:
    runner = JobRunner()
    error = InvalidCatalog([RowError(3, "url", "bad")], 3)

    def work(_: UploadJob) -> UploadResult:
        raise error

    job = runner.submit(7, work)
    assert job.wait(5)
    assert (job.status, job.error, job.result) == ("failed", error, None)
    runner.close()


def test_jobs_run_one_after_the_other() -> None:
    runner = JobRunner()
    order: list[int] = []

    def work(number: int) -> Callable[[UploadJob], UploadResult]:
        def run(_: UploadJob) -> UploadResult:
            order.append(number)
            return RESULT

        return run

    jobs = [runner.submit(7, work(number)) for number in range(5)]
    assert all(job.wait(5) for job in jobs)
    assert order == [0, 1, 2, 3, 4]
    runner.close()


def test_close_waits_for_the_running_job_and_cancels_the_queued_ones() -> None:
    runner = JobRunner()
    started = threading.Event()

    def slow(job: UploadJob) -> UploadResult:
        started.set()
        threading.Event().wait(0.2)
        return RESULT

    running = runner.submit(7, slow)
    queued = runner.submit(7, slow)
    assert started.wait(5)
    runner.close()
    assert (running.status, queued.status) == ("succeeded", "failed")
    assert isinstance(queued.error, UploadCancelled)
    with pytest.raises(RuntimeError):
        runner.submit(7, slow)
