"""Catalog uploads as jobs: an upload runs in the background, its progress readable while it runs.

The route waits a few seconds for the job; a longer upload is answered at once with the job, which
the client polls. A job runs in the process that accepted it, one at a time per process, and owns
its units of work (see `catalog.uploads.upload_catalog`), so an upload that fails or is interrupted
(the process killed) leaves the old catalog serving.

A job's state is kept in the database (table `upload_job`), so that any worker or host of the service
answers its poll. The process running a job writes its status and counts once a second, from a thread
of its own (the work never waits on it); a queued or running job left untouched for
`STALE_AFTER` ran in a process that stopped, and is reported failed (`UploadInterrupted`), its catalog
unchanged.
"""

import datetime as dt
import logging
import threading
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import true, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from catalog.exceptions import CatalogError, UploadCancelled, UploadInterrupted
from catalog.fields import RowError
from catalog.reading import Format
from catalog.skill_space import SkillSpace
from catalog.uploads import TAGGED, UploadResult, upload_catalog
from models.catalog import UploadJobRecord

Status = Literal["queued", "running", "succeeded", "failed"]
UNFINISHED = ("queued", "running")
PROGRESS_EVERY_SECONDS = 1.0  # how often a process writes the state of its unfinished jobs
FINISH_ATTEMPTS = 3  # tries to record how a job ended (a second, then two, between them)
STALE_AFTER = dt.timedelta(seconds=60)  # an unfinished job untouched this long ran in a process that stopped
DescribeError = Callable[[Exception], dict[str, Any]]  # the problem a job's error is reported as
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class JobState:
    """A job as any process reads it from the database."""

    id: str
    institution_id: int
    status: Status
    courses_tagged: int
    rows_written: int
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: UploadResult | None
    problem: dict[str, Any] | None


