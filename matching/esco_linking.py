"""Linking ESCO occupations to NOC unit groups with the matcher itself, once, cached on disk.

Each occupation's preferred label is searched like a person's English title, as a batch; an
occupation is linked only when the first answer is at least of high confidence, so that an
uncertain link never becomes evidence. Searching the 2,970 labels takes about a minute with
embeddings, a few seconds on words alone; the links are kept in the index directory under a key
over the ESCO file, the matcher's titles, model and calibration, the alias and employer tables
and LINKING_VERSION.
"""

import hashlib
import logging
import time
from collections.abc import Sequence
from pathlib import Path

from matching.aliases import ALIASES_FILE
from matching.employers import EMPLOYERS_FILE
from matching.engine import Matcher, SearchQuery
from matching.esco import EscoLabels, EscoLink, EscoOccupation, read_esco_occupations
from matching.snapshot import read_keyed_pickle, write_keyed_pickle

__all__ = ["link_occupations", "linked_labels"]

logger = logging.getLogger(__name__)

FILE_PREFIX = "esco-links-"
LINK_BATCH = 500
# Raise when a change to the matcher should change the links: the key holds the data the links
# are made from, not the code, so that an unrelated edit does not relink at the next start.
LINKING_VERSION = 1


def link_occupations(matcher: Matcher, occupations: Sequence[EscoOccupation]) -> list[EscoLink]:
    """The occupations whose preferred label the matcher codes with high confidence, with that code."""
    links = []
    for start in range(0, len(occupations), LINK_BATCH):
        chunk = occupations[start : start + LINK_BATCH]
        results = matcher.search_many(
            [SearchQuery(occupation.preferred_label) for occupation in chunk], "en", 1, background=True
        )
        for occupation, result in zip(chunk, results, strict=True):
            if result.results and result.results[0].confidence == "high":
                links.append(EscoLink(occupation, result.results[0].noc_code, result.results[0].score))
    return links


def linked_labels(matcher: Matcher, esco_file: Path, index_dir: Path) -> EscoLabels | None:
    """The ESCO labels linked by `matcher`, from `index_dir` or linked now and cached there; None
    (logged) when the ESCO file is missing."""
    if not esco_file.is_file():
        logger.warning("ESCO occupations not found at %s: their titles are not used as evidence", esco_file)
        return None
    key = _links_key(matcher, esco_file)
    path = index_dir / f"{FILE_PREFIX}{_model_name(matcher)}-{key[:16]}.pickle"
    cached = read_keyed_pickle(path, key)
    if isinstance(cached, list):
        return EscoLabels(cached)
    started = time.perf_counter()
    occupations = read_esco_occupations(esco_file)
    links = link_occupations(matcher, occupations)
    logger.info(
        "linked %d of %d ESCO occupations to NOC in %.1f s",
        len(links),
        len(occupations),
        time.perf_counter() - started,
    )
    try:
        write_keyed_pickle(path, key, links)
    except OSError as error:
        logger.warning("could not cache the ESCO links in %s: %s", index_dir, error)
    return EscoLabels(links)


def _links_key(matcher: Matcher, esco_file: Path) -> str:
    digest = hashlib.sha256()
    digest.update(esco_file.read_bytes())
    digest.update(repr(matcher.calibration.to_dict()).encode())
    digest.update(_model_name(matcher).encode())
    for entry in matcher.lexicon.entries:
        digest.update(f"{entry.noc_code}\t{entry.folded}\t{entry.source}\n".encode())
    digest.update(str(LINKING_VERSION).encode())
    for table in (EMPLOYERS_FILE, ALIASES_FILE):
        digest.update(table.read_bytes())
    return digest.hexdigest()


def _model_name(matcher: Matcher) -> str:
    return matcher.embedder.name if matcher.embedder is not None else "words"
