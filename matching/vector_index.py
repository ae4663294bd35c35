"""Cosine search over passage embeddings (faiss HNSW), cached on disk per (model, data).

Embedding the ~58k NOC titles takes minutes on two cores; a restart must not pay that again.
:func:`build_or_load` keys the cache by a hash of the embedder's identity, the index layout and
every passage in order, so a change of model or of data rebuilds and anything else loads from disk.

Why HNSW and not ``IndexFlatIP`` (measured on the 2-core target, 58,218 × 384 real MiniLM and E5
vectors, 200 short title queries): an exact flat scan costs 3.0-3.4 ms per single query on one
thread (it streams all 89 MB of vectors; numpy's ``X @ q`` + argpartition is ~1.9 ms), at or above
the ~2 ms budget, and 5× worse with two OpenMP threads when the cores are shared.
``IndexHNSWFlat`` (M=32, efConstruction=200) answers in ~0.26 ms (p99 ~0.4 ms) at efSearch=128,
with recall@10 0.994-0.999 and recall@50 0.990-0.995 against the exact scan, for ~10 s of extra
build time (~30 s on a busy machine), paid once and cached; the file grows from 89 to 100 MB.
HNSWFlat keeps the raw vectors as its storage, so exact search stays available from the same file
(``search(..., exact=True)``), e.g. to audit the approximation.

Threads: faiss ships its own libgomp, and OpenMP's ``omp_set_num_threads`` only affects the
*calling OS thread* (a web server's worker threads would keep the default of all cores), so
:class:`VectorIndex` sets it in every ``search`` call. The default is one thread: a single query
does not parallelize in HNSW anyway, a server gets its parallelism from concurrent requests, and
on a loaded 2-core machine OpenMP's spinning threads made two-thread searches 5× slower, not
faster. Batch jobs on an idle machine may pass ``num_threads=2``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import faiss
import numpy as np
from tqdm import tqdm

from matching.atomic_files import atomic_path, building
from matching.embeddings import Embedder

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Bump when the on-disk layout or the way vectors are produced changes: old caches then miss."""

HNSW_M = 32
HNSW_EF_CONSTRUCTION = 200
DEFAULT_EF_SEARCH = 128
INDEX_LAYOUT = f"hnsw-flat-ip-m{HNSW_M}-efc{HNSW_EF_CONSTRUCTION}"
"""Part of the cache key: changing the graph parameters rebuilds the cached index."""

EMBED_BATCH_SIZE = 128


