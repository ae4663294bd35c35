"""The embedding worker serves people's searches before batch chunks, and batches give way to
people's searches (matching.scheduling)."""

import threading
from collections.abc import Sequence

import numpy as np
import pytest

from matching.scheduling import BACKGROUND_CHUNK, EmbeddingScheduler, PeopleFirst


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
    batch = [f"title {number}" for number in range(8 * BACKGROUND_CHUNK)]
    with EmbeddingScheduler(embedder, 2) as scheduler:
        waiting_batch = scheduler.submit(batch, background=True)
        assert embedder.inside_first_call.wait(timeout=10)
        waiting_search = scheduler.submit(["cashier"])
        embedder.release.set()
        search_vectors = waiting_search()
        batch_vectors = waiting_batch()
    assert embedder.calls[0] == batch[:BACKGROUND_CHUNK]
    assert embedder.calls[1] == ["cashier"]  # before the seven other chunks of the batch
    assert [len(call) for call in embedder.calls[2:]] == [BACKGROUND_CHUNK] * 7
    np.testing.assert_array_equal(search_vectors, [[7.0, 0.0]])
    np.testing.assert_array_equal(batch_vectors[:, 0], [len(text) for text in batch])  # in input order


def test_an_interactive_request_is_embedded_in_one_call() -> None:
    embedder = RecordingEmbedder()
    embedder.release.set()
    texts = [f"title {number}" for number in range(3 * BACKGROUND_CHUNK)]
    with EmbeddingScheduler(embedder, 2) as scheduler:
        vectors = scheduler.embed(texts)
    assert embedder.calls == [texts]
    assert vectors.shape == (len(texts), 2)


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
    waiting = scheduler.submit([f"t{number}" for number in range(3 * BACKGROUND_CHUNK)], background=True)
    assert embedder.inside_first_call.wait(timeout=10)
    closing = threading.Thread(target=scheduler.close)
    closing.start()
    embedder.release.set()
    closing.join(timeout=10)
    assert not closing.is_alive()
    assert waiting().shape == (3 * BACKGROUND_CHUNK, 2)  # queued before the close: done
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
