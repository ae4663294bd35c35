"""The service's Prometheus metrics (prometheus_client), for `/metrics` (service.api.metrics).

- `lmi_http_requests_total{route, method, status}` and `lmi_http_request_duration_seconds{route}`:
  every answer, by route template (`/v1/occupations/{noc_code}`, never the path as sent: no ids, no
  query, nothing a person typed), counted by service.http.observe;
- `lmi_embedding_queue_jobs`: embedding jobs waiting for the model (a person's search, or a batch's
  chunk of at most 16 texts);
- `lmi_upload_jobs{status}`: catalog upload jobs queued and running in the workers (`set_upload_jobs`, from
  the upload job store's counts of its process);
- `lmi_events_ingested_total{type, source}`: events stored (committed), by type and source (`client`:
  sent to `POST /v1/events`; `server`: logged by the service itself);
- `lmi_ready`: 1 when `/readyz` would answer 200, else 0.

No label holds personal data: routes are templates, methods and statuses are from short fixed lists.

**Several workers.** With `lmi serve --workers N` each worker is a process with its own counts; a scrape
reaches one of them. prometheus_client's multiprocess mode makes each process write its values into
files of one folder, `PROMETHEUS_MULTIPROC_DIR`, and a scrape of any worker sums the folder's files: the
whole host. The supervising process calls `prepare_multiprocess_dir` before it starts the workers (the
variable must be set before a worker imports prometheus_client: the workers inherit it), and
`worker_exited(pid)` when a worker ends, so that the gauges of dead workers stop counting; a scrape
also drops the gauges of workers that are no longer running (`prune_dead_workers`), should one die
unnoticed. Counters and histograms of a dead worker keep counting in the sums: its requests happened.
The gauges: the embedding queue and the upload jobs are summed over the live workers (each has its own
model and queue, and runs the uploads it accepted), readiness is the least of the live workers' (the host
is ready when every worker is). Without the variable (one process), the values live in the process, and
the folder is not needed.
"""

import contextlib
import functools
import os
import re
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    disable_created_metrics,
    multiprocess,
)
from prometheus_client.exposition import choose_encoder, generate_latest
from prometheus_client.metrics_core import Metric

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
# No `_created` series beside each counter and histogram: when they started is not needed.
disable_created_metrics()  # type: ignore[no-untyped-call]
METHODS = frozenset(("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"))
# From a cached reference answer (a few ms) to a batch of 1,000 titles or a catalog upload waited for.
DURATION_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UPLOAD_JOB_STATUSES = ("queued", "running")

HTTP_REQUESTS = Counter(
    "lmi_http_requests", "HTTP requests answered, by route template, method and status.", ("route", "method", "status")
)
HTTP_DURATION = Histogram(
    "lmi_http_request_duration_seconds",
    "Time to answer an HTTP request (to the end of its body), by route template.",
    ("route",),
    buckets=DURATION_BUCKETS,
)
UPLOAD_JOBS = Gauge(
    "lmi_upload_jobs", "Catalog upload jobs by status, of the live workers.", ("status",), multiprocess_mode="livesum"
)
EVENTS_INGESTED = Counter("lmi_events_ingested", "Events stored, by type and source.", ("type", "source"))


# The gauges without labels are made when first set, not when this module is imported: in multiprocess
# mode a gauge made is a value written, and a process that imports the service without serving (the
# supervisor of the workers) would hold `lmi_ready` at 0 for the whole host.
@functools.cache
def _embedding_queue() -> Gauge:
    return Gauge(
        "lmi_embedding_queue_jobs",
        "Embedding jobs waiting for the model: a person's search, or a batch's chunk of at most 16 texts.",
        multiprocess_mode="livesum",
    )


@functools.cache
def _ready() -> Gauge:
    return Gauge("lmi_ready", "1 when the service is ready (/readyz answers 200), else 0.", multiprocess_mode="livemin")


def set_embedding_queue(jobs: int) -> None:
    _embedding_queue().set(jobs)


def set_ready(ready: bool) -> None:
    _ready().set(1 if ready else 0)