@dataclass
class UploadJob:
    """A job in the process running it: what the waiting request reads, and the error itself."""

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
    """One worker thread running this process's upload jobs in order, their state written to the
    database; created and closed with the application. `describe_error` gives the problem a failed
    job is reported as (the HTTP edge knows problems; this domain does not)."""

    def __init__(self, session_factory: sessionmaker[Session], describe_error: DescribeError) -> None:
        self._session_factory = session_factory
        self._describe_error = describe_error
        self._jobs: dict[str, UploadJob] = {}  # this process's unfinished jobs
        self._lock = threading.Lock()
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="catalog-upload")
        self._closing = threading.Event()
        self._progress_writer = threading.Thread(target=self._record_progress, name="upload-progress", daemon=True)
        self._progress_writer.start()

    def submit(self, institution_id: int, work: Work) -> UploadJob:
        """Record a queued job (committed before it is queued), then queue it."""
        if self._closing.is_set():
            raise RuntimeError("the upload worker is closed")
        now = dt.datetime.now(dt.UTC)
        job = UploadJob(uuid.uuid4().hex, institution_id, now)
        with self._session_factory.begin() as session:
            session.add(
                UploadJobRecord(
                    id=job.id, institution_id=institution_id, status="queued", courses_tagged=0, rows_written=0,
                    created_at=now, updated_at=now,
                )
            )  # fmt: skip
        with self._lock:
            self._jobs[job.id] = job
        try:
            self._worker.submit(self._run, job, work)
        except RuntimeError as error:  # closed meanwhile
            self._finish(job, None, UploadCancelled())
            raise RuntimeError("the upload worker is closed") from error
        return job

    def run_in_background(self, work: Callable[[], object]) -> None:
        """Queue other catalog work (re-tagging) behind the uploads already queued; failures are logged."""

        def logged() -> None:
            try:
                work()
            except Exception:
                logger.exception("background catalog work failed")

        self._worker.submit(logged)

    def get(self, job_id: str) -> JobState | None:
        """The job as recorded, by whichever process runs it; None when there is none."""
        with self._session_factory() as session:
            record = session.get(UploadJobRecord, job_id)
            if record is None:
                return None
            state = _state_of(record)
        if state.status in UNFINISHED and _untouched(record.updated_at):
            problem = self._describe_error(UploadInterrupted())
            return replace(state, status="failed", problem=problem, result=None)
        return state

    def counts(self) -> dict[str, int]:
        """How many jobs of this process are queued and running (for the metrics)."""
        with self._lock:
            jobs = list(self._jobs.values())
        return {status: sum(job.status == status for job in jobs) for status in UNFINISHED}

    def close(self) -> None:
        """Wait for the running job, then stop: queued jobs are cancelled and end as failed."""
        self._closing.set()
        self._worker.shutdown(wait=True, cancel_futures=True)
        with self._lock:
            unfinished = [job for job in self._jobs.values() if job.finished_at is None]
        for job in unfinished:
            self._finish(job, None, UploadCancelled())

    def _run(self, job: UploadJob, work: Work) -> None:
        job.status = "running"  # written by the progress thread within a second
        try:
            result = work(job)
        except Exception as error:
            # Any failure is the job's outcome, reported to its client; unexpected ones are logged too.
            if not isinstance(error, CatalogError):
                logger.exception("catalog upload job %s failed", job.id)
            self._finish(job, None, error)
        else:
            self._finish(job, result, None)

    def _finish(self, job: UploadJob, result: UploadResult | None, error: Exception | None) -> None:
        ended: dict[str, Any] = {
            "status": "failed" if error is not None else "succeeded",
            "courses_tagged": job.courses_tagged,
            "rows_written": job.rows_written,
            "finished_at": dt.datetime.now(dt.UTC),
            "result": asdict(result) if result is not None else None,
            "problem": self._describe_error(error) if error is not None else None,
        }
        for attempt in range(1, FINISH_ATTEMPTS + 1):
            try:
                self._write(job.id, **ended)
                break
            except SQLAlchemyError:  # the database is busy or away: the waiting request still gets the outcome
                if attempt == FINISH_ATTEMPTS:
                    logger.exception("could not record how upload job %s ended", job.id)
                else:
                    threading.Event().wait(attempt)
        job.finish(result, error)
        with self._lock:
            self._jobs.pop(job.id, None)

    def _write(self, job_id: str, unfinished: bool = False, **values: Any) -> None:
        """Update the job's record (`unfinished`: only while it has not ended, so that progress written
        late never overwrites the end)."""
        condition = UploadJobRecord.status.in_(UNFINISHED) if unfinished else true()
        with self._session_factory.begin() as session:
            session.execute(
                update(UploadJobRecord)
                .where(UploadJobRecord.id == job_id, condition)
                .values(updated_at=dt.datetime.now(dt.UTC), **values)
            )

    def _record_progress(self) -> None:
        """Write the state of this process's unfinished jobs, once a second, apart from the work: a write
        that waits (the upload's own transaction holds SQLite's lock while it writes the courses) or
        fails only delays the figures a poll reads."""
        while not self._closing.wait(max(0.05, PROGRESS_EVERY_SECONDS)):
            with self._lock:
                jobs = [job for job in self._jobs.values() if job.finished_at is None]
            for job in jobs:
                try:
                    self._write(
                        job.id,
                        unfinished=True,
                        status=job.status,
                        courses_tagged=job.courses_tagged,
                        rows_written=job.rows_written,
                    )
                except SQLAlchemyError as error:
                    logger.debug("could not record the progress of upload job %s: %s", job.id, error)


def _untouched(updated_at: dt.datetime) -> bool:
    return dt.datetime.now(dt.UTC) - updated_at > STALE_AFTER


def _state_of(record: UploadJobRecord) -> JobState:
    result = None
    if record.result is not None:
        stored = dict(record.result)
        stored["errors"] = [RowError(**error) for error in stored["errors"]]
        result = UploadResult(**stored)
    return JobState(
        record.id, record.institution_id, record.status, record.courses_tagged, record.rows_written,  # type: ignore[arg-type]
        record.created_at, record.finished_at, result, record.problem,
    )  # fmt: skip


def start_upload(
    runner: JobRunner,
    session_factory: sessionmaker[Session],
    institution_id: int,
    content: bytes,
    file_format: Format,
    skill_space: SkillSpace | None = None,
    **options: Any,
) -> UploadJob:
    """Queue the upload of a catalog (see `upload_catalog` for `options`)."""

    def work(job: UploadJob) -> UploadResult:
        return upload_catalog(
            session_factory, institution_id, content, file_format, progress=job.advance, skill_space=skill_space,
            **options,
        )  # fmt: skip

    return runner.submit(institution_id, work)
