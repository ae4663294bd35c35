"""The matcher: a free-text job title (or a NOC code) → ranked NOC 2021 unit groups.

Candidates come from three sources — exact lookup, lexical retrieval with typo tolerance and
embedding nearest neighbours — and are fused per unit group into one calibrated score.
"""

import copy
import threading
from collections import OrderedDict
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from types import TracebackType

import numpy as np

from matching.embeddings import Embedder
from matching.folding import fold
from matching.fusion import Calibration, Evidence
from matching.language import LanguageDetector
from matching.lexical import LexicalIndex
from matching.lexicon import IndexEntry, Lexicon
from matching.non_occupations import names_no_occupation
from matching.query import NormalizedQuery, normalize_query
from matching.vector_index import VectorIndex

LEXICAL_DEPTH = 50
SEMANTIC_DEPTH = 60
VOTE_DEPTH = 10
QUERY_CACHE_SIZE = 50_000  # query vectors kept (384 floats each: about 77 MB when full)
# Words that make a title another occupation than the one typed: NOC puts supervisors, managers,
# helpers, assistants and apprentices in unit groups of their own (folded, both genders).
RANK_WORDS = frozenset(
    """
    supervisor supervisors foreman forewoman foreperson chief head lead leader manager director
    helper aide assistant apprentice trainee coordinator superintendent
    chef superviseur superviseure surveillant surveillante contremaitre contremaitresse gestionnaire
    directeur directrice adjoint adjointe apprenti apprentie stagiaire coordonnateur coordonnatrice
""".split()  # noqa: SIM905 - a word list reads better as text, one line per theme and language
)
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
    match_type: str  # code, noc2016_code, exact, alias, fuzzy, semantic, hybrid


@dataclass(frozen=True)
class SearchQuery:
    """One job title to code, with what else the person said about the job.

    `industry` (the employer's industry, or the employer) and `duties` (what the person does) are
    evidence: a generic title ("clerk", "operator", "owner") is read in their light.
    """

    text: str
    industry: str | None = None
    duties: str | None = None


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
    lexical_title: str | None = None
    semantic_title: str | None = None
    adds_rank: bool = False  # the best lexical title adds a rank word the query lacks ("head" cashier)
    lexical_votes: int = 0  # titles of the group among the first VOTE_DEPTH lexical hits
    semantic_votes: int = 0


