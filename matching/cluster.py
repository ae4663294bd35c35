"""Coding a CSV on a Ray cluster (`lmi code --engine ray`): the rows the local engine codes, coded by
the same function (:func:`matching.coding.code_records`) in worker processes that each load the
matcher once, written in input order into the same atomically renamed file.

How it runs:

1. The driver (this process) reads the input through once with the local engine's reader
   (:func:`matching.coding.scan_input`): an unreadable file stops here, with the local engine's
   message, before anything starts; what is kept is where every chunk of 256 rows ends (8 bytes a
   chunk, so 100 M rows are 3 MB of offsets).
2. It loads the matcher once itself (:func:`prepare_matcher`), which builds whatever the index folder
   lacks, and notes the files the workers will load.
3. It connects to the cluster at `address` (or RAY_ADDRESS), or starts a local one with one CPU per
   worker, and gives Ray Data the file as byte ranges of whole chunks. ``map_batches`` runs a fixed
   pool of actors, one CPU and one intra-op thread each (:class:`_CodingWorker`): each loads the
   matcher (the word structures and ESCO links travel through Ray's object store; the embedding
   model and index are read from the index folder, which must be at the same path on every node),
   reads its ranges from the input file (also at the same path on every node), codes them chunk by
   chunk exactly as the local engine does and returns CSV text.
4. The driver writes the ranges' text as it comes back, in order (``preserve_order``), to the
   temporary file that is renamed into place at the end.

Ray is imported lazily: ``import matching`` (and this module) does not import it. It comes with the
``cluster`` extra of lmi-service.
"""

from __future__ import annotations

import csv
import logging
import math
import os
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import numpy as np
from tqdm import tqdm

from matching.assembly import assemble_from_snapshot
from matching.coding import (
    OUTPUT_COLUMNS,
    ByteRange,
    CodingError,
    CodingSummary,
    CsvLayout,
    atomic_output,
    check_output,
    chunks_per_range,
    code_range,
    scan_input,
)
from matching.esco import EscoLabels
from matching.snapshot import MatchingSnapshot
from matching.vector_index import available_cores, cache_key, cache_paths

if TYPE_CHECKING:
    from matching.engine import Matcher

__all__ = [
    "WORKER_THREADS",
    "ClusterError",
    "ClusterSummary",
    "MatcherRecipe",
    "code_csv_on_cluster",
    "prepare_matcher",
    "ray_session",
]

WORKER_THREADS = 1
"""Intra-op threads of the embedding model in each worker: one worker per core."""
WORKER_START_SECONDS = 900
"""How long the workers may take to start and load the matcher (a node may have to be added first)."""
LOCAL_OBJECT_STORE_BYTES = 1 << 30
"""The object store of a local cluster: it holds the matcher's word structures once and the ranges in flight."""
RESULT_COLUMNS = (
    "index",
    "text",
    "rows",
    "matched",
    "errors",
    "began",
    "seconds",
    "cpu_seconds",
    "worker",
    "peak_bytes",
)
"""What a worker returns for each range: its output as CSV text, its counts, when and how long it took."""
TEXT_COLUMNS = frozenset({"text", "worker"})
QUIET_LOGGERS = {
    "ray.data": logging.WARNING,  # not a line per dataset executed: the driver shows its own progress
    "ray.data._internal.progress": logging.ERROR,  # "progress bars disabled": on purpose
    "ray._private.authentication.authentication_token_setup": logging.ERROR,  # "token authentication is enabled"
}
INSTALL_HINT = "`pip install 'lmi-service[cluster]'` (`make install` does)"


class ClusterError(CodingError):
    """The cluster could not code the file (no output is written)."""


@dataclass(frozen=True)
class ClusterSummary(CodingSummary):
    workers: int = 0  # worker processes that coded ranges
    nodes: int = 0  # the nodes they ran on
    busy_seconds: float = 0.0  # the workers' time spent coding, added up
    ready_seconds: float = 0.0  # from the start until a worker starts coding: reading, loading, starting
    coding_seconds: float = 0.0  # from then until the last range is coded
    cpu_seconds: float = 0.0  # the CPU time the workers spent coding, added up
    peak_worker_bytes: int = 0  # the largest resident memory of a worker process

    @property
    def rows_per_worker_second(self) -> float:
        """Rows coded per second by one worker process while it codes (per core: one worker a core)."""
        return self.rows / self.busy_seconds if self.busy_seconds > 0 else 0.0


