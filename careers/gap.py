"""A person's skill gap for an occupation: the OaSIS skills and knowledge the occupation rates high
that the person does not have, judged from the skills they list and from the profile of the
occupation they hold now."""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from catalog.skill_space import SkillSpace
from catalog.tagging import descriptor_confidence
from labour_market.datasets import OASIS_SCALES

IMPORTANT = 0.6  # scaled rating from which a descriptor counts as important (3 of 5, 2 of 3)
SHOWN_SKILLS = 10
LISTED_SKILL_CONFIDENCE = 0.5  # a listed skill covers a descriptor it maps to at least this well
CURRENT_JOB_MARGIN = 0.1  # the current occupation covers a descriptor rated at most this much lower


@dataclass(frozen=True)
class OccupationSkill:
    descriptor_id: str
    label: str
    level: float  # on the descriptor's own OaSIS scale
    scale_max: float
    weight: float  # how much more this occupation needs it than occupations do on average, 0-1
    covered_by_person: bool


@dataclass(frozen=True)
class SkillGap:
    skills: list[OccupationSkill]  # the occupation's important descriptors, most needed first
    person_known: bool  # whether the person said anything about their skills or current job

    def weights(self) -> dict[str, float]:
        """The descriptors the person lacks, weighted by how much more the occupation needs them than
        occupations do on average: listening or problem solving, which nearly every occupation rates
        high, weigh little; physical health for a nurse, much."""
        return {
            skill.descriptor_id: skill.weight
            for skill in self.skills
            if not skill.covered_by_person and skill.weight > 0
        }


def listed_skill_coverage(space: SkillSpace, skills: Sequence[str]) -> set[str]:
    """Descriptors covered by free-text skills a person lists (either language)."""
    texts = [skill.strip() for skill in skills if skill.strip()]
    if not texts:
        return set()
    return covered_descriptors(space, space.embedder.embed_queries(texts))


def covered_descriptors(space: SkillSpace, vectors: np.ndarray) -> set[str]:
    """Descriptors covered by the embedded skills a person lists."""
    if not len(vectors):
        return set()
    confidence = descriptor_confidence(space, vectors)
    return {
        space.descriptors[column].id for column in np.flatnonzero(confidence.max(axis=0) >= LISTED_SKILL_CONFIDENCE)
    }


def skill_gap(space: SkillSpace, noc_code: str, lang: str, listed: set[str], current_noc_code: str | None) -> SkillGap:
    row = space.occupation_rows[noc_code]
    target = space.ratings[row]
    distinct = np.clip(target - space.typical_ratings, 0.0, 1.0)
    current = (
        space.ratings[space.occupation_rows[current_noc_code]] if current_noc_code in space.occupation_rows else None
    )
    important = [column for column in np.argsort(-target, kind="stable") if target[column] >= IMPORTANT]
    skills = []
    for column in important[:SHOWN_SKILLS]:
        descriptor = space.descriptors[column]
        covered = descriptor.id in listed or (
            current is not None and current[column] >= target[column] - CURRENT_JOB_MARGIN
        )
        scale_max = float(OASIS_SCALES[descriptor.dimension or "skill"][1])
        skills.append(
            OccupationSkill(
                descriptor.id,
                descriptor.label(lang),
                round(float(target[column]) * scale_max, 2),
                scale_max,
                round(float(target[column] * distinct[column]), 4),
                covered,
            )
        )
    return SkillGap(skills, bool(listed) or current is not None)
