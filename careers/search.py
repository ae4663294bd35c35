"""The two career questions, answered over the career space: which occupations fit the skills a
person lists (`CareerSearch.by_skills`), and where a person in an occupation can move
(`CareerSearch.transitions`), each answer with the occupations' outlook and wages in a region."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
from sqlalchemy.orm import Session

from careers.career_space import CareerSpace
from careers.exceptions import NoSkillsGiven
from careers.gap import covered_descriptors, skill_gap
from careers.market import OccupationMarket, WageChange, is_desirable, occupation_market, wage_change
from careers.moves import (
    DEFAULT_MOVE_WEIGHTS,
    MoveRanker,
    MoveWeights,
    RankedMove,
    SkillRef,
    SkillToLearn,
    skills_to_learn,
)
from careers.skill_scoring import DEFAULT_SCORING, SkillScoring, TitleVectors, joint_text, recognized, skill_fit
from careers.skill_text import cleaned_skills, split_skills
from labour_market.codes import NOC2016_UNIT_GROUP
from labour_market.crosswalk import noc2021_successors
from labour_market.language import Language
from labour_market.occupations import get_unit_group
from labour_market.profile import Outlook, Wages
from labour_market.regional_wages import resolve_region
from matching.engine import Matcher, QueryVectorCache

# A skill is one an occupation uses when the occupation stands out for it: within this many deviations of
# the skill's best occupation, or at least USED_STANDING deviations above the mean.
MATCHED_MARGIN = 1.0
USED_STANDING = 2.5
TO_LEARN_SHOWN = 6
SKILL_CACHE_SIZE = 20_000  # skill embeddings kept (384 floats each: about 31 MB when full)


@dataclass(frozen=True)
class SkillSearchRequest:
    skills: Sequence[str] = ()
    text: str | None = None
    lang: Literal["auto", "en", "fr"] = "auto"
    region: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class MatchedSkill:
    input: str
    skill: SkillRef  # the ESCO skill closest to what the person wrote


@dataclass(frozen=True)
class SkillOccupation:
    noc_code: str
    title: str
    score: float  # how the occupation stands out for the skills (careers.skill_scoring), higher is better
    confidence: float  # how surely it is the one, against the others (a softmax of the scores), 0-1
    teer: int | None
    matched: list[MatchedSkill]
    to_learn: list[SkillToLearn]
    outlook: Outlook | None
    wages: Wages


@dataclass(frozen=True)
class SkillSearch:
    lang: Language
    no_match: bool
    skills: list[str]  # the skills read (the list given, or those split from the text)
    unrecognized: list[str]
    occupations: list[SkillOccupation]


@dataclass(frozen=True)
class Concordance:
    """A NOC 2016 code answered through the official concordance."""

    noc2016_code: str
    noc2021_codes: list[str]  # the first is the one answered for


@dataclass(frozen=True)
class Transition:
    noc_code: str
    title: str
    similarity: float
    shared: list[SkillRef]
    to_learn: list[SkillToLearn]
    teer: int
    more_training: bool
    wage_change: WageChange | None
    outlook: Outlook | None
    desirable: bool | None  # pay and outlook no worse; None when a wage or an outlook is unknown


@dataclass(frozen=True)
class CareerMoves:
    lang: Language
    occupation: OccupationMarket
    concordance: Concordance | None
    transitions: list[Transition]


class CareerSearch:
    """The long-lived parts of career search: the career space, the moves' scores and the job titles'
    vectors (the matcher's index; without a matcher, or one of words alone, skills are compared with the
    duties and the occupations' texts only, and `auto` reads as English)."""

    def __init__(
        self,
        space: CareerSpace,
        matcher: Matcher | None,
        scoring: SkillScoring = DEFAULT_SCORING,
        weights: MoveWeights = DEFAULT_MOVE_WEIGHTS,
    ):
        self.space = space
        self.matcher = matcher
        self.scoring = scoring
        self.ranker = MoveRanker(space, weights)
        self._vectors = QueryVectorCache(SKILL_CACHE_SIZE)
        rows = space.skills.occupation_rows
        self.titles = (
            TitleVectors(matcher.vector_index, np.array([rows[e.noc_code] for e in matcher.semantic_entries]))
            if matcher is not None and matcher.vector_index is not None
            else None
        )

    def title(self, code: str, lang: Language) -> str:
        occupation = self.space.skills.occupations[self.space.skills.occupation_rows[code]]
        return occupation.title_fr if lang == "fr" and occupation.title_fr else occupation.title_en

    def language(self, requested: str, text: str) -> Language:
        if requested in ("en", "fr"):
            return "fr" if requested == "fr" else "en"
        detector = self.matcher.detector if self.matcher is not None else None
        return "fr" if text and detector is not None and detector.detect(text) == "fr" else "en"

    def by_skills(self, session: Session, request: SkillSearchRequest) -> SkillSearch:
        """Raises NoSkillsGiven, UnknownRegion."""
        skills = cleaned_skills(list(request.skills)) if request.skills else split_skills(request.text or "")
        if not skills:
            raise NoSkillsGiven(request.text)
        if request.region:
            resolve_region(session, request.region)  # an unknown region is refused, match or not
        lang = self.language(request.lang, "; ".join(skills))
        known = recognized(self.space, skills)
        unrecognized = [skill for skill, counts in zip(skills, known, strict=True) if not counts]
        used = [skill for skill, counts in zip(skills, known, strict=True) if counts]
        if not used:
            return SkillSearch(lang, True, skills, unrecognized, [])
        space = self.space.skills
        vectors = self._embedded(used)
        joint = self._embedded([joint_text(used)])[0] if len(used) > 1 else None
        fit = skill_fit(self.space, used, vectors, self.titles, self.scoring, joint)
        nearest = self._nearest_esco(vectors)
        listed = covered_descriptors(space, vectors)
        order = np.argsort(-fit.scores, kind="stable")[: request.limit]
        best = fit.standing.max(axis=1)
        occupations = []
        for column in order:
            code = space.occupations[column].noc_code
            uses = fit.standing[:, column] >= np.minimum(best - MATCHED_MARGIN, USED_STANDING)
            matched = [
                MatchedSkill(skill, reference)
                for skill, reference, counts in zip(used, nearest, uses, strict=True)
                if counts and reference is not None
            ]
            gap = skill_gap(space, code, lang, listed, None)
            market = occupation_market(session, code, self.title(code, lang), lang, request.region)
            occupations.append(
                SkillOccupation(
                    noc_code=code,
                    title=market.title,
                    score=round(float(fit.scores[column]), 4),
                    confidence=round(float(fit.confidence[column]), 4),
                    teer=market.teer,
                    matched=matched,
                    to_learn=skills_to_learn(gap)[:TO_LEARN_SHOWN],
                    outlook=market.outlook,
                    wages=market.wages,
                )
            )
        return SkillSearch(lang, False, skills, unrecognized, occupations)

    def _embedded(self, texts: list[str]) -> np.ndarray:
        """The texts' query embeddings, those seen lately from the cache: a person adding a skill to their
        list sends the others again. The whole list is embedded in a call of its own: padded together, each
        short skill would cost as much as it."""
        found = [self._vectors.get(text) for text in texts]
        missing = [text for text, vector in zip(texts, found, strict=True) if vector is None]
        if missing:
            fresh = iter(self.space.skills.embedder.embed_queries(missing))
            for position, cached in enumerate(found):
                if cached is None:
                    found[position] = embedded = next(fresh)
                    self._vectors.put(texts[position], embedded)
        return np.stack([vector for vector in found if vector is not None])

    def _nearest_esco(self, vectors: np.ndarray) -> list[SkillRef | None]:
        space = self.space.skills
        if not space.esco or not len(vectors):
            return [None] * len(vectors)
        _, ids = space.esco_index.search(np.ascontiguousarray(vectors, dtype=np.float32), 1)
        return [SkillRef(space.esco[int(i)].id, space.esco[int(i)].label_en) if i >= 0 else None for i in ids[:, 0]]

    def resolve(self, session: Session, code: str) -> tuple[str, Concordance | None]:
        """The NOC 2021 unit group `code` names (a NOC 2016 code through the concordance); raises
        OccupationNotFound or CrosswalkCodeNotFound."""
        code = code.strip()
        if NOC2016_UNIT_GROUP.fullmatch(code):
            successors = [link.code for link in noc2021_successors(session, code, "en").links]
            return successors[0], Concordance(code, successors)
        get_unit_group(session, code)
        return code, None

    def transitions(self, session: Session, code: str, lang: Language, region: str | None, limit: int) -> CareerMoves:
        """The best `limit` moves from the occupation `code`; raises OccupationNotFound,
        CrosswalkCodeNotFound or UnknownRegion."""
        if region:
            resolve_region(session, region)
        source, concordance = self.resolve(session, code)
        origin = occupation_market(session, source, self.title(source, lang), lang, region)
        ranked = self.ranker.moves(source, lang, limit)
        moves = [self._transition(session, origin, move, lang, region) for move in ranked]
        return CareerMoves(lang, origin, concordance, moves)

    def _transition(
        self, session: Session, origin: OccupationMarket, move: RankedMove, lang: Language, region: str | None
    ) -> Transition:
        target = occupation_market(session, move.noc_code, self.title(move.noc_code, lang), lang, region)
        change = wage_change(origin.wages, target.wages)
        return Transition(
            noc_code=move.noc_code,
            title=target.title,
            similarity=move.similarity,
            shared=move.shared,
            to_learn=move.to_learn,
            teer=move.teer,
            more_training=move.more_training,
            wage_change=change,
            outlook=target.outlook,
            desirable=is_desirable(change, origin.outlook, target.outlook),
        )
