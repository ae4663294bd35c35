"""Recommending programs: job title → occupation → the person's skill gap → ranked programs with
reasons, beside the occupation's outlook and wages."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial

import numpy as np
from sqlalchemy.orm import Session

from careers.gap import OccupationSkill, SkillGap, listed_skill_coverage, skill_gap
from careers.search import CareerSearch, Transition
from catalog.skill_space import SkillSpace
from labour_market.language import Language
from labour_market.occupations import get_unit_group
from labour_market.profile import MarketSummary, market_summary
from matching.engine import Match, Matcher
from recommendations.catalog_snapshot import CatalogSnapshot, CourseEntry, FitCache, SnapshotCache
from recommendations.learning import LearningArm
from recommendations.ranking import DEFAULT_WEIGHTS, Filters, RankedCourse, Weights, rank_courses
from recommendations.reasons import ProgramFacts, ReasonContext, no_match_message, program_reasons

ALTERNATIVES = 3
DEFAULT_MAX_SHARE = 0.5
MOVES_SHOWN = 5  # career moves answered for `moves: true`
PROGRAMS_PER_MOVE = 3


@dataclass(frozen=True)
class RecommendationRequest:
    job_title: str | None = None
    noc_code: str | None = None
    lang: str = "auto"
    region: str | None = None
    current_job_title: str | None = None
    skills: Sequence[str] = ()
    filters: Filters = field(default_factory=Filters)
    limit: int = 10
    session_id: str | None = None
    variant: str | None = None
    moves: bool = False  # the best moves from the current job, each with the programs that close its gap


@dataclass(frozen=True)
class Program:
    course: CourseEntry
    rank: int
    score: float
    reason: str
    skills_covered: list[str]
    link_source: str | None  # "given", "inferred" or None (text similarity only)


@dataclass(frozen=True)
class Recommendation:
    lang: str
    no_match: bool
    message: str | None
    occupation: Match | None
    teer: int | None
    alternatives: list[Match]
    market: MarketSummary | None
    skills: list[OccupationSkill]
    programs: list[Program]
    current_occupation: Match | None
    session_id: str | None
    variant: str | None
    moves: list["MoveRecommendation"] = field(default_factory=list)

    def all_programs(self) -> list[tuple[str | None, Program]]:
        """Every program shown, with its occupation: the occupation's own, then each move's."""
        code = self.occupation.noc_code if self.occupation else None
        return [(code, program) for program in self.programs] + [
            (move.transition.noc_code, program) for move in self.moves for program in move.programs
        ]


@dataclass(frozen=True)
class MoveRecommendation:
    transition: Transition
    skills: list[OccupationSkill]  # the move's occupation's important skills, those the person has marked
    programs: list[Program]


class Recommender:
    """The long-lived parts of recommending: the matcher, the skill space and the catalog snapshot."""

    def __init__(
        self,
        matcher: Matcher,
        space: SkillSpace,
        max_share: float = DEFAULT_MAX_SHARE,
        weights: Weights = DEFAULT_WEIGHTS,
        learner: LearningArm | None = None,
        careers: CareerSearch | None = None,
    ):
        self.careers = careers  # career moves, for `moves: true`
        self.learner = learner  # the learning arm (recommendations.learning), when it is on
        self.matcher = matcher
        self.space = space
        self.max_share = max_share
        self.weights = weights
        self.snapshots = SnapshotCache([d.id for d in space.descriptors], space.embedder.dimension)
        self._fits = FitCache()

    def recommend(self, session: Session, request: RecommendationRequest) -> Recommendation:
        """Raises OccupationNotFound (an unknown `noc_code`) or UnknownRegion."""
        variant, learner = self._arm(request)
        lang = self._language(request)
        if request.moves:
            return self._moves(session, request, lang, variant)
        matches = self._occupations(session, request, lang)
        if not matches:
            return self._no_match(request, lang, variant)
        occupation = matches[0]
        market = market_summary(session, occupation.noc_code, "fr" if lang == "fr" else "en", request.region)
        current = self._current_occupation(request, lang)
        listed = listed_skill_coverage(self.space, request.skills)
        gap = skill_gap(self.space, occupation.noc_code, lang, listed, current.noc_code if current else None)
        snapshot = self.snapshots.current(session)
        query_vector = self.matcher.query_vector(request.job_title, lang) if request.job_title else None
        rank = self._ranking(snapshot, occupation.noc_code, gap.weights(), lang, request, query_vector)
        ranked = rank(limit=request.limit)
        if learner is not None:
            # The arm chooses among the base ranking's first programs, those under its relative floor
            # included, and shows one more than the base list (a place to try a program not tried yet).
            shown = min(request.limit, len(ranked) + 1) if ranked else 0
            pool = rank(limit=learner.pool(request.limit), relative_floor=0.0)
            ranked = learner.rerank(snapshot, occupation.noc_code, pool, shown, self.max_share, request.session_id)
        programs = self._programs(snapshot, ranked, gap, occupation.title, lang)
        alternatives = matches[1 : 1 + ALTERNATIVES]
        return Recommendation(
            lang, False, None, occupation, market.teer, alternatives, market, gap.skills, programs, current,
            request.session_id, variant,
        )  # fmt: skip

    def _no_match(self, request: RecommendationRequest, lang: str, variant: str | None) -> Recommendation:
        return Recommendation(
            lang, True, no_match_message(lang), None, None, [], None, [], [], None, request.session_id, variant
        )

    def _ranking(
        self,
        snapshot: CatalogSnapshot,
        noc_code: str,
        gap_weights: dict[str, float],
        lang: str,
        request: RecommendationRequest,
        query_vector: np.ndarray | None,
    ) -> Callable[..., list[RankedCourse]]:
        row = self.space.occupation_rows[noc_code]
        fit = self._fits.current(snapshot, self.space.occupation_vectors)[:, row]
        return partial(
            rank_courses,
            snapshot,
            # The English text only: it holds the definition and duties (and the French title); the
            # French titles alone made the ranking worse on the judgments (nDCG@10 0.37 against 0.42).
            self.space.occupation_vectors[0, row],
            noc_code,
            gap_weights,
            lang,
            request.filters,
            max_share=self.max_share,
            weights=self.weights,
            fit=fit,
            query_vector=query_vector,
        )

    def _programs(
        self, snapshot: CatalogSnapshot, ranked: list[RankedCourse], gap: SkillGap, title: str, lang: str
    ) -> list[Program]:
        labels = {skill.descriptor_id: skill.label for skill in gap.skills}
        facts = [
            ProgramFacts(snapshot.courses[item.row], [(d, labels[d]) for d in item.gap_covered], item.link)
            for item in ranked
        ]
        reasons = program_reasons(lang, ReasonContext(title, gap.person_known), facts)
        programs = []
        for place, (item, fact, reason) in enumerate(zip(ranked, facts, reasons, strict=True), start=1):
            covered = [label for _, label in fact.covered]
            programs.append(
                Program(fact.course, place, item.score, reason, covered, item.link.source if item.link else None)
            )
        return programs

    def _moves(
        self, session: Session, request: RecommendationRequest, lang: str, variant: str | None
    ) -> Recommendation:
        """The best moves from the person's current job, each with the programs that close its gap."""
        current = self._current_occupation(request, lang)
        if current is None or self.careers is None:
            return self._no_match(request, lang, variant)
        language: Language = "fr" if lang == "fr" else "en"
        market = market_summary(session, current.noc_code, language, request.region)
        answer = self.careers.transitions(
            session, current.noc_code, language, request.region, min(request.limit, MOVES_SHOWN)
        )
        listed = listed_skill_coverage(self.space, request.skills)
        snapshot = self.snapshots.current(session)
        moves = []
        for transition in answer.transitions:
            gap = skill_gap(self.space, transition.noc_code, lang, listed, current.noc_code)
            rank = self._ranking(snapshot, transition.noc_code, gap.weights(), lang, request, None)
            ranked = rank(limit=PROGRAMS_PER_MOVE)
            moves.append(
                MoveRecommendation(
                    transition, gap.skills, self._programs(snapshot, ranked, gap, transition.title, lang)
                )
            )
        return Recommendation(
            lang, False, None, current, market.teer, [], market, [], [], current, request.session_id, variant, moves
        )

    def _arm(self, request: RecommendationRequest) -> tuple[str | None, LearningArm | None]:
        """The request's variant (the learning arm may assign one) and the learning arm when it is that."""
        if self.learner is None:
            return request.variant, None
        variant = self.learner.variant_for(request.variant, request.session_id)
        return variant, self.learner if variant == self.learner.name else None

    def _language(self, request: RecommendationRequest) -> str:
        if request.lang != "auto":
            return request.lang
        text = request.job_title or request.current_job_title or ""
        return self.matcher.detector.detect(text) if text else "en"

    def _occupations(self, session: Session, request: RecommendationRequest, lang: str) -> list[Match]:
        if request.noc_code is not None:
            code = request.noc_code.strip()
            result = self.matcher.search(code, lang, limit=1 + ALTERNATIVES)
            if result.no_match or not result.results or result.results[0].match_type not in {"code", "noc2016_code"}:
                get_unit_group(session, code)  # raises OccupationNotFound, saying what the code is instead
            return result.results
        result = self.matcher.search(request.job_title or "", lang, limit=1 + ALTERNATIVES)
        return [] if result.no_match else result.results

    def _current_occupation(self, request: RecommendationRequest, lang: str) -> Match | None:
        if not request.current_job_title or not request.current_job_title.strip():
            return None
        result = self.matcher.search(request.current_job_title, lang, limit=1)
        return None if result.no_match or not result.results else result.results[0]
