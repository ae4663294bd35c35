"""Putting a Matcher together: the lexicon, a language detector trained on it and, unless the
backend is "none", an embedder with its cached faiss index over the published titles.

:func:`assemble_matcher` builds everything from a lexicon; :func:`assemble_from_snapshot` takes the
word structures from a :class:`~matching.snapshot.MatchingSnapshot` (what the service does at start:
see :func:`matching.snapshot.load_or_build`).
"""

from collections.abc import Sequence
from pathlib import Path

from matching import backends
from matching.embeddings import create_embedder
from matching.employers import EmployerTable, load_employers
from matching.engine import Matcher
from matching.esco_linking import linked_labels
from matching.fusion import Calibration
from matching.language import LanguageDetector
from matching.lexical import LexicalIndex
from matching.lexicon import IndexEntry, Lexicon
from matching.snapshot import MatchingSnapshot, semantic_passages
from matching.vector_index import build_or_load

__all__ = ["assemble_from_snapshot", "assemble_matcher", "semantic_passages"]


def assemble_matcher(
    lexicon: Lexicon,
    backend: str,
    index_dir: Path,
    calibration: Calibration | None = None,
    progress: bool = True,
    esco_file: Path | None = None,
) -> Matcher:
    """A ready Matcher; embeds the titles only when `index_dir` holds no index for this model and data.

    With `esco_file` (ESCO's occupations), the matcher links ESCO's occupations to NOC (or loads
    the links cached in `index_dir`) and uses their titles as lower-confidence evidence.
    """
    _check_backend(backend)
    passages = semantic_passages(lexicon)
    detector = LanguageDetector.from_titles((entry.lang, entry.title) for entry in passages)
    matcher = _matcher(lexicon, passages, detector, load_employers(), backend, index_dir, calibration, progress)
    return _with_esco(matcher, esco_file, index_dir)


def assemble_from_snapshot(
    snapshot: MatchingSnapshot,
    backend: str,
    index_dir: Path,
    calibration: Calibration | None = None,
    progress: bool = True,
    esco_file: Path | None = None,
    *,
    threads: int | None = None,
) -> Matcher:
    """The Matcher :func:`assemble_matcher` makes of the snapshot's lexicon, with the snapshot's
    detector, lexical index and employer table instead of building them again. `threads` bounds the
    embedding model's intra-op threads (see :func:`matching.embeddings.create_embedder`)."""
    _check_backend(backend)
    matcher = _matcher(
        snapshot.lexicon,
        snapshot.passages,
        snapshot.detector,
        snapshot.employers,
        backend,
        index_dir,
        calibration,
        progress,
        snapshot.lexical_index,
        threads,
    )
    return _with_esco(matcher, esco_file, index_dir)


def _with_esco(matcher: Matcher, esco_file: Path | None, index_dir: Path) -> Matcher:
    if esco_file is not None:
        try:
            matcher.esco_labels = linked_labels(matcher, esco_file, index_dir)
        except BaseException:
            matcher.close()
            raise
    return matcher


def _check_backend(backend: str) -> None:
    if backend not in backends.BACKENDS:
        raise ValueError(f"unknown matcher backend {backend!r}; choose one of: {', '.join(backends.BACKENDS)}")


def _matcher(
    lexicon: Lexicon,
    passages: Sequence[IndexEntry],
    detector: LanguageDetector,
    employers: EmployerTable,
    backend: str,
    index_dir: Path,
    calibration: Calibration | None,
    progress: bool,
    lexical_index: LexicalIndex | None = None,
    threads: int | None = None,
) -> Matcher:
    calibration = calibration or Calibration.load(backends.calibration_of(backend))
    if backend == backends.NO_EMBEDDINGS:
        return Matcher(lexicon, detector, calibration, employers=employers, lexical_index=lexical_index)
    embedder = create_embedder(backend, index_dir, threads=threads)
    vector_index = build_or_load(embedder, [entry.title for entry in passages], index_dir, progress=progress)
    return Matcher(
        lexicon,
        detector,
        calibration,
        embedder=embedder,
        vector_index=vector_index,
        semantic_entries=passages,
        employers=employers,
        lexical_index=lexical_index,
        words_calibration=Calibration.load(backends.NO_EMBEDDINGS),
    )