@dataclass(frozen=True)
class MatcherRecipe:
    """What a worker needs to load the driver's matcher: the word structures and the ESCO links
    themselves (sent through the object store), the embedding model and index from `index_dir`."""

    snapshot: MatchingSnapshot
    backend: str
    index_dir: Path
    esco_labels: EscoLabels | None
    index_files: tuple[Path, ...]  # the cached embedding index the driver loaded: never built by a worker

    def load(self, threads: int | None = WORKER_THREADS) -> Matcher:
        missing = [str(path) for path in self.index_files if not path.is_file()]
        if missing:
            raise ClusterError(
                f"{', '.join(missing)} not found on this node: the index folder (LMI_INDEX_DIR) must be at "
                "the same path on every node of the cluster, shared or copied after `lmi build-index`"
            )
        matcher = assemble_from_snapshot(self.snapshot, self.backend, self.index_dir, progress=False, threads=threads)
        matcher.esco_labels = self.esco_labels
        return matcher


def prepare_matcher(
    snapshot: MatchingSnapshot, backend: str, index_dir: Path, esco_file: Path | None, *, progress: bool = True
) -> MatcherRecipe:
    """Load the matcher once here, as the local engine does, so that whatever the index folder lacks
    (the embedding index, the ESCO links) is built now, once, rather than by every worker."""
    with assemble_from_snapshot(snapshot, backend, index_dir, progress=progress, esco_file=esco_file) as matcher:
        files: tuple[Path, ...] = ()
        if matcher.embedder is not None:
            key = cache_key(matcher.embedder, [entry.title for entry in snapshot.passages])
            files = cache_paths(index_dir, matcher.embedder.name, key)
        return MatcherRecipe(snapshot, backend, index_dir, matcher.esco_labels, files)


@dataclass(frozen=True)
class ClusterInfo:
    workers: int  # the size of the actor pool
    cpus: int  # the cluster's CPUs


@contextmanager
def ray_session(address: str | None = None, workers: int | None = None) -> Iterator[ClusterInfo]:
    """Connected to Ray: to the cluster this process is already connected to, else to `address` (or
    RAY_ADDRESS), else to a local cluster started here with `workers` CPUs (default: one a core),
    stopped at the end. The pool is `workers` actors, by default one per CPU of the cluster."""
    ray = _import_ray()
    connected_here = not ray.is_initialized()
    if connected_here:
        address = address or os.environ.get("RAY_ADDRESS") or None
        quiet = {"logging_level": logging.WARNING, "configure_logging": True}
        try:
            if address:
                ray.init(address=address, **quiet)
            else:
                ray.init(
                    address="local",  # a new cluster, even if `ray start` left one running on this machine
                    num_cpus=workers or available_cores(),
                    object_store_memory=LOCAL_OBJECT_STORE_BYTES,
                    include_dashboard=False,
                    **quiet,
                )
        except Exception as error:  # Ray raises ConnectionError, ValueError, RuntimeError...
            where = f"the Ray cluster at {address}" if address else "a local Ray cluster"
            raise ClusterError(f"could not connect to {where}: {_last_line(error)}") from error
    try:
        cpus = int(ray.cluster_resources().get("CPU", 0))
        pool = workers or cpus
        if pool < 1 or pool > cpus:
            raise ClusterError(f"{pool} workers asked for, but the cluster has {cpus} CPUs (one worker uses one)")
        yield ClusterInfo(pool, cpus)
    finally:
        if connected_here:
            ray.shutdown()


