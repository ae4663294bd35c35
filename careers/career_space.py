"""What career searches compare, built once from the reference data and the skill space and cached in
the index directory, keyed by everything it is made of (so a restart only loads it):

- each occupation's main duties, embedded one by one (what a listed skill is compared with);
- for career moves, how alike every two occupations are by each measure: their OaSIS profiles
  (skills, knowledge, work activities, abilities; each descriptor standardized over the occupations,
  so that what nearly every occupation rates high, such as listening or near vision, does not make
  two unrelated jobs look alike), their duties, their place in the NOC, and whether one's profile
  cites the other. :mod:`careers.moves` weighs them.
"""

from __future__ import annotations

import hashlib
import logging
import math
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import numpy as np
from sqlalchemy.orm import Session

import careers.skill_lexicon as skill_lexicon_module
import careers.skill_words as skill_words_module
from careers.reference_facts import ReferenceFacts, read_reference_facts
from careers.skill_lexicon import OccupationLexicon, occupation_lexicon
from careers.skill_words import ESCO_FILES, SkillWords, esco_texts, skill_words
from catalog.skill_space import SkillSpace
from matching.embeddings import Embedder
from matching.snapshot import read_keyed_pickle, write_keyed_pickle
from matching.vector_index import build_or_load

CAREER_CACHE_VERSION = "1"  # bump when what the cache holds changes
PROFILE_DIMENSIONS = ("skill", "knowledge", "work_activity", "ability")
logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class MoveMeasures:
    """How alike every two occupations are, each (occupations, occupations), rows and columns in the
    skill space's order."""

    profile: dict[str, np.ndarray]  # per OaSIS dimension: cosine of the standardized ratings
    duties: np.ndarray  # cosine of the mean of each occupation's embedded duties
    text: np.ndarray  # cosine of the embedded titles, definition and duties
    shared_levels: np.ndarray  # how many leading digits the codes share (0-4: broad category … minor group)
    cited: np.ndarray  # 1 where either occupation's profile cites the other, else 0
    teer: np.ndarray  # (occupations,): each occupation's TEER


@dataclass(frozen=True)
class CareerSpace:
    skills: SkillSpace
    duty_vectors: np.ndarray  # (duties, dimension), unit rows
    duty_rows: np.ndarray  # (duties,): the occupation row of each duty, ascending
    duty_texts: list[str]
    measures: MoveMeasures
    vocabulary: SkillWords  # the words a listed skill must use one of to count (see careers.skill_words)
    lexicon: OccupationLexicon  # the occupations' words, weighed (see careers.skill_lexicon)
    # (occupations,): how common each occupation is, as the z-score of the log of its COPS employment (0
    # where unpublished): a counsellor's first answer is more often a common job than a rare one
    prevalence: np.ndarray
    key: str

    @cached_property
    def codes(self) -> list[str]:
        return [occupation.noc_code for occupation in self.skills.occupations]


@dataclass(frozen=True)
class CareerCache:
    """What the cache file holds."""

    measures: MoveMeasures
    words: frozenset[str]
    lexicon: OccupationLexicon
    prevalence: np.ndarray


def load_career_space(
    session_factory: Callable[[], Session],
    skills: SkillSpace,
    data_dir: Path,
    index_dir: Path,
    embedder: Embedder | None = None,
    progress: bool = False,
) -> CareerSpace:
    """The career space over the skill space's occupations; the duties are embedded with `embedder`
    (default: the skill space's tagging embedder) the first time, then read from `index_dir`."""
    with session_factory() as session:  # a short read: the embedding below holds no transaction open
        facts = read_reference_facts(session)
    codes = [occupation.noc_code for occupation in skills.occupations]
    duty_texts: list[str] = []
    duty_rows: list[int] = []
    for row, code in enumerate(codes):
        for duty in facts.duties.get(code, []):
            duty_texts.append(duty)
            duty_rows.append(row)
    vectors = build_or_load(embedder or skills.tagging_embedder, duty_texts, index_dir, progress).vectors()
    rows = np.array(duty_rows, dtype=np.int32)
    key = _cache_key(facts, codes, vectors, skills, data_dir)
    path = index_dir / f"career-space-{key[:16]}.pickle"
    cached = read_keyed_pickle(path, key)
    if not isinstance(cached, CareerCache):
        descriptors = [text for d in skills.descriptors for text in (d.text, d.label("fr"))]
        profiles = [text for texts in facts.documents.values() for text in texts]
        words = skill_words([*profiles, *descriptors, *esco_texts(data_dir)]).words
        lexicon = occupation_lexicon([facts.documents.get(code, []) for code in codes])
        measures = _measures(facts, codes, vectors, rows, skills.occupation_vectors[0])
        cached = CareerCache(measures, words, lexicon, _prevalence(facts, codes))
        try:
            write_keyed_pickle(path, key, cached)
        except OSError as error:
            logger.warning("could not cache the career space in %s: %s", index_dir, error)
    return CareerSpace(
        skills,
        vectors,
        rows,
        duty_texts,
        cached.measures,
        SkillWords(cached.words),
        cached.lexicon,
        cached.prevalence,
        key[:16],
    )


