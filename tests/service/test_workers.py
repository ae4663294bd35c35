"""`lmi serve --workers 2`: two worker processes on one port. A poll of an upload job is answered by
whichever worker it reaches, a worker killed with `kill -9` is started again while the other serves,
and the rate limits hold for the host as a whole (each worker counts its share in memory; a shared
Redis counts them exactly, as it does for several hosts)."""

import os
import signal
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
import redis
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accounts.institutions import create_institution
from accounts.keys import create_key
from tests.support.live_server import live_server

CATALOG = b"course_id,title,url\nW1,Welding basics,https://example.ca/w1\nN1,Practical nursing,https://example.ca/n1\n"
REDIS_URL = os.environ.get("LMI_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def worker_pids(supervisor: int) -> set[int]:
    """The supervisor's worker processes (uvicorn starts them with multiprocessing's spawn)."""
    children = Path(f"/proc/{supervisor}/task/{supervisor}/children").read_text().split()
    workers = set()
    for child in map(int, children):
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes()
        except FileNotFoundError:
            continue
        if b"spawn_main" in command:
            workers.add(child)
    return workers


def wait_for(condition: Callable[[], bool], seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("the condition did not come true in time")
        time.sleep(0.2)


def fresh_get(url: str, **options: object) -> httpx.Response:
    """A request on a connection of its own: the kernel hands it to either worker."""
    with httpx.Client(timeout=30) as client:
        return client.get(url, **options)  # type: ignore[arg-type]


def ready(base: str) -> bool:
    try:
        return all(fresh_get(f"{base}/readyz").status_code == 200 for _ in range(6))
    except httpx.TransportError:
        return False


@pytest.fixture
def admin_key(reference_engine: Engine) -> str:
    with Session(reference_engine) as session:
        _, key = create_key(session, "admin")
        session.commit()
    return key


@pytest.fixture
def institution(reference_engine: Engine) -> str:
    with Session(reference_engine) as session:
        slug = create_institution(session, f"Workers {uuid.uuid4().hex[:8]}").slug
        session.commit()
    return slug


def started(log: Path) -> int:
    """How many workers have finished starting (uvicorn logs it once per worker)."""
    return log.read_text(errors="replace").count("Application startup complete")


def test_two_workers_share_jobs_and_a_killed_worker_is_replaced(
    reference_database_url: str, index_dir: Path, admin_key: str, institution: str, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    with live_server(
        reference_database_url, index_dir, log=log, LMI_LOG_LEVEL="info", LMI_WORKERS="2",
        LMI_UPLOAD_WAIT_SECONDS="0",
        LMI_RATE_LIMIT_ADDRESS="10/minute",
    ) as (base, supervisor):  # fmt: skip
        wait_for(lambda: len(worker_pids(supervisor.pid)) == 2 and started(log) == 2 and ready(base))
        first = worker_pids(supervisor.pid)
        # In memory, each worker allows its share of the limit (5): the host never more than the limit.
        assert 5 <= allowed(base, 30) <= 10
        # One scrape of either worker counts the requests both served.
        scraped = fresh_get(f"{base}/metrics").text
        searches = [
            float(line.rsplit(" ", 1)[1])
            for line in scraped.splitlines()
            if line.startswith("lmi_http_requests_total{") and 'route="/v1/occupations/search"' in line
        ]
        assert sum(searches) == 30

        headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": "text/csv"}
        with httpx.Client(timeout=60) as client:
            upload = client.put(
                f"{base}/v1/institutions/{institution}/catalog?dry_run=true", content=CATALOG, headers=headers
            )
        assert upload.status_code == 202, upload.text
        job = upload.headers["Location"]
        statuses = []
        for _ in range(40):  # polls on connections of their own reach both workers
            poll = fresh_get(f"{base}{job}", headers=headers)
            assert poll.status_code == 200, poll.text
            statuses.append(poll.json()["status"])
            if statuses[-1] == "succeeded" and len(statuses) >= 10:
                break
            time.sleep(0.1)
        assert statuses[-1] == "succeeded"

        victim = min(first)
        os.kill(victim, signal.SIGKILL)
        answers = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                answers.append(fresh_get(f"{base}/healthz").status_code)
            except httpx.TransportError:
                answers.append(0)  # a connection the dying worker had accepted
            workers = worker_pids(supervisor.pid)
            if len(workers) == 2 and victim not in workers and started(log) == 3:
                break
        assert victim not in worker_pids(supervisor.pid) and len(worker_pids(supervisor.pid)) == 2
        assert all(status in (0, 200) for status in answers)
        assert answers.count(200) >= len(answers) - 2


def allowed(base: str, requests: int) -> int:
    return sum(
        fresh_get(f"{base}/v1/occupations/search", params={"q": "welder"}).status_code == 200 for _ in range(requests)
    )


@pytest.fixture
def shared_storage() -> Iterator[str]:
    try:
        redis.Redis.from_url(REDIS_URL).flushdb()
    except redis.RedisError as error:
        pytest.fail(f"these tests need Redis at {REDIS_URL} (set LMI_TEST_REDIS_URL): {error}")
    yield REDIS_URL
    redis.Redis.from_url(REDIS_URL).flushdb()


def test_the_rate_limits_hold_exactly_across_workers_in_a_shared_storage(
    reference_database_url: str, index_dir: Path, shared_storage: str, tmp_path: Path
) -> None:
    if reference_database_url.startswith("sqlite"):
        pytest.skip("the rate limits' storage does not depend on the database: tested once, with PostgreSQL")
    log = tmp_path / "serve.log"
    with live_server(
        reference_database_url, index_dir, log=log, LMI_LOG_LEVEL="info", LMI_WORKERS="2",
        LMI_RATE_LIMIT_ADDRESS="10/minute",
        LMI_RATE_LIMIT_STORAGE=shared_storage,
    ) as (base, supervisor):  # fmt: skip
        wait_for(lambda: len(worker_pids(supervisor.pid)) == 2 and started(log) == 2 and ready(base))
        assert allowed(base, 30) == 10  # counted in one place: exactly the limit
