"""One embedding worker shared by people's searches and by batch jobs, people first.

The embedding runtimes are not documented as thread-safe, so one thread calls the model. Work comes
in two priorities: a person's search (interactive) and a batch (a researcher's 1,000 titles, a
CSV being coded). A batch is cut into small chunks queued behind any interactive work, so a search
that arrives while a batch is being embedded waits for at most one chunk (a few milliseconds), not
for the whole batch: with one queue in arrival order a search sent during a 1,000-title batch
waited over a minute. A chunk is cut by length (see :func:`background_chunks`), since a course
description costs as much as ten job titles. Chunking costs a batch little: the runtimes'
throughput barely depends on the batch size beyond a few texts.
"""

import itertools
import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from types import TracebackType
from typing import Protocol

import numpy as np

BACKGROUND_CHUNK_CHARACTERS = 320  # a batch's chunk: ~10 job titles or one course text, about 20 ms of embedding
BACKGROUND_CHUNK_TEXTS = 16
COALESCED_TEXTS = 32  # people's jobs waiting together are embedded in one call of at most this many texts
INTERACTIVE, BACKGROUND, STOP = 0, 1, 2  # priorities: lower first; STOP comes after every queued job


Embed = Callable[[Sequence[str]], np.ndarray]


@dataclass(order=True)
class _Job:
    priority: int
    sequence: int
    texts: list[str] = field(compare=False)
    result: "Future[np.ndarray]" = field(compare=False)
    embed: Embed = field(compare=False)


class EmbeddingScheduler:
    """Runs `embed(texts)` (or `embed_passages(texts)`) on one worker thread, interactive work before
    background chunks."""

    def __init__(
        self, embed: Embed, dimension: int, name: str = "query-embedding", *, embed_passages: Embed | None = None
    ):
        self._embed = embed
        self._embed_passages = embed_passages
        self._dimension = dimension
        self._jobs: queue.PriorityQueue[_Job] = queue.PriorityQueue()
        self._sequence = itertools.count()
        self._closed = False
        self._lock = threading.Lock()
        self._worker = threading.Thread(target=self._run, name=name, daemon=True)
        self._started = False

    def embed(self, texts: Sequence[str], *, background: bool = False, passages: bool = False) -> np.ndarray:
        """Vectors of `texts`, one row each, in order; blocks until they are computed."""
        return self.submit(texts, background=background, passages=passages)()

    def submit(
        self, texts: Sequence[str], *, background: bool = False, passages: bool = False
    ) -> Callable[[], np.ndarray]:
        """Queue `texts` (as passages with `passages`, which needs `embed_passages`); returns a function
        that waits for their vectors (one row each, in order).

        The caller goes on meanwhile (the runtimes release the GIL). Raises RuntimeError once the
        scheduler is closed.
        """
        if not texts:
            empty = np.empty((0, self._dimension), dtype=np.float32)
            return lambda: empty
        embed = self._embed
        if passages:
            if self._embed_passages is None:
                raise ValueError("this scheduler embeds queries only")
            embed = self._embed_passages
        chunks = background_chunks(texts) if background else [list(texts)]
        priority = BACKGROUND if background else INTERACTIVE
        futures = [self._submit(chunk, priority, embed) for chunk in chunks]
        return lambda: np.concatenate([future.result() for future in futures])

    def waiting(self) -> int:
        """How many jobs wait for the worker (a person's texts, or a batch's chunk), for the metrics."""
        return self._jobs.qsize()

    def _submit(self, texts: list[str], priority: int, embed: Embed) -> "Future[np.ndarray]":
        result: Future[np.ndarray] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the embedding worker is closed")
            if not self._started:
                self._worker.start()
                self._started = True
            self._jobs.put(_Job(priority, next(self._sequence), texts, result, embed))
        return result

    def _run(self) -> None:
        while (job := self._jobs.get()).priority != STOP:
            jobs = [
                queued for queued in (job, *self._waiting_like(job)) if queued.result.set_running_or_notify_cancel()
            ]
            if not jobs:
                continue
            try:
                vectors = job.embed([text for queued in jobs for text in queued.texts])
            except BaseException as error:
                for queued in jobs:
                    queued.result.set_exception(error)
                continue
            start = 0
            for queued in jobs:
                queued.result.set_result(vectors[start : start + len(queued.texts)])
                start += len(queued.texts)

    def _waiting_like(self, job: _Job) -> list[_Job]:
        """People's jobs queued behind `job` (one of people's) for the same function, up to
        COALESCED_TEXTS texts in all: run with it in one call, as the runtime embeds a few texts at
        once faster than one after another (eight people searching at once wait less)."""
        if job.priority != INTERACTIVE:
            return []
        taken: list[_Job] = []
        size = len(job.texts)
        while size < COALESCED_TEXTS:
            try:
                waiting = self._jobs.get_nowait()
            except queue.Empty:
                break
            if (
                waiting.priority != INTERACTIVE
                or waiting.embed is not job.embed
                or size + len(waiting.texts) > COALESCED_TEXTS
            ):
                self._jobs.put(waiting)  # back in its place: the queue orders by priority, then arrival
                break
            taken.append(waiting)
            size += len(waiting.texts)
        return taken

    def close(self) -> None:
        """Finish the work already queued, then stop the worker; idempotent."""
        with self._lock:
            if self._closed:
                return
            self._closed = True
            started = self._started
            self._jobs.put(_Job(STOP, next(self._sequence), [], Future(), self._embed))
        if started:
            self._worker.join()

    def __enter__(self) -> "EmbeddingScheduler":
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()