class Matcher:
    """Searches the lexicon for job titles; see :meth:`search` and :meth:`search_many`.

    It owns a worker thread for query embeddings (started by the first search that embeds):
    :meth:`close` the matcher, or use it as a context manager, when done with it.
    """

    def __init__(
        self,
        lexicon: Lexicon,
        detector: LanguageDetector,
        calibration: Calibration,
        *,
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
        self._embeds = embedder is not None and vector_index is not None
        self._query_vectors = QueryVectorCache(QUERY_CACHE_SIZE)
        # One worker: the embedding runtimes are not documented as thread-safe, so concurrent
        # requests queue their embeddings here rather than calling the model at the same time.
        self._embedding_worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="query-embedding")

    def recalibrated(self, calibration: Calibration) -> "Matcher":
        """The same matcher, sharing its indexes and models, scoring with other fusion weights.

        The clone shares the embedding worker too: closing the original (or the clone) closes it
        for both.
        """
        clone = copy.copy(self)
        clone.calibration = calibration
        return clone

    def close(self) -> None:
        """Shut the embedding worker down, waiting for embeddings already queued; idempotent.

        A closed matcher with embeddings raises RuntimeError when a search needs a query
        embedding; code lookups and searches of matchers without embeddings still work.
        Matchers made by :meth:`recalibrated` share the worker, so they are closed too.
        """
        self._embedding_worker.shutdown(wait=True)

    def __enter__(self) -> "Matcher":
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def search(
        self,
        query: str,
        lang: str = "auto",
        limit: int = 10,
        industry: str | None = None,
        duties: str | None = None,
    ) -> SearchResult:
        return self.search_many([SearchQuery(query, industry, duties)], lang, limit)[0]

    def search_many(self, items: Sequence[SearchQuery], lang: str = "auto", limit: int = 10) -> list[SearchResult]:
        """Search several queries at once, in input order.

        Their embeddings are computed in one batch, in a worker thread: the embedding runtimes
        work without the GIL, so the lexical search runs meanwhile instead of after.
        """
        pairs = [(item.text, item.industry) for item in items]
        prepared = [self._prepare(query, lang) for query, _ in pairs]
        code_results = [
            self._code_lookup(query.strip(), query_lang, limit)
            for (query, _), (_, query_lang) in zip(pairs, prepared, strict=True)
        ]
        to_search = [
            code_result is None and self.is_searchable(normalized)
            for code_result, (normalized, _) in zip(code_results, prepared, strict=True)
        ]
        texts = [normalized.cleaned for (normalized, _), searched in zip(prepared, to_search, strict=True) if searched]
        pending = self._embedding_worker.submit(self._embed, texts) if self._embeds and texts else None
        lexical = [
            self._lexical_candidates(normalized, industry) if searched else {}
            for (_, industry), (normalized, _), searched in zip(pairs, prepared, to_search, strict=True)
        ]
        vectors = iter(pending.result()) if pending is not None else None
        results = []
        for (query, industry), (normalized, query_lang), code_result, searched, candidates in zip(
            pairs, prepared, code_results, to_search, lexical, strict=True
        ):
            if code_result is not None:
                results.append(code_result)
            elif not searched:
                results.append(SearchResult(query, normalized.cleaned, query_lang, True, []))
            else:
                if vectors is not None:
                    self._add_semantic(candidates, next(vectors)[None, :])
                results.append(self._rank(query, normalized, query_lang, candidates, industry=industry, limit=limit))
        return results

    def _prepare(self, query: str, lang: str) -> tuple[NormalizedQuery, str]:
        query_lang = self.detector.detect(query) if lang == "auto" else lang
        return normalize_query(query, query_lang), query_lang

    def _embed(self, texts: list[str]) -> np.ndarray:
        """Query vectors, one row per text; texts already seen are not embedded again."""
        assert self.embedder is not None
        texts = [text or " " for text in texts]
        vectors = np.empty((len(texts), self.embedder.dimension), dtype=np.float32)
        missing: dict[str, list[int]] = {}
        for row, text in enumerate(texts):
            cached = self._query_vectors.get(text)
            if cached is None:
                missing.setdefault(text, []).append(row)
            else:
                vectors[row] = cached
        if missing:
            fresh = self.embedder.embed_queries(list(missing))
            for text, vector in zip(missing, fresh, strict=True):
                self._query_vectors.put(text, vector)
                vectors[missing[text]] = vector
        return vectors

    def _code_lookup(self, query: str, lang: str, limit: int) -> SearchResult | None:
        if query in self.lexicon.unit_groups:
            return SearchResult(query, query, lang, False, [self._match(query, 1.0, lang, query, "code")])
        if query in self.lexicon.noc2016_successors:
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
        candidates: dict[str, "_Candidate"],
        *,
        industry: str | None,
        limit: int,
    ) -> SearchResult:
        scored = self._score(candidates, industry)
        no_match = not scored or scored[0][0] < self.calibration.no_match_threshold
        alias = bool(normalized.expansions)
        matches = (
            []
            if no_match
            else [
                self._match(code, score, lang, *_explain(candidate, alias)) for score, code, candidate in scored[:limit]
            ]
        )
        return SearchResult(query, normalized.cleaned, lang, no_match, matches)

    def is_searchable(self, normalized: NormalizedQuery) -> bool:
        """Whether the query names an occupation in words the index knows.

        A query none of whose words is in any index title, even allowing for a typo ("asdfgh",
        "lorem ipsum", "bonjour"), is answered "no match": embeddings place any string near some
        title, so without this the nearest title of gibberish scores like a weak real match.
        It costs the rare real title made only of unknown words (7 of 2,885 held-out titles,
        e.g. "Coxswain").
        """
        return names_an_occupation(normalized) and any(
            self.lexical_index.token_matches(token) for token in normalized.cleaned.split()
        )

    def evidence(self, normalized: NormalizedQuery, vector: np.ndarray | None) -> dict[str, Evidence]:
        """Each candidate unit group's evidence for a normalized query (and its embedding)."""
        candidates = self._lexical_candidates(normalized)
        if vector is not None:
            self._add_semantic(candidates, vector)
        return _evidence(candidates)

    def _lexical_candidates(self, normalized: NormalizedQuery, industry: str | None = None) -> dict[str, "_Candidate"]:
        candidates: dict[str, _Candidate] = {}
        entries = self.lexicon.entries
        query_tokens = set(normalized.cleaned.split())
        context = fold(industry) if industry else ""
        for rank, hit in enumerate(self.lexical_index.search(normalized.cleaned, LEXICAL_DEPTH, context)):
            entry = entries[hit.entry_id]
            candidate = candidates.setdefault(entry.noc_code, _Candidate())
            if rank < VOTE_DEPTH:
                candidate.lexical_votes += 1
            if hit.score > candidate.lexical:
                candidate.lexical, candidate.lexical_title = hit.score, entry.title
                candidate.adds_rank = bool((set(entry.folded.split()) - query_tokens) & RANK_WORDS)
            candidate.exact = candidate.exact or hit.exact
        return candidates

    def _add_semantic(self, candidates: dict[str, "_Candidate"], vector: np.ndarray) -> None:
        """Add the nearest titles of the query `vector` (shape (1, dimension)) to `candidates`."""
        if self.vector_index is None:
            return
        scores, ids = self.vector_index.search(vector, SEMANTIC_DEPTH)
        for rank, (score, entry_id) in enumerate(zip(scores[0], ids[0], strict=True)):
            entry = self.semantic_entries[entry_id]
            candidate = candidates.setdefault(entry.noc_code, _Candidate())
            if rank < VOTE_DEPTH:
                candidate.semantic_votes += 1
            if score > candidate.semantic:
                candidate.semantic, candidate.semantic_title = float(score), entry.title

    def _score(
        self, candidates: dict[str, "_Candidate"], industry: str | None = None
    ) -> list[tuple[float, str, "_Candidate"]]:
        """(score, code, candidate) for every candidate unit group, best first."""
        evidence = _evidence(candidates)
        codes = list(candidates)
        probabilities = self.calibration.scores([evidence[code] for code in codes])
        industry_bonus = self._industry_bonus(industry, candidates) if industry else {}
        scored = [
            (min(1.0, probability + industry_bonus.get(code, 0.0)), code, candidates[code])
            for code, probability in zip(codes, probabilities, strict=True)
        ]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored

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