def method_label(method: str) -> str:
    """`method`, or `other` for a method no route answers (any word can be sent as a method)."""
    return method if method in METHODS else "other"


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    HTTP_REQUESTS.labels(route, method_label(method), str(status)).inc()
    HTTP_DURATION.labels(route).observe(seconds)


def count_events(events: Iterable[tuple[str, str]]) -> None:
    """Count stored events, each given as (type, source)."""
    for event_type, source in events:
        EVENTS_INGESTED.labels(event_type, source).inc()


def set_upload_jobs(counts: Mapping[str, int]) -> None:
    """This process's catalog upload jobs by status (a status left out counts 0)."""
    for status in dict.fromkeys((*UPLOAD_JOB_STATUSES, *counts)):
        UPLOAD_JOBS.labels(status).set(counts.get(status, 0))


class _Forward:
    """Another registry's metrics, as a collector (the process's own, in one-process mode)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        yield from self.registry.collect()


def multiprocess_dir() -> Path | None:
    """The folder the workers write their values into, or None in one-process mode."""
    path = os.environ.get(MULTIPROC_ENV)
    return Path(path) if path else None


def render(accept: str | None) -> tuple[bytes, str]:
    """The exposition (Prometheus text format, or OpenMetrics when `accept` asks for it) of every metric
    of this host, and its content type."""
    registry = CollectorRegistry(auto_describe=False)
    folder = multiprocess_dir()
    if folder is not None:
        prune_dead_workers(folder)
        multiprocess.MultiProcessCollector(registry, path=str(folder))  # type: ignore[no-untyped-call]
    else:
        registry.register(_Forward(REGISTRY))
    try:
        encoder, content_type = choose_encoder(accept or "")
    except ValueError:  # a version it cannot read
        encoder, content_type = generate_latest, "text/plain; version=0.0.4; charset=utf-8"
    return encoder(registry), content_type


# For the supervising process of several workers.


def prepare_multiprocess_dir(path: Path | None = None) -> Path:
    """Before the workers start: make the folder the workers write their metrics into, or empty it of a
    previous run's files, and set PROMETHEUS_MULTIPROC_DIR for the workers to inherit. The folder is
    `path`, else PROMETHEUS_MULTIPROC_DIR if set, else a new temporary folder (removed by
    `remove_multiprocess_dir`). One folder per host (per container), never shared between hosts:
    worker processes are told apart by their process ids."""
    folder = path or multiprocess_dir() or Path(tempfile.mkdtemp(prefix="lmi-metrics-"))
    folder.mkdir(parents=True, exist_ok=True)
    for stale in folder.glob("*.db"):
        stale.unlink()
    os.environ[MULTIPROC_ENV] = str(folder)
    return folder


def worker_exited(pid: int) -> None:
    """When a worker process has ended (or is replaced): its gauges no longer count. Its counters and
    histograms still do."""
    folder = multiprocess_dir()
    if folder is not None:
        multiprocess.mark_process_dead(pid, str(folder))  # type: ignore[no-untyped-call]


def remove_multiprocess_dir(folder: Path) -> None:
    """After the last worker has ended, if the folder was made by `prepare_multiprocess_dir` for this run."""
    shutil.rmtree(folder, ignore_errors=True)


LIVE_GAUGE_FILE = re.compile(r"gauge_live[a-z]+_(?P<pid>[0-9]+)\.db")


def prune_dead_workers(folder: Path) -> None:
    """Drop the gauges of processes of this host that no longer run (a worker that died unnoticed)."""
    for file in folder.glob("gauge_live*.db"):
        match = LIVE_GAUGE_FILE.fullmatch(file.name)
        if match is not None and not _running(int(match["pid"])):
            multiprocess.mark_process_dead(int(match["pid"]), str(folder))  # type: ignore[no-untyped-call]


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: running
        return True
    return True


def worker_stopping() -> None:
    """A worker ending on its own (its lifespan's end): its gauges no longer count."""
    with contextlib.suppress(OSError):
        worker_exited(os.getpid())