def code_csv_on_cluster(
    snapshot: MatchingSnapshot,
    backend: str,
    index_dir: Path,
    input_path: Path,
    output_path: Path,
    layout: CsvLayout,
    lang: str = "auto",
    *,
    esco_file: Path | None = None,
    address: str | None = None,
    workers: int | None = None,
    progress: bool = True,
) -> ClusterSummary:
    """Write what :func:`matching.coding.code_csv` writes, coding the rows on a Ray cluster (see the
    module). Raises CodingError when the file cannot be read (before the cluster is used) and
    ClusterError when the cluster fails; either way no output file is left behind."""
    started, started_at = time.perf_counter(), time.time()
    check_output(input_path, output_path)
    scan = scan_input(input_path, layout, progress=progress)
    recipe = prepare_matcher(snapshot, backend, index_dir, esco_file, progress=progress) if scan.rows else None
    with atomic_output(input_path, output_path) as handle:
        csv.writer(handle, delimiter=layout.delimiter).writerow([*layout.header, *OUTPUT_COLUMNS])
        if recipe is None:
            return ClusterSummary(0, 0, time.perf_counter() - started)
        with ray_session(address, workers) as cluster:
            ranges = scan.ranges(chunks_per_range(scan.rows, cluster.workers))
            coded = _coded_ranges(recipe, input_path, layout, lang, ranges, cluster)
            with tqdm(total=scan.rows, unit="row", desc="coding", file=sys.stderr, disable=not progress) as bar:
                totals = _write_in_order(coded, handle, len(ranges), bar)
    return ClusterSummary(
        totals.rows,
        totals.matched,
        time.perf_counter() - started,
        totals.errors,
        workers=len(totals.workers),
        nodes=len({worker.split("/")[0] for worker in totals.workers}),
        busy_seconds=totals.busy_seconds,
        ready_seconds=max(0.0, totals.first_began - started_at),
        coding_seconds=max(0.0, totals.last_ended - totals.first_began),
        cpu_seconds=totals.cpu_seconds,
        peak_worker_bytes=totals.peak_bytes,
    )


@dataclass
class _Totals:
    rows: int = 0
    matched: int = 0
    errors: int = 0
    busy_seconds: float = 0.0
    cpu_seconds: float = 0.0
    first_began: float = math.inf  # when a worker started coding its first range (time.time(), any node)
    last_ended: float = 0.0
    peak_bytes: int = 0
    workers: set[str] = field(default_factory=set)


def _coded_ranges(
    recipe: MatcherRecipe,
    input_path: Path,
    layout: CsvLayout,
    lang: str,
    ranges: list[ByteRange],
    cluster: ClusterInfo,
) -> Iterator[dict[str, Any]]:
    """The coded ranges, one dict each, in input order, as Ray Data's actor pool returns them."""
    ray = _import_ray()
    context = ray.data.DataContext.get_current()
    context.execution_options.preserve_order = True  # the output is written as it comes
    context.enable_progress_bars = False  # the driver shows its own, in rows
    context.print_on_execution_start = False
    # Every worker has loaded its matcher before the first range is sent (else the first one up takes the
    # first ranges); a cluster without room for the pool fails then rather than waiting for ever.
    context.wait_for_min_actors_s = WORKER_START_SECONDS
    items = [{"index": part.index, "start": part.start, "end": part.end, "rows": part.rows} for part in ranges]
    dataset = ray.data.from_items(items, override_num_blocks=len(items)).map_batches(
        _CodingWorker,
        batch_size=1,
        batch_format="numpy",
        # One range at a time per worker: a range is seconds of work, so nothing is gained by queueing
        # more, and the last ones go to whichever worker is free.
        compute=ray.data.ActorPoolStrategy(size=min(cluster.workers, len(ranges)), max_tasks_in_flight_per_actor=1),
        num_cpus=1,
        fn_constructor_kwargs={
            "recipe": ray.put(recipe),
            "input_path": str(input_path.resolve()),
            "layout": layout,
            "lang": lang,
        },
    )
    try:
        yield from dataset.iter_rows()
    except Exception as error:  # whatever Ray raises (a worker's error, a lost node) ends the run
        raise _cluster_error(error) from error