def available_cores() -> int:
    """CPU cores this process may run on (respects affinity masks and container cpusets)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


class VectorIndex:
    """Top-k cosine search over unit vectors; ids are the row numbers of the indexed passages.

    Wraps an inner-product ``IndexHNSWFlat`` (approximate by default, exact on request through
    its flat storage) or a plain ``IndexFlatIP`` (always exact). Searching is thread-safe: the
    search depth is passed per call, nothing on the index is mutated.
    """

    def __init__(
        self,
        index: faiss.Index,
        *,
        ef_search: int = DEFAULT_EF_SEARCH,
        num_threads: int = 1,
    ) -> None:
        # downcast_index returns a non-owning proxy: keep the caller's object alive alongside it,
        # or the C++ index is freed when that object is garbage-collected.
        self._owner = index
        index = faiss.downcast_index(index)
        if index.metric_type != faiss.METRIC_INNER_PRODUCT:
            raise ValueError("VectorIndex needs an inner-product faiss index")
        if isinstance(index, faiss.IndexHNSW):
            self._graph: faiss.IndexHNSW | None = index
            self._flat = faiss.downcast_index(index.storage)
        elif isinstance(index, faiss.IndexFlat):
            self._graph = None
            self._flat = index
        else:
            raise TypeError(f"unsupported faiss index type {type(index).__name__}")
        if ef_search < 1 or num_threads < 1:
            raise ValueError("ef_search and num_threads must be at least 1")
        self._index = index  # its C++ object owns the storage that self._flat points into
        self._ef_search = ef_search
        self._num_threads = num_threads

    @classmethod
    def from_vectors(cls, vectors: np.ndarray, *, exact_only: bool = False, **options: int) -> VectorIndex:
        """Index ``vectors`` (float32, unit rows); row ``i`` gets id ``i``.

        Builds the HNSW graph on all available cores (a one-off cost); ``exact_only`` skips the
        graph and gives a plain flat index. ``options`` go to the constructor.
        """
        matrix = np.ascontiguousarray(vectors, dtype=np.float32)
        if matrix.ndim != 2:
            raise ValueError(f"expected a 2-D array of vectors, got shape {matrix.shape}")
        if exact_only:
            index: faiss.Index = faiss.IndexFlatIP(matrix.shape[1])
        else:
            index = faiss.IndexHNSWFlat(matrix.shape[1], HNSW_M, faiss.METRIC_INNER_PRODUCT)
            index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        if len(matrix):
            faiss.omp_set_num_threads(available_cores())
            index.add(matrix)
        return cls(index, **options)

    @classmethod
    def load(cls, path: Path, **options: int) -> VectorIndex:
        """The index of a file, its vectors memory-mapped (read-only): the worker processes of a host
        share one copy of them in the page cache instead of holding one each (the graph is read in)."""
        return cls(faiss.read_index(str(path), faiss.IO_FLAG_MMAP_IFC), **options)

    def save(self, path: Path) -> None:
        """Write the index atomically: readers see the old file or the complete new one."""
        with atomic_path(path) as temporary:
            faiss.write_index(self._index, str(temporary))

    @property
    def dimension(self) -> int:
        return int(self._index.d)

    @property
    def is_approximate(self) -> bool:
        return self._graph is not None

    def __len__(self) -> int:
        return int(self._index.ntotal)

    def vectors(self) -> np.ndarray:
        """All indexed vectors, row ``i`` being passage ``i`` (a copy, float32)."""
        return self._flat.reconstruct_n(0, len(self)) if len(self) else np.empty((0, self.dimension), np.float32)

    def search(self, query_vectors: np.ndarray, k: int, *, exact: bool = False) -> tuple[np.ndarray, np.ndarray]:
        """Top-``k`` passages for each query row: ``(scores, ids)``, both ``(n_queries, k')``.

        ``k'`` is ``min(k, len(self))``. Scores are cosine similarities (float32, best first);
        ids are int64 row numbers, never faiss's ``-1`` padding: a query the graph could not
        fill is answered by the exact scan. A single 1-D vector is accepted as one query.
        """
        if k < 1:
            raise ValueError("k must be at least 1")
        queries = np.ascontiguousarray(query_vectors, dtype=np.float32)
        if queries.ndim == 1:
            queries = queries.reshape(1, -1)
        if queries.ndim != 2 or queries.shape[1] != self.dimension:
            raise ValueError(f"query vectors must have shape (n, {self.dimension}), got {queries.shape}")
        k = min(k, len(self))
        if k == 0 or len(queries) == 0:
            return np.empty((len(queries), k), np.float32), np.empty((len(queries), k), np.int64)
        faiss.omp_set_num_threads(self._num_threads)
        if exact or self._graph is None:
            return self._flat.search(queries, k)
        # faiss's bundled type stubs lack SearchParametersHNSW.
        params = faiss.SearchParametersHNSW(efSearch=max(self._ef_search, k))  # type: ignore[attr-defined]
        scores, ids = self._graph.search(queries, k, params=params)
        unfilled = np.flatnonzero((ids < 0).any(axis=1))
        if len(unfilled):
            scores[unfilled], ids[unfilled] = self._flat.search(queries[unfilled], k)
        return scores, ids


def cache_key(embedder: Embedder, passages: Sequence[str]) -> str:
    """sha256 over the embedder's identity, the format and index layout, and every passage in order.

    Each passage is length-prefixed so that no two different lists hash the same input bytes
    (``["ab", "c"]`` vs ``["a", "bc"]``).
    """
    digest = hashlib.sha256()
    header = json.dumps(
        {
            "model": embedder.name,
            "dimension": embedder.dimension,
            "format": FORMAT_VERSION,
            "index": INDEX_LAYOUT,
            "count": len(passages),
        },
        sort_keys=True,
    )
    digest.update(header.encode("utf-8"))
    for text in passages:
        encoded = text.encode("utf-8")
        digest.update(len(encoded).to_bytes(8, "little"))
        digest.update(encoded)
    return digest.hexdigest()


def cache_paths(cache_dir: Path, embedder_name: str, key: str) -> tuple[Path, Path]:
    """``(<name>-<key16>.faiss, <name>-<key16>.json)`` inside ``cache_dir``."""
    stem = f"{_safe_stem(embedder_name)}-{key[:16]}"
    return cache_dir / f"{stem}.faiss", cache_dir / f"{stem}.json"


def _safe_stem(embedder_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", embedder_name)


def _texts_path(index_path: Path) -> Path:
    """The passages of a cached index, one JSON list, so that a later build can reuse their vectors."""
    return index_path.with_suffix(".texts.json")


def build_or_load(
    embedder: Embedder,
    passages: Sequence[str],
    cache_dir: Path,
    progress: bool = True,
) -> VectorIndex:
    """The index of ``passages`` embedded by ``embedder``, from ``cache_dir`` when it is there.

    The sidecar JSON is written after the index and acts as the commit marker: a crash in
    between leaves an index without a valid sidecar, which is rebuilt. A sidecar that does not
    match (other key, count, model or dimension), does not parse, or an index file faiss cannot
    read is logged and rebuilt rather than trusted.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    key = cache_key(embedder, passages)
    index_path, sidecar_path = cache_paths(cache_dir, embedder.name, key)

    cached = _load_cached(index_path, sidecar_path, embedder, key, len(passages))
    if cached is None:
        with building(index_path):  # one process builds it; the others wait, then load it
            cached = _load_cached(index_path, sidecar_path, embedder, key, len(passages))
            if cached is None:
                return _build(embedder, passages, cache_dir, key, index_path, sidecar_path, progress)
    logger.info("loaded %d %s vectors from %s", len(cached), embedder.name, index_path)
    return cached


def _build(
    embedder: Embedder,
    passages: Sequence[str],
    cache_dir: Path,
    key: str,
    index_path: Path,
    sidecar_path: Path,
    progress: bool,
) -> VectorIndex:
    started = time.perf_counter()
    vectors = _embed_reusing_cache(embedder, passages, cache_dir, progress)
    index = VectorIndex.from_vectors(vectors)
    build_seconds = time.perf_counter() - started

    index.save(index_path)
    with atomic_path(_texts_path(index_path)) as temporary:
        temporary.write_text(json.dumps(list(passages), ensure_ascii=False), encoding="utf-8")
    sidecar = {
        "format": FORMAT_VERSION,
        "index": INDEX_LAYOUT,
        "model": embedder.name,
        "dimension": embedder.dimension,
        "count": len(passages),
        "key": key,
        "build_seconds": round(build_seconds, 3),
    }
    with atomic_path(sidecar_path) as temporary:
        temporary.write_text(json.dumps(sidecar, indent=2) + "\n", encoding="utf-8")
    logger.info(
        "embedded %d passages with %s in %.1f s; cached at %s", len(passages), embedder.name, build_seconds, index_path
    )
    return index


def _embed_reusing_cache(embedder: Embedder, passages: Sequence[str], cache_dir: Path, progress: bool) -> np.ndarray:
    """Vectors of ``passages``, embedding each distinct text once and only if no cached index of
    the same model already holds it (a data update, or an evaluation index built on a subset,
    then embeds only what is new)."""
    distinct = list(dict.fromkeys(passages))
    known = _cached_vectors(cache_dir, embedder, set(distinct))
    missing = [text for text in distinct if text not in known]
    if known:
        logger.info("reusing %d cached %s vectors; embedding %d new passages", len(known), embedder.name, len(missing))
    fresh = embed_in_batches(embedder.embed_passages, missing, embedder.dimension, progress, embedder.name)
    known.update(zip(missing, fresh, strict=True))
    out = np.empty((len(passages), embedder.dimension), dtype=np.float32)
    for row, text in enumerate(passages):
        out[row] = known[text]
    return out


def _cached_vectors(cache_dir: Path, embedder: Embedder, wanted: set[str]) -> dict[str, np.ndarray]:
    """Vectors of the ``wanted`` texts found in complete cached indexes of the same model."""
    found: dict[str, np.ndarray] = {}
    for sidecar_path in sorted(cache_dir.glob(f"{_safe_stem(embedder.name)}-*.json")):
        if sidecar_path.name.endswith(".texts.json") or len(found) == len(wanted):
            continue
        index_path = sidecar_path.with_suffix(".faiss")
        try:
            sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
            key = sidecar.get("key", "") if isinstance(sidecar, dict) else ""
            if not (isinstance(key, str) and key and sidecar_path.stem.endswith(f"-{key[:16]}")):
                continue  # a sidecar that does not name its own file is not trusted
            index = _load_cached(index_path, sidecar_path, embedder, key, sidecar.get("count", -1))
            texts = json.loads(_texts_path(index_path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            continue
        if index is None or not isinstance(texts, list) or len(texts) != len(index):
            continue
        useful = [row for row, text in enumerate(texts) if text in wanted and text not in found]
        if useful:
            vectors = index.vectors()
            found.update((texts[row], vectors[row]) for row in useful)
    return found


def embed_in_batches(
    embed: Callable[[Sequence[str]], np.ndarray],
    texts: Sequence[str],
    dimension: int,
    progress: bool = True,
    label: str = "",
) -> np.ndarray:
    """Embed ``texts`` batch by batch into one float32 matrix, with a tqdm bar on stderr."""
    out = np.empty((len(texts), dimension), dtype=np.float32)
    with tqdm(
        total=len(texts),
        desc=f"embedding {label}".strip(),
        unit="text",
        file=sys.stderr,
        disable=not progress,
    ) as bar:
        for start in range(0, len(texts), EMBED_BATCH_SIZE):
            batch = texts[start : start + EMBED_BATCH_SIZE]
            vectors = embed(batch)
            if vectors.shape != (len(batch), dimension):
                raise RuntimeError(f"embedder returned shape {vectors.shape} for {len(batch)} texts")
            out[start : start + len(batch)] = vectors
            bar.update(len(batch))
    return out


def _load_cached(index_path: Path, sidecar_path: Path, embedder: Embedder, key: str, count: int) -> VectorIndex | None:
    if not (index_path.is_file() and sidecar_path.is_file()):
        return None
    try:
        sidecar = json.loads(sidecar_path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        logger.warning("ignoring unreadable index sidecar %s: %s", sidecar_path, error)
        return None
    expected = {
        "format": FORMAT_VERSION,
        "index": INDEX_LAYOUT,
        "model": embedder.name,
        "dimension": embedder.dimension,
        "count": count,
        "key": key,
    }
    if not isinstance(sidecar, dict) or any(sidecar.get(field) != value for field, value in expected.items()):
        logger.warning("ignoring index sidecar %s: it does not match the current model and data", sidecar_path)
        return None
    try:
        index = VectorIndex.load(index_path)
    except (RuntimeError, OSError, ValueError) as error:
        logger.warning("ignoring unreadable index %s: %s", index_path, error)
        return None
    if len(index) != count or index.dimension != embedder.dimension:
        logger.warning(
            "ignoring index %s: %d×%d vectors, expected %d×%d",
            index_path,
            len(index),
            index.dimension,
            count,
            embedder.dimension,
        )
        return None
    return index
