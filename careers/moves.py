"""Career moves: the occupations a person in one can move to, ranked by how much of what they do
carries over, each with what carries over, what they would need to learn, the change in median wage
and the outlook, and whether the move is desirable (pay and outlook no worse).

How much carries over weighs the measures of :mod:`careers.career_space`: the standardized OaSIS
profiles (skills, knowledge and work activities most; abilities little, since many unrelated jobs
share the same physical ones), the duties, the NOC structure (a shared minor group says the work is
of one kind), the profiles citing each other, less a little per TEER level apart. The weights were
chosen on the tuning half of the career judgments (`scripts/eval_careers.py`).
"""

from dataclasses import dataclass

import numpy as np

from careers.career_space import CareerSpace, MoveMeasures
from careers.gap import SkillGap, skill_gap
from labour_market.language import Language


@dataclass(frozen=True)
class MoveWeights:
    skill: float = 0.1
    knowledge: float = 0.15
    work_activity: float = 0.1
    ability: float = 0.0  # abilities alone make unrelated jobs look alike: measured, they did not help
    duties: float = 0.3
    text: float = 0.2
    shared_level: float = 0.03  # per leading digit of the code shared beyond the first
    cited: float = 0.2
    teer_step: float = 0.0  # taken off per TEER level between the two


DEFAULT_MOVE_WEIGHTS = MoveWeights()
SHARED_SHOWN = 6
TO_LEARN_SHOWN = 6


def move_scores(measures: MoveMeasures, weights: MoveWeights = DEFAULT_MOVE_WEIGHTS) -> np.ndarray:
    """(occupations, occupations): how much of what the row's occupation does carries over to the
    column's; the diagonal is -inf (staying is not a move)."""
    profile = (
        weights.skill * measures.profile["skill"]
        + weights.knowledge * measures.profile["knowledge"]
        + weights.work_activity * measures.profile["work_activity"]
        + weights.ability * measures.profile["ability"]
    )
    teer_gap = np.abs(measures.teer[:, None].astype(np.float32) - measures.teer[None, :].astype(np.float32))
    scores: np.ndarray = (
        profile
        + weights.duties * measures.duties
        + weights.text * measures.text
        + weights.shared_level * np.clip(measures.shared_levels.astype(np.float32) - 1.0, 0.0, None)
        + weights.cited * measures.cited
        - weights.teer_step * teer_gap
    ).astype(np.float32)
    np.fill_diagonal(scores, -np.inf)
    return scores


@dataclass(frozen=True)
class SkillRef:
    id: str
    name: str


@dataclass(frozen=True)
class SkillToLearn:
    id: str
    name: str
    level: float  # on the descriptor's OaSIS scale
    scale_max: float


@dataclass(frozen=True)
class RankedMove:
    noc_code: str
    similarity: float
    shared: list[SkillRef]
    to_learn: list[SkillToLearn]
    teer: int
    more_training: bool  # the target's TEER number is lower: it usually asks for more education or training


def skills_to_learn(gap: SkillGap) -> list[SkillToLearn]:
    """The important skills of a gap the person does not have, most needed first."""
    return [
        SkillToLearn(skill.descriptor_id, skill.label, skill.level, skill.scale_max)
        for skill in gap.skills
        if not skill.covered_by_person
    ]


class MoveRanker:
    """Ranks the moves from each occupation over a career space (the scores computed once)."""

    def __init__(self, space: CareerSpace, weights: MoveWeights = DEFAULT_MOVE_WEIGHTS):
        self.space = space
        self.scores = move_scores(space.measures, weights)

    def ranked_codes(self, noc_code: str, limit: int) -> list[tuple[str, float]]:
        row = self.space.skills.occupation_rows[noc_code]
        order = np.argsort(-self.scores[row], kind="stable")[:limit]
        return [(self.space.codes[column], float(self.scores[row, column])) for column in order]

    def moves(self, noc_code: str, lang: Language, limit: int) -> list[RankedMove]:
        """The best `limit` moves from `noc_code` (a unit group of the space), best first."""
        return [self.describe(noc_code, code, score, lang) for code, score in self.ranked_codes(noc_code, limit)]

    def describe(self, source: str, target: str, score: float, lang: Language) -> RankedMove:
        skills = self.space.skills
        source_row, target_row = skills.occupation_rows[source], skills.occupation_rows[target]
        # The target's important skills: those the source rates (nearly) as high carry over, the rest are to learn.
        gap = skill_gap(skills, target, lang, set(), source)
        shared = [SkillRef(skill.descriptor_id, skill.label) for skill in gap.skills if skill.covered_by_person]
        to_learn = skills_to_learn(gap)
        teer = self.space.measures.teer
        return RankedMove(
            noc_code=target,
            similarity=round(float(np.clip(score, 0.0, 1.0)), 4),
            shared=shared[:SHARED_SHOWN],
            to_learn=to_learn[:TO_LEARN_SHOWN],
            teer=int(teer[target_row]),
            more_training=bool(teer[target_row] < teer[source_row]),
        )