def _write_in_order(coded: Iterator[dict[str, Any]], handle: IO[str], expected: int, bar: tqdm[Any]) -> _Totals:
    """Write each range's text as it comes, checking that they come in order and all of them."""
    totals = _Totals()
    received = 0
    for item in coded:
        if int(item["index"]) != received:
            raise ClusterError(f"range {item['index']} came back in place of range {received}")
        received += 1
        handle.write(item["text"])
        totals.rows += int(item["rows"])
        totals.matched += int(item["matched"])
        totals.errors += int(item["errors"])
        totals.busy_seconds += float(item["seconds"])
        totals.cpu_seconds += float(item["cpu_seconds"])
        totals.first_began = min(totals.first_began, float(item["began"]))
        totals.last_ended = max(totals.last_ended, float(item["began"]) + float(item["seconds"]))
        totals.workers.add(str(item["worker"]))
        totals.peak_bytes = max(totals.peak_bytes, int(item["peak_bytes"]))
        bar.update(int(item["rows"]))
    if received != expected:
        raise ClusterError(f"{expected} ranges were sent to the cluster, {received} came back")
    return totals


class _CodingWorker:
    """A Ray Data actor: loads the matcher once, then codes the byte ranges it is given."""

    def __init__(self, recipe: Any, input_path: str, layout: CsvLayout, lang: str) -> None:
        ray = _import_ray()
        if isinstance(recipe, ray.ObjectRef):
            recipe = ray.get(recipe)
        assert isinstance(recipe, MatcherRecipe)
        self._matcher = recipe.load(threads=WORKER_THREADS)
        self._input = Path(input_path)
        self._layout = layout
        self._lang = lang
        self._name = f"{ray.get_runtime_context().get_node_id()[:12]}/{os.getpid()}"

    def __call__(self, batch: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
        columns: dict[str, list[Any]] = {name: [] for name in RESULT_COLUMNS}
        for index, start, end, rows in zip(batch["index"], batch["start"], batch["end"], batch["rows"], strict=True):
            began, began_at, cpu = time.perf_counter(), time.time(), _cpu_seconds()
            part = ByteRange(int(index), int(start), int(end), int(rows))
            coded = code_range(self._matcher, self._input, part, self._layout, self._lang)
            for name, value in (
                ("index", coded.index),
                ("text", coded.text),
                ("rows", coded.rows),
                ("matched", coded.matched),
                ("errors", coded.errors),
                ("began", began_at),
                ("seconds", time.perf_counter() - began),
                ("cpu_seconds", _cpu_seconds() - cpu),  # the process's: its embedding thread included
                ("worker", self._name),
                ("peak_bytes", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024),  # Linux: kilobytes
            ):
                columns[name].append(value)
        return {
            name: np.array(values, dtype=object if name in TEXT_COLUMNS else None) for name, values in columns.items()
        }


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _import_ray() -> Any:
    try:
        import ray  # noqa: PLC0415 - optional, and slow to import
        import ray.data  # noqa: PLC0415
    except ImportError:
        raise ClusterError(f"the ray engine needs Ray, which is not installed: {INSTALL_HINT}") from None
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    return ray


def _cluster_error(error: BaseException) -> CodingError:
    """The error to report for what Ray raised: a worker's CodingError (a changed input, a missing index
    file) with its own message, anything else with its type and last line."""
    chain: list[BaseException] = []
    current: BaseException | None = error
    while current is not None and current not in chain:
        chain.append(current)
        current = getattr(current, "cause", None) or current.__cause__
    for cause in reversed(chain):  # the worker's own exception first: Ray's wrappers may be instances of it too
        if isinstance(cause, CodingError) and cause.args:
            return ClusterError(str(cause.args[0]))
    # A worker that died in its constructor comes back as an ActorDiedError holding only the text of its
    # traceback, whose last line is the exception's: "matching.cluster.ClusterError: <message>".
    prefixes = [f"{kind.__module__}.{kind.__qualname__}: " for kind in (ClusterError, CodingError)]
    for cause in chain:
        for line in reversed(str(cause).splitlines()):
            for prefix in prefixes:
                if prefix in line:
                    return ClusterError(line.split(prefix, 1)[1].strip())
    return ClusterError(f"the cluster failed: {type(error).__name__}: {_last_line(error)}")


def _last_line(error: BaseException) -> str:
    lines = [line.strip() for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__
