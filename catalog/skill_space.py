"""The canonical skills and the occupations in one embedding space: what tagging and linking compare
courses with, and what recommendations rank them by.

Built at start-up from the reference database and the ESCO file; the skill and occupation
embeddings are cached in the index directory by the matcher's own cache (keyed by model and
texts), so only the first start embeds them (about two minutes on two cores with e5). The ESCO
skills read off their file (half a second of parsing) are kept there too, keyed by the file and
the code that parses it.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from sqlalchemy.orm import Session

import labour_market.skill_vocabulary
from labour_market.skill_vocabulary import (
    ESCO_SKILLS_FILE,
    SHOWN_DIMENSIONS,
    CanonicalSkill,
    OccupationText,
    esco_skills,
    oasis_descriptors,
    occupation_texts,
    unit_group_ratings,
)
from matching.embeddings import Embedder
from matching.snapshot import read_keyed_pickle, write_keyed_pickle

if TYPE_CHECKING:
    from matching.vector_index import VectorIndex

TAGGING_VERSION = "3"  # bump when tagging or linking logic changes: catalogs are then re-tagged
ESCO_CACHE_VERSION = "1"  # bump when what the ESCO cache holds changes otherwise than its parser's code

logger = logging.getLogger(__name__)


@dataclass
class SkillSpace:
    embedder: Embedder
    descriptors: list[CanonicalSkill]  # the OaSIS skills and knowledge descriptors a person is shown
    descriptor_vectors: np.ndarray
    esco: list[CanonicalSkill]
    esco_index: VectorIndex
    occupations: list[OccupationText]
    occupation_vectors: np.ndarray  # (2, occupations, dimension): the English texts, then the French ones
    ratings: np.ndarray  # (occupations, descriptors), 0-1: how much each occupation needs each descriptor
    key: str  # model and reference data: a catalog tagged under another key is re-tagged
    batch_embedder: Embedder | None = None  # for tagging: in the service, behind people's searches
    occupation_rows: dict[str, int] = field(init=False)
    typical_ratings: np.ndarray = field(init=False)  # (descriptors,): the mean rating over all occupations

    def __post_init__(self) -> None:
        self.occupation_rows = {occupation.noc_code: row for row, occupation in enumerate(self.occupations)}
        self.typical_ratings = self.ratings.mean(axis=0)

    @property
    def tagging_embedder(self) -> Embedder:
        """What tagging embeds with: the batch embedder, else the people's."""
        return self.batch_embedder or self.embedder

    def occupation_similarity(self, vectors: np.ndarray) -> np.ndarray:
        """Cosine of each vector with each occupation, in whichever language of the occupation is closer:
        shape (vectors, occupations)."""
        similarity: np.ndarray = np.max(self.occupation_vectors @ vectors.T, axis=0).T
        return similarity


def load_skill_space(
    session_factory: Callable[[], Session],
    data_dir: Path,
    embedder: Embedder,
    index_dir: Path,
    progress: bool = False,
    batch_embedder: Embedder | None = None,
) -> SkillSpace | None:
    """The skill space over the imported reference data; None when nothing is imported. What is not
    cached yet is embedded with `batch_embedder` (the same model, run behind people's searches), which
    tagging uses too; `embedder` serves people's requests."""
    from matching.vector_index import build_or_load  # noqa: PLC0415 - loads faiss: only when a space is built

    with session_factory() as session:  # a short read: the embedding below holds no transaction open
        descriptors = [skill for skill in oasis_descriptors(session) if skill.dimension in SHOWN_DIMENSIONS]
        occupations = occupation_texts(session)
        ratings_by_code = unit_group_ratings(session) if descriptors and occupations else {}
    if not descriptors or not occupations:
        return None
    ratings = np.array(
        [[ratings_by_code.get(o.noc_code, {}).get(d.id, 0.0) for d in descriptors] for o in occupations],
        dtype=np.float32,
    )
    esco = cached_esco_skills(data_dir, index_dir)
    batch = batch_embedder or embedder
    descriptor_vectors = build_or_load(batch, [d.text for d in descriptors], index_dir, progress).vectors()
    occupation_vectors = np.stack(
        [
            build_or_load(batch, [o.text for o in occupations], index_dir, progress).vectors(),
            build_or_load(batch, [o.text_fr for o in occupations], index_dir, progress).vectors(),
        ]
    )
    esco_index = build_or_load(batch, [s.text or s.label_en for s in esco], index_dir, progress)
    digest = hashlib.sha256()
    texts = [*(d.text for d in descriptors), *(o.text for o in occupations), *(o.text_fr for o in occupations)]
    for text in [*texts, *(f"{s.id} {s.label_en} {s.text}" for s in esco)]:
        digest.update(text.encode())
    digest.update(ratings.tobytes())
    key = f"{TAGGING_VERSION}:{embedder.name}:{digest.hexdigest()[:16]}"
    return SkillSpace(
        embedder,
        descriptors,
        descriptor_vectors,
        esco,
        esco_index,
        occupations,
        occupation_vectors,
        ratings,
        key,
        batch_embedder,
    )


def cached_esco_skills(data_dir: Path, index_dir: Path) -> list[CanonicalSkill]:
    """`esco_skills(data_dir)`, parsed once per file and parser and kept in `index_dir`."""
    path = data_dir / ESCO_SKILLS_FILE
    try:
        content = path.read_bytes()
    except FileNotFoundError:
        return esco_skills(data_dir)
    digest = hashlib.sha256(f"esco-skills {ESCO_CACHE_VERSION}\n".encode())
    digest.update(Path(labour_market.skill_vocabulary.__file__).read_bytes())
    digest.update(content)
    key = digest.hexdigest()
    cache = index_dir / f"esco-skills-{key[:16]}.pickle"
    cached = read_keyed_pickle(cache, key)
    if isinstance(cached, list) and all(isinstance(skill, CanonicalSkill) for skill in cached):
        return cached
    skills = esco_skills(data_dir)
    try:
        write_keyed_pickle(cache, key, skills)
    except OSError as error:
        logger.warning("could not cache the ESCO skills in %s: %s", index_dir, error)
    return skills
