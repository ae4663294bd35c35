"""The embedding worker serves people's searches before batch chunks, and batches give way to
people's searches (matching.scheduling)."""

import threading
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from matching.scheduling import (
    BACKGROUND_CHUNK_CHARACTERS,
    BACKGROUND_CHUNK_TEXTS,
    EmbeddingScheduler,
    PeopleFirst,
    ScheduledEmbedder,
    background_chunks,
)


class RecordingEmbedder:
    """Embeds each text as [its length, 0]; records the calls; the first call waits for `release`."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.inside_first_call = threading.Event()
        self.release = threading.Event()

    def __call__(self, texts: Sequence[str]) -> np.ndarray:
        self.calls.append(list(texts))
        if len(self.calls) == 1:
            self.inside_first_call.set()
            self.release.wait(timeout=10)
        return np.array([[float(len(text)), 0.0] for text in texts], dtype=np.float32)


def test_a_search_sent_during_a_batch_is_embedded_after_one_chunk() -> None:
    embedder = RecordingEmbedder()
    batch = [f"title {number}" for number in range(8 * BACKGROUND_CHUNK_TEXTS)]
    chunks = background_chunks(batch)
    with EmbeddingScheduler(embedder, 2) as scheduler:
        waiting_batch = scheduler.submit(batch, background=True)
        assert embedder.inside_first_call.wait(timeout=10)
        waiting_search = scheduler.submit(["cashier"])
        embedder.release.set()
        search_vectors = waiting_search()
        batch_vectors = waiting_batch()
    assert len(chunks) == 8
    assert embedder.calls[0] == chunks[0]
    assert embedder.calls[1] == ["cashier"]  # before the seven other chunks of the batch
    assert embedder.calls[2:] == chunks[1:]
    np.testing.assert_array_equal(search_vectors, [[7.0, 0.0]])
    np.testing.assert_array_equal(batch_vectors[:, 0], [len(text) for text in batch])  # in input order


def test_searches_waiting_together_are_embedded_in_one_call() -> None:
    embedder = RecordingEmbedder()
    batch = [f"title {number}" for number in range(3 * BACKGROUND_CHUNK_TEXTS)]
    with EmbeddingScheduler(embedder, 2) as scheduler:
        waiting_batch = scheduler.submit(batch, background=True)
        assert embedder.inside_first_call.wait(timeout=10)
        searches = [scheduler.submit([title]) for title in ("cook", "welder", "registered nurse")]
        embedder.release.set()
        vectors = [wait() for wait in searches]
        batch_vectors = waiting_batch()
    assert embedder.calls[1] == ["cook", "welder", "registered nurse"]  # one call for the three people
    assert embedder.calls[2:] == background_chunks(batch)[1:]  # a batch's chunks are never merged
    assert [vector[0, 0] for vector in vectors] == [4.0, 6.0, 16.0]
    np.testing.assert_array_equal(batch_vectors[:, 0], [len(text) for text in batch])


def test_an_interactive_request_is_embedded_in_one_call() -> None:
    embedder = RecordingEmbedder()
    embedder.release.set()
    texts = [f"title {number}" for number in range(3 * BACKGROUND_CHUNK_TEXTS)]
    with EmbeddingScheduler(embedder, 2) as scheduler:
        vectors = scheduler.embed(texts)
    assert embedder.calls == [texts]
    assert vectors.shape == (len(texts), 2)


def test_background_chunks_are_cut_by_length() -> None:
    titles = ["cook"] * (BACKGROUND_CHUNK_TEXTS + 1)
    description = "x" * (BACKGROUND_CHUNK_CHARACTERS + 1)
    chunks = background_chunks([*titles, description, "nurse", "welder"])
    assert chunks == [titles[:BACKGROUND_CHUNK_TEXTS], ["cook"], [description], ["nurse", "welder"]]
    assert background_chunks([]) == []


def test_a_scheduled_embedder_runs_queries_and_passages_on_the_worker() -> None:
    seen: list[tuple[str, str]] = []

    def recorder(kind: str) -> Callable[[Sequence[str]], np.ndarray]:
        def embed(texts: Sequence[str]) -> np.ndarray:
            seen.extend((kind, text) for text in texts)
            assert threading.current_thread().name == "query-embedding"
            return np.ones((len(texts), 2), dtype=np.float32)

        return embed

    with EmbeddingScheduler(recorder("query"), 2, embed_passages=recorder("passage")) as scheduler:
        for background in (False, True):
            embedder = ScheduledEmbedder(scheduler, "model", 2, background=background)
            assert embedder.embed_queries(["cook"]).shape == (1, 2)
            assert embedder.embed_passages(["a course", "another"]).shape == (2, 2)
    assert seen == [("query", "cook"), ("passage", "a course"), ("passage", "another")] * 2


def test_an_error_reaches_the_caller_and_the_worker_goes_on() -> None:
    calls = []

    def failing_once(texts: Sequence[str]) -> np.ndarray:
        calls.append(texts)
        if len(calls) == 1:
            raise ValueError("model failed")
        return np.ones((len(texts), 2), dtype=np.float32)

    with EmbeddingScheduler(failing_once, 2) as scheduler:
        with pytest.raises(ValueError, match="model failed"):
            scheduler.embed(["cook"])
        assert scheduler.embed(["cook"]).shape == (1, 2)


def test_close_finishes_queued_work_then_refuses_more() -> None:
    embedder = RecordingEmbedder()
    scheduler = EmbeddingScheduler(embedder, 2)
    waiting = scheduler.submit([f"t{number}" for number in range(3 * BACKGROUND_CHUNK_TEXTS)], background=True)
    assert embedder.inside_first_call.wait(timeout=10)
    closing = threading.Thread(target=scheduler.close)
    closing.start()
    embedder.release.set()
    closing.join(timeout=10)
    assert not closing.is_alive()
    assert waiting().shape == (3 * BACKGROUND_CHUNK_TEXTS, 2)  # queued before the close: done
    with pytest.raises(RuntimeError, match="closed"):
        scheduler.embed(["cook"])
    scheduler.close()  # twice is harmless
    assert scheduler.embed([]).shape == (0, 2)


def test_a_batch_waits_while_any_person_is_searching() -> None:
    people_first = PeopleFirst()
    assert people_first.wait_for_people(timeout=0)
    with people_first, people_first:  # two searches at once
        assert not people_first.wait_for_people(timeout=0.01)
    assert people_first.wait_for_people(timeout=0)


def test_a_search_that_fails_still_lets_batches_go_on() -> None:
    people_first = PeopleFirst()
    with pytest.raises(ValueError, match="bad query"), people_first:
        raise ValueError("bad query")
    assert people_first.wait_for_people(timeout=0)
