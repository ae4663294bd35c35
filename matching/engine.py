"""The matcher: a free-text job title (or a NOC code) → ranked NOC 2021 unit groups.

Candidates come from three sources — exact lookup, lexical retrieval with typo tolerance and
embedding nearest neighbours — and are fused per unit group into one calibrated score.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from matching.embeddings import Embedder
from matching.fusion import Calibration, Evidence
from matching.language import LanguageDetector
from matching.lexical import LexicalIndex
from matching.lexicon import IndexEntry, Lexicon
from matching.text import NormalizedQuery, fold, normalize_query
from matching.vector_index import VectorIndex

LEXICAL_DEPTH = 50
SEMANTIC_DEPTH = 60
INDUSTRY_WEIGHT = 0.05


@dataclass(frozen=True)
class Match:
    noc_code: str
    title: str
    title_en: str
    title_fr: str
    score: float
    confidence: str
    matched_title: str
    match_type: str  # code, noc2016_code, exact, fuzzy, semantic, hybrid


@dataclass(frozen=True)
class SearchResult:
    query: str
    normalized: str
    lang: str
    no_match: bool
    results: list[Match]


@dataclass
class _Candidate:
    lexical: float = 0.0
    semantic: float = 0.0
    exact: bool = False
    lexical_rank: int | None = None
    semantic_rank: int | None = None
    lexical_title: str | None = None
    semantic_title: str | None = None


class Matcher:
    def __init__(
        self,
        lexicon: Lexicon,
        detector: LanguageDetector,
        calibration: Calibration,
        embedder: Embedder | None = None,
        vector_index: VectorIndex | None = None,
        semantic_entries: Sequence[IndexEntry] = (),
    ):
        self.lexicon = lexicon
        self.detector = detector
        self.calibration = calibration
        self.lexical_index = LexicalIndex(lexicon.entries)
        self.title_tokens: dict[str, list[frozenset[str]]] = {}
        for entry in lexicon.entries:
            self.title_tokens.setdefault(entry.noc_code, []).append(frozenset(entry.folded.split()))
        self.embedder = embedder
        self.vector_index = vector_index
        self.semantic_entries = list(semantic_entries)

    def search(self, query: str, lang: str = "auto", limit: int = 10, industry: str | None = None) -> SearchResult:
        return self.search_many([(query, industry)], lang, limit)[0]

    def search_many(
        self, items: Sequence[tuple[str, str | None]], lang: str = "auto", limit: int = 10
    ) -> list[SearchResult]:
        """Search several queries at once (their embeddings are computed in one batch)."""
        prepared = [self._prepare(query, lang) for query, _ in items]
        vectors = self._embed([normalized.cleaned for normalized, _ in prepared])
        results = []
        for index, ((query, industry), (normalized, query_lang)) in enumerate(zip(items, prepared, strict=True)):
            code_result = self._code_lookup(query.strip(), query_lang, limit)
            if code_result is not None:
                results.append(code_result)
                continue
            vector = vectors[index : index + 1] if vectors is not None else None
            results.append(self._rank(query, normalized, query_lang, vector, industry, limit))
        return results

    def _prepare(self, query: str, lang: str) -> tuple[NormalizedQuery, str]:
        query_lang = self.detector.detect(query) if lang == "auto" else lang
        return normalize_query(query, query_lang), query_lang

    def _embed(self, texts: list[str]) -> np.ndarray | None:
        if self.embedder is None or self.vector_index is None or not texts:
            return None
        return self.embedder.embed_queries([text or " " for text in texts])

    def _code_lookup(self, query: str, lang: str, limit: int) -> SearchResult | None:
        if NOC2021_UNIT_GROUP.fullmatch(query) and query in self.lexicon.unit_groups:
            return SearchResult(query, query, lang, False, [self._match(query, 1.0, lang, query, "code")])
        if NOC2016_UNIT_GROUP.fullmatch(query) and query in self.lexicon.noc2016_successors:
            successors = self.lexicon.noc2016_successors[query]
            score = 1.0 / len(successors)
            matches = [self._match(code, score, lang, query, "noc2016_code") for code in successors[:limit]]
            return SearchResult(query, query, lang, False, matches)
        return None

    def _rank(
        self,
        query: str,
        normalized: NormalizedQuery,
        lang: str,
        vector: np.ndarray | None,
        industry: str | None,
        limit: int,
    ) -> SearchResult:
        candidates: dict[str, _Candidate] = {}
        entries = self.lexicon.entries
        for hit in self.lexical_index.search(normalized.cleaned, LEXICAL_DEPTH):
            entry = entries[hit.entry_id]
            candidate = candidates.setdefault(entry.noc_code, _Candidate())
            if hit.score > candidate.lexical:
                candidate.lexical, candidate.lexical_title = hit.score, entry.title
            candidate.exact = candidate.exact or hit.exact
        if vector is not None and self.vector_index is not None:
            scores, ids = self.vector_index.search(vector, SEMANTIC_DEPTH)
            for score, entry_id in zip(scores[0], ids[0], strict=True):
                if entry_id < 0:
                    continue
                entry = self.semantic_entries[entry_id]
                candidate = candidates.setdefault(entry.noc_code, _Candidate())
                if score > candidate.semantic:
                    candidate.semantic, candidate.semantic_title = float(score), entry.title
        _assign_ranks(candidates)
        industry_bonus = self._industry_bonus(industry, candidates) if industry else {}
        scored = []
        for code, candidate in candidates.items():
            evidence = Evidence(candidate.lexical, candidate.semantic, candidate.exact,
                                candidate.lexical_rank, candidate.semantic_rank)
            score = min(1.0, self.calibration.score(evidence) + industry_bonus.get(code, 0.0))
            scored.append((score, code, candidate))
        scored.sort(key=lambda item: (-item[0], item[1]))
        no_match = not scored or scored[0][0] < self.calibration.no_match_threshold
        matches = [] if no_match else [
            self._match(code, score, lang, *_explain(candidate)) for score, code, candidate in scored[:limit]
        ]
        return SearchResult(query, normalized.cleaned, lang, no_match, matches)

    def _industry_bonus(self, industry: str, candidates: dict[str, _Candidate]) -> dict[str, float]:
        """A small lift for candidates whose titles share words with the industry text (ties only)."""
        industry_tokens = set(fold(industry).split())
        if not industry_tokens:
            return {}
        bonus = {}
        for code in candidates:
            best = max(len(industry_tokens & tokens) for tokens in self.title_tokens.get(code, [frozenset()]))
            bonus[code] = INDUSTRY_WEIGHT * best / len(industry_tokens)
        return bonus

    def _match(self, code: str, score: float, lang: str, matched_title: str, match_type: str) -> Match:
        group = self.lexicon.unit_groups[code]
        return Match(
            noc_code=code,
            title=group.title_fr if lang == "fr" else group.title_en,
            title_en=group.title_en,
            title_fr=group.title_fr,
            score=round(score, 4),
            confidence=self.calibration.confidence(score),
            matched_title=matched_title,
            match_type=match_type,
        )


def _assign_ranks(candidates: dict[str, _Candidate]) -> None:
    lexical = sorted((c for c in candidates.values() if c.lexical > 0), key=lambda c: -c.lexical)
    for rank, candidate in enumerate(lexical):
        candidate.lexical_rank = rank
    semantic = sorted((c for c in candidates.values() if c.semantic > 0), key=lambda c: -c.semantic)
    for rank, candidate in enumerate(semantic):
        candidate.semantic_rank = rank


def _explain(candidate: _Candidate) -> tuple[str, str]:
    """(matched title, match type) that best explain the candidate's place."""
    if candidate.exact and candidate.lexical_title:
        return candidate.lexical_title, "exact"
    if candidate.lexical_title and candidate.semantic_title:
        if candidate.lexical >= candidate.semantic:
            return candidate.lexical_title, "hybrid"
        return candidate.semantic_title, "hybrid"
    if candidate.lexical_title:
        return candidate.lexical_title, "fuzzy"
    return candidate.semantic_title or "", "semantic"