def _cache_key(
    facts: ReferenceFacts, codes: list[str], duty_vectors: np.ndarray, skills: SkillSpace, data_dir: Path
) -> str:
    digest = hashlib.sha256(f"career-space {CAREER_CACHE_VERSION}\n".encode())
    for module in (__file__, skill_words_module.__file__, skill_lexicon_module.__file__):
        digest.update(Path(module).read_bytes())
    for name in ESCO_FILES:
        path = data_dir / name
        digest.update(path.read_bytes() if path.is_file() else b"-")
    digest.update(repr(sorted(facts.documents.items())).encode())
    digest.update(repr(sorted(facts.employment.items())).encode())
    digest.update(repr((codes, facts.teer, sorted((k, sorted(v)) for k, v in facts.cited.items()))).encode())
    digest.update(repr(sorted((code, sorted(r.items())) for code, r in facts.ratings.items())).encode())
    digest.update(np.ascontiguousarray(duty_vectors).tobytes())
    digest.update(np.ascontiguousarray(skills.occupation_vectors[0]).tobytes())
    return digest.hexdigest()


def _measures(
    facts: ReferenceFacts, codes: list[str], duty_vectors: np.ndarray, duty_rows: np.ndarray, text: np.ndarray
) -> MoveMeasures:
    profile = {}
    for dimension in PROFILE_DIMENSIONS:
        columns = [descriptor for descriptor in facts.descriptors if descriptor.startswith(f"oasis:{dimension}:")]
        matrix = np.array([[facts.ratings.get(c, {}).get(d, np.nan) for d in columns] for c in codes], np.float64)
        profile[dimension] = _cosines(_standardized(matrix))
    duty_means = np.zeros((len(codes), duty_vectors.shape[1]), dtype=np.float64)
    np.add.at(duty_means, duty_rows, duty_vectors)
    index = {code: row for row, code in enumerate(codes)}
    cited = np.zeros((len(codes), len(codes)), dtype=np.float32)
    for code, others in facts.cited.items():
        for other in others:
            if code in index and other in index:
                cited[index[code], index[other]] = cited[index[other], index[code]] = 1.0
    shared = np.zeros((len(codes), len(codes)), dtype=np.int8)
    for level in range(1, 5):
        prefixes = np.array([code[:level] for code in codes])
        shared += (prefixes[:, None] == prefixes[None, :]).astype(np.int8)
    return MoveMeasures(
        profile={dimension: matrix.astype(np.float32) for dimension, matrix in profile.items()},
        duties=_cosines(duty_means).astype(np.float32),
        text=_cosines(np.asarray(text, dtype=np.float64)).astype(np.float32),
        shared_levels=shared,
        cited=cited,
        teer=np.array([facts.teer.get(code, 0) for code in codes], dtype=np.int8),
    )


def _prevalence(facts: ReferenceFacts, codes: list[str]) -> np.ndarray:
    logs = np.array([math.log1p(facts.employment.get(code, 0.0)) for code in codes], dtype=np.float64)
    published = np.array([code in facts.employment for code in codes])
    prevalence = np.zeros(len(codes), dtype=np.float32)
    if published.sum() > 1:
        known = logs[published]
        prevalence[published] = (known - known.mean()) / max(float(known.std()), 1e-6)
    return prevalence


def _standardized(matrix: np.ndarray) -> np.ndarray:
    """Each column less its mean over the occupations, over its spread; an unrated cell counts as typical."""
    mean = np.nanmean(matrix, axis=0)
    spread = np.nanstd(matrix, axis=0)
    spread[spread == 0] = 1.0
    standardized: np.ndarray = np.nan_to_num((matrix - mean) / spread, nan=0.0)
    return standardized


def _cosines(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    unit = matrix / norms
    cosines: np.ndarray = np.asarray(unit @ unit.T)
    return cosines
