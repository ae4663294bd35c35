"""Putting a Matcher together: the lexicon, a language detector trained on it and, unless the
backend is "none", an embedder with its cached faiss index over the published titles."""

import logging
from pathlib import Path

from matching import backends
from matching.embeddings import create_embedder
from matching.engine import Matcher
from matching.fusion import Calibration
from matching.language import LanguageDetector
from matching.lexicon import IndexEntry, Lexicon
from matching.vector_index import build_or_load

logger = logging.getLogger(__name__)


def semantic_passages(lexicon: Lexicon) -> list[IndexEntry]:
    """One entry per published title (as written, accents and both genders kept) and unit group.

    The lexicon holds each title several times (gender variants, without brackets) for lexical
    lookup; an embedding model reads the published form, so it is embedded once.
    """
    seen: set[tuple[str, str]] = set()
    passages = []
    for entry in lexicon.entries:
        key = (entry.noc_code, entry.title)
        if key not in seen:
            seen.add(key)
            passages.append(entry)
    return passages


def assemble_matcher(
    lexicon: Lexicon,
    backend: str,
    index_dir: Path,
    calibration: Calibration | None = None,
    progress: bool = True,
) -> Matcher:
    """A ready Matcher; embeds the titles only when `index_dir` holds no index for this model and data."""
    if backend not in backends.BACKENDS:
        raise ValueError(f"unknown matcher backend {backend!r}; choose one of: {', '.join(backends.BACKENDS)}")
    calibration = calibration or Calibration.load(backend)
    passages = semantic_passages(lexicon)
    detector = LanguageDetector.from_titles((entry.lang, entry.title) for entry in passages)
    if backend == backends.NO_EMBEDDINGS:
        return Matcher(lexicon, detector, calibration)
    embedder = create_embedder(backend)
    vector_index = build_or_load(embedder, [entry.title for entry in passages], index_dir, progress=progress)
    return Matcher(
        lexicon, detector, calibration, embedder=embedder, vector_index=vector_index, semantic_entries=passages
    )