def background_chunks(texts: Sequence[str]) -> list[list[str]]:
    """`texts` in order, cut into chunks of at most BACKGROUND_CHUNK_TEXTS texts and
    BACKGROUND_CHUNK_CHARACTERS characters (a longer text is a chunk of its own)."""
    chunks: list[list[str]] = []
    size = 0
    for text in texts:
        if not chunks or len(chunks[-1]) >= BACKGROUND_CHUNK_TEXTS or size + len(text) > BACKGROUND_CHUNK_CHARACTERS:
            chunks.append([])
            size = 0
        chunks[-1].append(text)
        size += len(text)
    return chunks


class TextEmbedder(Protocol):
    """The two calls of :class:`matching.embeddings.Embedder` that a worker runs."""

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


def worker_for(embedder: TextEmbedder, dimension: int, name: str = "query-embedding") -> EmbeddingScheduler:
    """The one embedding worker of `embedder`, for its queries and its passages."""
    return EmbeddingScheduler(embedder.embed_queries, dimension, name, embed_passages=embedder.embed_passages)


class ScheduledEmbedder:
    """An embedder (the shape of :class:`matching.embeddings.Embedder`) whose calls run on a scheduler's
    worker: as a person's work, or with `background` as a batch's (tagging an upload, building an
    index while the service answers), in small chunks behind every person's search."""

    def __init__(self, scheduler: EmbeddingScheduler, name: str, dimension: int, *, background: bool) -> None:
        self.name = name
        self.dimension = dimension
        self._scheduler = scheduler
        self._background = background

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._scheduler.embed(texts, background=self._background)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._scheduler.embed(texts, background=self._background, passages=True)

    def waiting(self) -> int:
        """How many jobs wait for the worker these calls run on (everyone's, not only these calls')."""
        return self._scheduler.waiting()


BATCH_PAUSE_SECONDS = 0.5  # the longest a batch waits between two items for people's searches to end


class PeopleFirst:
    """Lets a batch's own CPU work (its lexical search and scoring, in Python) give way to people's
    searches: a batch waits between items while any person's search is in progress.

    The embedding worker already puts people first; this does the same for the rest of the work.
    Without it, a person's search that ran beside a batch's lexical phase shared one interpreter
    lock with it and took 150-350 ms instead of about 15. A batch never waits more than
    BATCH_PAUSE_SECONDS per item, so a steady stream of searches slows it but does not stop it.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._searching = 0
        self._idle = threading.Event()
        self._idle.set()

    def __enter__(self) -> "PeopleFirst":
        """A person's search begins."""
        with self._lock:
            self._searching += 1
            self._idle.clear()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        with self._lock:
            self._searching -= 1
            if self._searching == 0:
                self._idle.set()

    def wait_for_people(self, timeout: float = BATCH_PAUSE_SECONDS) -> bool:
        """Block while people's searches are in progress, at most `timeout` seconds; whether none is."""
        return self._idle.wait(timeout)
