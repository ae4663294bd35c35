"""Catalog uploads as jobs: an upload runs in the background, its progress readable while it runs.

The route waits a few seconds for the job; a longer upload is answered at once with the job, which
the client polls. Jobs run one at a time, each in its own session and transaction, so an upload
that fails or is interrupted (the process killed) leaves the old catalog serving. Job states live
in this process's memory: after a restart an unfinished job is unknown, and its catalog unchanged.
"""

import datetime as dt
import logging
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Literal

from sqlalchemy.orm import Session

from catalog.exceptions import CatalogError, UploadCancelled
from catalog.reading import Format
from catalog.skill_space import SkillSpace
from catalog.uploads import TAGGED, UploadResult, upload_catalog
from models.accounts import Institution

Status = Literal["queued", "running", "succeeded", "failed"]
KEPT_JOBS = 1000  # finished jobs remembered, newest first
logger = logging.getLogger(__name__)


@dataclass
class UploadJob:
    id: str
    institution_id: int
    created_at: dt.datetime
    status: Status = "queued"
    courses_tagged: int = 0
    rows_written: int = 0
    result: UploadResult | None = None
    error: Exception | None = None
    finished_at: dt.datetime | None = None
    _done: threading.Event = field(default_factory=threading.Event, repr=False)

    def advance(self, stage: str, courses: int) -> None:
        if stage == TAGGED:
            self.courses_tagged += courses
        else:
            self.rows_written += courses

    def wait(self, seconds: float) -> bool:
        """True when the job has finished within `seconds`."""
        return self._done.wait(seconds)

    def finish(self, result: UploadResult | None, error: Exception | None) -> None:
        self.result, self.error = result, error
        self.status = "failed" if error is not None else "succeeded"
        self.finished_at = dt.datetime.now(dt.UTC)
        self._done.set()


Work = Callable[[UploadJob], UploadResult]


class JobRunner:
    """One worker thread running upload jobs in order; created and closed with the application."""

    def __init__(self) -> None:
        self._jobs: OrderedDict[str, UploadJob] = OrderedDict()
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-upload")

    def submit(self, institution_id: int, work: Work) -> UploadJob:
        job = UploadJob(uuid.uuid4().hex, institution_id, dt.datetime.now(dt.UTC))
        self._worker.submit(self._run, job, work)  # raises once closed: the job is then not kept
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > KEPT_JOBS:
                oldest = next(iter(self._jobs.values()))
                if oldest.finished_at is None:
                    break
                self._jobs.popitem(last=False)
        return job

    def run_in_background(self, work: Callable[[], object]) -> None:
        """Queue other catalog work (re-tagging) behind the uploads already queued; failures are logged."""

        def logged() -> None:
            try:
                work()
            except Exception:
                logger.exception("background catalog work failed")

        self._worker.submit(logged)

    def get(self, job_id: str) -> UploadJob | None:
        with self._lock:
            return self._jobs.get(job_id)

    def close(self) -> None:
        """Wait for the running job, then stop: queued jobs are cancelled and end as failed."""
        self._worker.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            unfinished = [job for job in self._jobs.values() if job.finished_at is None]
        for job in unfinished:
            job.finish(None, UploadCancelled())

    @staticmethod
    def _run(job: UploadJob, work: Work) -> None:
        job.status = "running"
        try:
            result = work(job)
        except Exception as error:
            # Any failure is the job's outcome, reported to its client; unexpected ones are logged too.
            if not isinstance(error, CatalogError):
                logger.exception("catalog upload job %s failed", job.id)
            job.finish(None, error)
        else:
            job.finish(result, None)


def start_upload(
    runner: JobRunner,
    session_factory: Callable[[], Session],
    institution_id: int,
    content: bytes,
    file_format: Format,
    skill_space: SkillSpace | None = None,
    **options: Any,
) -> UploadJob:
    """Queue the upload of a catalog (see `upload_catalog` for `options`) in a session of its own."""

    def work(job: UploadJob) -> UploadResult:
        with session_factory() as session:
            institution = session.get_one(Institution, institution_id)
            result = upload_catalog(
                session, institution, content, file_format, progress=job.advance, skill_space=skill_space, **options
            )
            session.commit()
            return result

    return runner.submit(institution_id, work)