class QueryVectorCache:
    """The most recently used query embeddings: job titles repeat (batch files hold the same
    "cashier" thousands of times, a typeahead re-sends its prefix), embedding them does not."""

    def __init__(self, capacity: int):
        self.capacity = capacity
        self._vectors: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, text: str) -> np.ndarray | None:
        with self._lock:
            vector = self._vectors.get(text)
            if vector is not None:
                self._vectors.move_to_end(text)
            return vector

    def put(self, text: str, vector: np.ndarray) -> None:
        with self._lock:
            self._vectors[text] = vector
            self._vectors.move_to_end(text)
            while len(self._vectors) > self.capacity:
                self._vectors.popitem(last=False)


def names_an_occupation(normalized: NormalizedQuery) -> bool:
    """False for input that is empty, only pay/place/noise words, or a situation such as "retired"."""
    return (
        bool(normalized.cleaned)
        and not normalized.noise_only
        and not names_no_occupation(normalized.cleaned)
        and not names_no_occupation(normalized.original)
    )


def _ranks_and_margins(scores: dict[str, float]) -> tuple[dict[str, int], dict[str, float]]:
    """Rank of each positive score (0 = best) and its lead over the best other score."""
    ordered = sorted((code for code, score in scores.items() if score > 0), key=lambda code: -scores[code])
    ranks = {code: rank for rank, code in enumerate(ordered)}
    best = scores[ordered[0]] if ordered else 0.0
    runner_up = scores[ordered[1]] if len(ordered) > 1 else 0.0
    margins = {code: scores[code] - (runner_up if rank == 0 else best) for code, rank in ranks.items()}
    return ranks, margins


def _evidence(candidates: dict[str, _Candidate]) -> dict[str, Evidence]:
    lexical_ranks, lexical_margins = _ranks_and_margins({code: c.lexical for code, c in candidates.items()})
    semantic_ranks, semantic_margins = _ranks_and_margins({code: c.semantic for code, c in candidates.items()})
    return {
        code: Evidence(
            lexical=candidate.lexical,
            semantic=candidate.semantic,
            exact=candidate.exact,
            lexical_rank=lexical_ranks.get(code),
            semantic_rank=semantic_ranks.get(code),
            lexical_margin=lexical_margins.get(code, 0.0),
            semantic_margin=semantic_margins.get(code, 0.0),
            lexical_votes=candidate.lexical_votes / VOTE_DEPTH,
            adds_rank=candidate.adds_rank,
            semantic_votes=candidate.semantic_votes / VOTE_DEPTH,
        )
        for code, candidate in candidates.items()
    }


def _explain(candidate: _Candidate, alias: bool) -> tuple[str, str]:
    """(matched title, match type) that best explain the candidate's place.

    An exact match reached through an abbreviation ("RN" → registered nurse) is an "alias" match.
    """
    if candidate.exact and candidate.lexical_title:
        return candidate.lexical_title, "alias" if alias else "exact"
    if candidate.lexical_title and candidate.semantic_title:
        if candidate.lexical >= candidate.semantic:
            return candidate.lexical_title, "hybrid"
        return candidate.semantic_title, "hybrid"
    if candidate.lexical_title:
        return candidate.lexical_title, "fuzzy"
    return candidate.semantic_title or "", "semantic"
