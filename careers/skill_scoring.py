"""How well each occupation fits the skills a person lists. Each skill is compared with every
occupation's duties (one by one), with its job titles (English and French: "montage vidéo" is close
to « monteur vidéo ») and with its whole text; the skill's fit with each occupation is then read
against its fit with all of them (a z-score: e5 puts any short text within a few hundredths of
everything, so only what stands out counts), capped so that one skill naming a job outright does not
outweigh the others; the words the skill shares with the occupation's (BM25, see
:mod:`careers.skill_lexicon`) are added, and the standings averaged over the skills. The whole list
read as one text adds its context, and how common the occupation is breaks near ties. Only skills
whose words the reference data knows are scored (`recognized`, :mod:`careers.skill_words`): « bonjour »
casts no vote. The weights were chosen on the tuning half of the career judgments
(`scripts/eval_careers.py --tune`).

Pure numpy over vectors: the caller embeds the skills and hands in the title index.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from careers.career_space import CareerSpace
from matching.vector_index import VectorIndex


@dataclass(frozen=True)
class SkillScoring:
    duty_weight: float = 0.3
    title_weight: float = 0.3
    text_weight: float = 0.2
    z_cap: float = 3.0  # a skill's standing with an occupation counts up to this many deviations
    lexical_weight: float = 3.0  # of the skill's words shared with the occupation's (BM25, over its best)
    prevalence_weight: float = 0.4  # of how common the occupation is (careers.career_space)
    joint_weight: float = 1.0  # of the standing of the whole list read as one text (its context: "journal
    # entries" beside "quickbooks" is bookkeeping, not journalism)
    title_depth: int = 64  # job titles looked at per skill
    confidence_temperature: float = 0.25  # of the softmax over the scores that gives the confidence


DEFAULT_SCORING = SkillScoring()


@dataclass(frozen=True)
class TitleVectors:
    """The job-title index, and the occupation row of each of its titles."""

    index: VectorIndex
    rows: np.ndarray


@dataclass(frozen=True)
class SkillFit:
    standing: np.ndarray  # (skills, occupations): each skill's fit as a capped z-score, with its shared words
    scores: np.ndarray  # (occupations,): the mean standing over the skills, with the list's and prevalence
    confidence: np.ndarray  # (occupations,): a softmax of the scores, 0-1


def skill_fit(
    space: CareerSpace,
    skills: Sequence[str],
    vectors: np.ndarray,
    titles: TitleVectors | None,
    scoring: SkillScoring = DEFAULT_SCORING,
    joint: np.ndarray | None = None,
) -> SkillFit:
    """The fit of recognized skills (see `recognized`) with every occupation. `vectors`: the skills'
    embeddings (queries), one a skill; `joint`: the embedding of the whole list read as one text."""
    duty, title, text = _components(space, vectors, titles, scoring.title_depth)
    standing = _standing(duty, title, text, scoring)
    if scoring.lexical_weight:
        standing = standing + scoring.lexical_weight * _relative(space.lexicon.scores(skills))
    scores = standing.mean(axis=0) + scoring.prevalence_weight * space.prevalence
    if joint is not None:
        whole = _standing(*_components(space, joint.reshape(1, -1), titles, scoring.title_depth), scoring)[0]
        scores = scores + scoring.joint_weight * whole
    logits = (scores - scores.max()) / scoring.confidence_temperature
    confidence = np.exp(logits) / np.exp(logits).sum()
    return SkillFit(standing, scores, confidence)


def recognized(space: CareerSpace, skills: Sequence[str]) -> list[bool]:
    """Whether each skill counts: its words are ones the reference data knows (careers.skill_words)."""
    return [space.vocabulary.knows(skill) for skill in skills]


def joint_text(skills: Sequence[str]) -> str:
    """The whole list read as one text."""
    return "; ".join(skills)


def _components(
    space: CareerSpace, vectors: np.ndarray, titles: TitleVectors | None, depth: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each vector's cosine with each occupation's closest duty, closest job title and whole text."""
    text = space.skills.occupation_similarity(vectors)
    duty = text.copy()
    if len(space.duty_vectors):
        cosines = vectors @ space.duty_vectors.T
        starts = np.flatnonzero(np.r_[True, np.diff(space.duty_rows) != 0])
        duty[:, space.duty_rows[starts]] = np.maximum.reduceat(cosines, starts, axis=1)
    return duty, _title_fit(vectors, titles, text.shape[1], depth, text), text


def _relative(scores: np.ndarray) -> np.ndarray:
    """Each row over its best (0-1); a row of zeros stays zeros."""
    best = scores.max(axis=1, keepdims=True)
    relative: np.ndarray = scores / np.where(best > 0, best, 1.0)
    return relative


def _standing(duty: np.ndarray, title: np.ndarray, text: np.ndarray, scoring: SkillScoring) -> np.ndarray:
    """The weighed fit with each occupation, as a z-score over the occupations, capped."""
    fit = scoring.duty_weight * duty + scoring.title_weight * title + scoring.text_weight * text
    spread = np.maximum(fit.std(axis=1, keepdims=True), 1e-6)
    capped: np.ndarray = np.minimum((fit - fit.mean(axis=1, keepdims=True)) / spread, scoring.z_cap)
    return capped


def _title_fit(
    vectors: np.ndarray, titles: TitleVectors | None, occupations: int, depth: int, fallback: np.ndarray
) -> np.ndarray:
    if titles is None or not len(vectors):
        return fallback
    scores, ids = titles.index.search(vectors, depth)
    fit = np.repeat(scores[:, -1:], occupations, axis=1).astype(np.float32)  # unseen: as the last seen
    for skill in range(len(vectors)):
        np.maximum.at(fit[skill], titles.rows[ids[skill]], scores[skill])
    return fit
