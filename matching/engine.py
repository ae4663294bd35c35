"""The matcher: a free-text job title (or a NOC code) → ranked NOC 2021 unit groups.

Candidates come from three sources — exact lookup, lexical retrieval with typo tolerance and
embedding nearest neighbours — and are fused per unit group into one calibrated score.
"""

import copy
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from types import TracebackType
from typing import TypeVar

import numpy as np

from matching.compound import compound_parts
from matching.embeddings import Embedder
from matching.employers import EmployerTable
from matching.esco import EscoLabels
from matching.folding import fold
from matching.fusion import Calibration, Evidence
from matching.language import LanguageDetector
from matching.lexical import LexicalIndex
from matching.lexicon import IndexEntry, Lexicon
from matching.non_occupations import STOP_WORDS, names_a_worker_class, names_no_occupation
from matching.query import NormalizedQuery, normalize_query
from matching.scheduling import PeopleFirst, ScheduledEmbedder, worker_for
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
# Words that say someone works, not at what: with an employer, they are that employer's worker.
WORK_WORDS = frozenset(
    {"work", "works", "working", "job", "jobs", "worker", "employee", "employed", "staff"}
    | {"travail", "travaille", "employe"}
)
CONTEXT_WORDS = 24  # of the industry and duties
PART_DEPTH = 5  # results kept of each part of a multi-job answer
LATER_PART_WEIGHT = 0.9
PART_TRIGGER = 0.6  # a whole answer scored this much keeps first place over its parts
PART_CEILING = 0.99
# An ESCO label holding the query is weaker evidence than a NOC title: its link to NOC is the
# matcher's own, and the label may run into its neighbours (see matching.esco).
ESCO_WEIGHT = 0.7
ESCO = "esco"


@dataclass(frozen=True)
class Match:
    noc_code: str
    title: str
    title_en: str
    title_fr: str
    score: float
    confidence: str
    matched_title: str
    match_type: str  # code, noc2016_code, exact, alias, esco, fuzzy, semantic, hybrid, context


_Item = TypeVar("_Item")


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
    lexical_source: str = ""  # of the best lexical title: "job_title", "unit_group_title", "alias" or "esco"
    semantic_title: str | None = None
    adds_rank: bool = False  # the best lexical title adds a rank word the query lacks ("head" cashier)
    lexical_votes: int = 0  # titles of the group among the first VOTE_DEPTH lexical hits
    semantic_votes: int = 0
    read_with_context: bool = False  # the semantic evidence is of the title read with its industry and duties


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
        employers: EmployerTable | None = None,
        lexical_index: LexicalIndex | None = None,
        esco_labels: EscoLabels | None = None,
        words_calibration: Calibration | None = None,
    ):
        """`lexical_index`, when given, must be built over `lexicon.entries` (a snapshot's);
        `esco_labels` are ESCO's titles linked to NOC (see :mod:`matching.esco_linking`).

        With `words_calibration` (the words-only backend's), a query the words alone decide is not
        embedded: a title that is exactly an index title (or alias) of one unit group, with no
        industry, duties or second job; so is such a title among the jobs of a multi-job answer.
        Its answer is scored as the words-only matcher scores it.
        Measured on the realistic and people queries, such queries are about a fifth of them and
        the first answer was the same either way for all but one of 1,284.
        """
        self.lexicon = lexicon
        self.employers = employers or EmployerTable(())
        self.detector = detector
        self.calibration = calibration
        self.words_calibration = words_calibration
        self.lexical_index = lexical_index or LexicalIndex(lexicon.entries)
        self.embedder = embedder
        self.vector_index = vector_index
        self.semantic_entries = list(semantic_entries)
        self.esco_labels = esco_labels
        self._query_vectors = QueryVectorCache(QUERY_CACHE_SIZE)
        self._people_first = PeopleFirst()
        # One worker, people's searches first: the embedding runtimes are not documented as
        # thread-safe, so concurrent requests queue their embeddings there.
        self._scheduler = (
            worker_for(embedder, embedder.dimension) if embedder is not None and vector_index is not None else None
        )

    def scheduled_embedder(self, *, background: bool) -> ScheduledEmbedder | None:
        """The matcher's model with its calls queued on the matcher's embedding worker (a person's, or
        with `background` a batch's, behind every person's search); None without embeddings. What
        else embeds with the same model in the service (tagging, recommendations) goes through it, so
        that nothing runs the model beside a person's search."""
        if self._scheduler is None or self.embedder is None:
            return None
        return ScheduledEmbedder(self._scheduler, self.embedder.name, self.embedder.dimension, background=background)

    def recalibrated(self, calibration: Calibration, words_calibration: Calibration | None = None) -> "Matcher":
        """The same matcher, sharing its indexes and models, scoring with other fusion weights
        (and, when given, other weights for the answers the words alone decide).

        The clone shares the embedding worker too: closing the original (or the clone) closes it
        for both.
        """
        clone = copy.copy(self)
        clone.calibration = calibration
        if words_calibration is not None and self.words_calibration is not None:
            clone.words_calibration = words_calibration
        return clone

    def close(self) -> None:
        """Shut the embedding worker down, waiting for embeddings already queued; idempotent.

        A closed matcher with embeddings raises RuntimeError when a search needs a query
        embedding; code lookups and searches of matchers without embeddings still work.
        Matchers made by :meth:`recalibrated` share the worker, so they are closed too.
        """
        if self._scheduler is not None:
            self._scheduler.close()

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
        """One person's search: its embedding goes before any batch's."""
        return self.search_many([SearchQuery(query, industry, duties)], lang, limit)[0]

    def search_many(
        self, items: Sequence[SearchQuery], lang: str = "auto", limit: int = 10, *, background: bool = False
    ) -> list[SearchResult]:
        """Search several queries at once, in input order.

        Their embeddings are queued on the embedding worker first; the lexical search runs while the
        model computes (the runtime releases the interpreter lock), so the answer waits for the slower
        of the two, not for both. `background` marks a batch: its embeddings wait behind every
        person's search, in small chunks, and the rest of its work pauses between items while a
        person's search runs.
        """
        if background:
            return self._search_all(items, lang, limit, background=True)
        with self._people_first:
            return self._search_all(items, lang, limit, background=False)

    def query_vector(self, query: str, lang: str = "auto") -> np.ndarray | None:
        """The embedding of a title as a search reads it (normalized, abbreviations expanded), from the
        matcher's cache when it was just searched; None without embeddings or for a title of no words."""
        plan = self.plan(SearchQuery(query), lang)
        if self._scheduler is None or not plan.searchable:
            return None
        with self._people_first:
            return self._submit([plan.semantic_text()], background=False)()[0]

    def _search_all(
        self, items: Sequence[SearchQuery], lang: str, limit: int, *, background: bool
    ) -> list[SearchResult]:
        plans = [self.plan(item, lang, limit) for item in self._in_turn(items, background)]
        texts = list(dict.fromkeys(text for plan in plans for text in plan.embedding_texts()))
        wait = self._submit(texts, background) if self._scheduler is not None else None
        lexical = [self._lexical_for(plan) for plan in self._in_turn(plans, background)]
        vectors = dict(zip(texts, wait(), strict=True)) if wait is not None else {}
        answered = zip(self._in_turn(plans, background), lexical, strict=True)
        return [self._answer(plan, found, vectors, limit) for plan, found in answered]

    def _in_turn(self, items: Sequence[_Item], background: bool) -> Iterator[_Item]:
        """The items one by one; for a batch, each after any person's search in progress."""
        for item in items:
            if background:
                self._people_first.wait_for_people()
            yield item

    def plan(self, item: SearchQuery, lang: str = "auto", limit: int = 10) -> "QueryPlan":
        """What will be searched for one query: its normalized text, context and parts."""
        query_lang = self.detector.detect(item.text) if lang == "auto" else lang
        code_result = self._code_lookup(item.text.strip(), query_lang, limit)
        normalized, employer_industries = self._without_employers(normalize_query(item.text, query_lang), query_lang)
        context = context_text(item.industry, *employer_industries, item.duties)
        if code_result is not None:
            return QueryPlan(item.text, query_lang, normalized, context, code_result=code_result)
        searchable = self.is_searchable(normalized)
        if context and names_a_worker_class(normalized.cleaned):
            # "Self-employed" at a hog farm, « propriétaire » of a restaurant: the industry says what.
            normalized = normalize_query(owner_of(context, query_lang), query_lang)
            searchable = self.is_searchable(normalized)
        parts: list[NormalizedQuery] = []
        # An index title is one job, however many "and"s it holds.
        pieces = compound_parts(item.text) if searchable and not self.lexical_index.is_title(normalized.cleaned) else []
        if len(pieces) > 1:
            parts = [
                part for part in (normalize_query(piece, query_lang) for piece in pieces) if self.is_searchable(part)
            ]
        parts = parts if len(parts) > 1 else []
        return QueryPlan(
            item.text,
            query_lang,
            normalized,
            context,
            searchable,
            parts,
            words_decide=searchable and not context and not parts and self._names_one_group(normalized.cleaned),
            decided_parts=tuple(self._names_one_group(part.cleaned) for part in parts),
        )

    def _calibration_for(self, words_decide: bool) -> Calibration:
        return self.words_calibration if words_decide and self.words_calibration else self.calibration

    def _names_one_group(self, cleaned: str) -> bool:
        """Whether the words alone decide: the text is an index title (or alias) of exactly one unit group."""
        if self.words_calibration is None:
            return False
        entry_ids = self.lexical_index.titles_of(cleaned)
        return len({self.lexicon.entries[entry_id].noc_code for entry_id in entry_ids}) == 1

    def _without_employers(self, normalized: NormalizedQuery, lang: str) -> tuple[NormalizedQuery, list[str]]:
        """The title without the employers it names, and what each says of the industry: the
        industry of a known employer, the words of another ("at Joe's Diner": diner)."""
        industries = []
        for piece in normalized.employers:
            employer = self.employers.whole(piece)
            if employer is None:
                mentioned = self.employers.mentions(fold(piece).split(), marked=True)
                employer = mentioned[0].employer if mentioned else None
            industries.append(employer.industry(lang) if employer else piece)
        tokens = normalized.cleaned.split()
        # A title that names its employer ("Uber driver", an alias) is a title, not an employer.
        mentions = [] if self.lexical_index.is_title(normalized.cleaned) else self.employers.mentions(tokens)
        industries += [mention.employer.industry(lang) for mention in mentions]
        named = {index for mention in mentions for index in range(mention.start, mention.end)}
        kept = _without_dangling_words([token for index, token in enumerate(tokens) if index not in named])
        if industries and set(kept) <= WORK_WORDS:
            # Only the employer was named ("Tim Hortons"), or a word for work with it ("work at a
            # daycare", « employé chez Costco »): someone who works there.
            return replace(normalized, cleaned=fold(worker_at(industries[-1], lang))), industries
        if not mentions:
            return normalized, industries
        return replace(normalized, cleaned=" ".join(kept)), industries

    def _submit(self, texts: list[str], background: bool) -> Callable[[], list[np.ndarray]]:
        """Queue the texts whose vectors are not cached; returns a function that waits for all of them."""
        assert self._scheduler is not None
        cached = {text: self._query_vectors.get(text) for text in texts}
        missing = [text for text, vector in cached.items() if vector is None]
        wait = self._scheduler.submit(missing, background=background)

        def vectors() -> list[np.ndarray]:
            for text, vector in zip(missing, wait(), strict=True):
                self._query_vectors.put(text, vector)
                cached[text] = vector
            return [vector for vector in cached.values() if vector is not None]

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

    def _lexical_for(self, plan: "QueryPlan") -> list[dict[str, "_Candidate"]]:
        """Lexical candidates of the whole query, then of each part."""
        if not plan.searchable:
            return []
        return [self._lexical_candidates(normalized, plan.context) for normalized in (plan.normalized, *plan.parts)]

    def _answer(
        self,
        plan: "QueryPlan",
        lexical: list[dict[str, "_Candidate"]],
        vectors: dict[str, np.ndarray],
        limit: int,
    ) -> SearchResult:
        if plan.code_result is not None:
            return plan.code_result
        normalized = plan.normalized
        if not plan.searchable:
            return SearchResult(plan.query, normalized.cleaned, plan.lang, True, [])
        whole, *parts = lexical
        if vectors and not plan.words_decide:
            self._add_semantic(whole, vectors[plan.semantic_text()], read_with_context=bool(plan.context))
        calibration = self._calibration_for(plan.words_decide)
        scored = self._score(whole, calibration)
        if parts:
            part_scores = []
            for part, candidates, decided in zip(plan.parts, parts, plan.decided_parts, strict=True):
                if vectors and not decided:
                    self._add_semantic(candidates, vectors[embedding_text(part.cleaned)])
                part_scores.append(self._score(candidates, self._calibration_for(decided)))
            scored = merge_parts(scored, part_scores)
        no_match = not scored or scored[0][0] < calibration.no_match_threshold
        alias = bool(normalized.expansions)
        matches = (
            []
            if no_match
            else [
                self._match(code, score, plan.lang, *_explain(candidate, alias))
                for score, code, candidate in scored[:limit]
            ]
        )
        return SearchResult(plan.query, normalized.cleaned, plan.lang, no_match, matches)

    def is_searchable(self, normalized: NormalizedQuery) -> bool:
        """Whether the query names an occupation in words the index knows.

        A query none of whose words is in any index title, even allowing for a typo ("asdfgh",
        "lorem ipsum", "bonjour"), is answered "no match": embeddings place any string near some
        title, so without this the nearest title of gibberish scores like a weak real match.
        It costs the rare real title made only of unknown words (7 of 2,885 held-out titles,
        e.g. "Coxswain").
        """
        return names_an_occupation(normalized) and any(
            self.lexical_index.token_matches(token) for token in normalized.cleaned.split() if token not in STOP_WORDS
        )

    def evidence(
        self,
        normalized: NormalizedQuery,
        vector: np.ndarray | None,
        context: str = "",
    ) -> dict[str, Evidence]:
        """Each candidate unit group's evidence for a normalized query read with its context, and
        the embedding of what :meth:`QueryPlan.semantic_text` names."""
        candidates = self._lexical_candidates(normalized, context)
        if vector is not None:
            self._add_semantic(candidates, vector, read_with_context=bool(context))
        return _evidence(candidates)

    def _lexical_candidates(self, normalized: NormalizedQuery, context: str = "") -> dict[str, "_Candidate"]:
        candidates: dict[str, _Candidate] = {}
        entries = self.lexicon.entries
        query_tokens = set(normalized.cleaned.split())
        for rank, hit in enumerate(self.lexical_index.search(normalized.cleaned, LEXICAL_DEPTH, context)):
            entry = entries[hit.entry_id]
            candidate = candidates.setdefault(entry.noc_code, _Candidate())
            if rank < VOTE_DEPTH:
                candidate.lexical_votes += 1
            if hit.score > candidate.lexical:
                candidate.lexical, candidate.lexical_title, candidate.lexical_source = (
                    hit.score,
                    entry.title,
                    entry.source,
                )
                candidate.adds_rank = bool((set(entry.folded.split()) - query_tokens) & RANK_WORDS)
            candidate.exact = candidate.exact or hit.exact
        if self.esco_labels is not None and not self.lexical_index.is_title(normalized.cleaned):
            self._add_esco(candidates, normalized.cleaned, query_tokens)
        return candidates

    def _add_esco(self, candidates: dict[str, "_Candidate"], phrase: str, query_tokens: set[str]) -> None:
        """ESCO occupations whose labels hold the phrase, as lexical evidence for their unit groups."""
        assert self.esco_labels is not None
        for code, share, label in self.esco_labels.groups_of(phrase):
            if code not in self.lexicon.unit_groups:
                continue
            candidate = candidates.setdefault(code, _Candidate())
            score = ESCO_WEIGHT * share
            if score > candidate.lexical:
                candidate.lexical, candidate.lexical_title, candidate.lexical_source = score, label, ESCO
                candidate.adds_rank = bool((set(fold(label).split()) - query_tokens) & RANK_WORDS)

    def _add_semantic(
        self, candidates: dict[str, "_Candidate"], vector: np.ndarray, *, read_with_context: bool = False
    ) -> None:
        """Add the nearest titles of the query `vector` (of the title, or of the title read with
        its context) to `candidates` as their semantic evidence."""
        if self.vector_index is None:
            return
        scores, ids = self.vector_index.search(vector.reshape(1, -1), SEMANTIC_DEPTH)
        for rank, (score, entry_id) in enumerate(zip(scores[0], ids[0], strict=True)):
            entry = self.semantic_entries[entry_id]
            candidate = candidates.setdefault(entry.noc_code, _Candidate())
            candidate.read_with_context = read_with_context
            if rank < VOTE_DEPTH:
                candidate.semantic_votes += 1
            if score > candidate.semantic:
                candidate.semantic, candidate.semantic_title = float(score), entry.title

    def _score(
        self, candidates: dict[str, "_Candidate"], calibration: Calibration
    ) -> list[tuple[float, str, "_Candidate"]]:
        """(score, code, candidate) for every candidate unit group, best first."""
        evidence = _evidence(candidates)
        codes = list(candidates)
        probabilities = calibration.scores([evidence[code] for code in codes])
        scored = [(probability, code, candidates[code]) for code, probability in zip(codes, probabilities, strict=True)]
        scored.sort(key=lambda item: (-item[0], item[1]))
        return scored

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


@dataclass(frozen=True)
class QueryPlan:
    """One query made ready to search: the normalized title, its context (industry, duties) and,
    for a multi-job answer, its parts."""

    query: str
    lang: str
    normalized: NormalizedQuery
    context: str = ""
    searchable: bool = False
    parts: list[NormalizedQuery] = field(default_factory=list)
    code_result: SearchResult | None = None
    words_decide: bool = False  # an index title of one unit group, alone: not embedded
    decided_parts: tuple[bool, ...] = ()  # for each part, whether its words alone decide it

    def semantic_text(self) -> str:
        """What is embedded for the title: the title read with its context ("clerk bank") when
        there is one. Measured on the tuning half of the people queries, the title alone ("clerk",
        « gérant ») embeds near anything, and its neighbours outvoted the context's."""
        return embedding_text(f"{self.normalized.cleaned} {self.context}" if self.context else self.normalized.cleaned)

    def embedding_texts(self) -> list[str]:
        """The texts this query's answer embeds: none when the words alone decide."""
        if not self.searchable or self.words_decide:
            return []
        texts = [self.semantic_text()]
        texts.extend(
            embedding_text(part.cleaned)
            for part, decided in zip(self.parts, self.decided_parts, strict=True)
            if not decided
        )
        return texts


def embedding_text(text: str) -> str:
    return text or " "


def context_text(*texts: str | None) -> str:
    """The folded words of the industry, the employers' industries and the duties, at most
    CONTEXT_WORDS of them, each word once."""
    words = dict.fromkeys(fold(" ".join(text for text in texts if text)).split())
    return " ".join(list(words)[:CONTEXT_WORDS])


def _without_dangling_words(tokens: list[str]) -> list[str]:
    """The title's words without the function words an employer left at either end: "caissier à
    la [Banque Nationale]", "élagueur pour [Hydro-Québec]", "[Costco] for"."""
    start, end = 0, len(tokens)
    while start < end and tokens[start] in STOP_WORDS:
        start += 1
    while end > start and tokens[end - 1] in STOP_WORDS:
        end -= 1
    return tokens[start:end]


def worker_at(industry: str, lang: str) -> str:
    """What someone who names only their employer is searched as."""
    return f"employe {industry}" if lang == "fr" else f"{industry} worker"


def owner_of(context: str, lang: str) -> str:
    """What a self-employed person or an owner in an industry is searched as."""
    return f"proprietaire {context}" if lang == "fr" else f"{context} owner"


def merge_parts(
    whole: list[tuple[float, str, "_Candidate"]], parts: list[list[tuple[float, str, "_Candidate"]]]
) -> list[tuple[float, str, "_Candidate"]]:
    """The best score of each unit group over the whole answer and its parts, later parts weighing
    a little less (people name their main job first).

    When the whole answer is matched with confidence ("food and beverage server", a title with a
    conjunction of its own), its parts only add the other jobs below it; not when what the whole
    answer found first is what a later part names ("cashier and stock boy" found as a stock boy).
    """
    best = {code: (score, candidate) for score, code, candidate in whole}
    later_jobs = {scored[0][1] for scored in parts[1:] if scored}
    whole_is_one_title = bool(whole) and whole[0][0] >= PART_TRIGGER and whole[0][1] not in later_jobs
    ceiling = whole[0][0] * PART_CEILING if whole_is_one_title else 1.0
    for position, scored in enumerate(parts):
        weight = 1.0 if position == 0 else LATER_PART_WEIGHT
        for score, code, candidate in scored[:PART_DEPTH]:
            known = best.get(code)
            weighted = min(score * weight, ceiling)
            if known is None or weighted > known[0]:
                # A group the whole answer found keeps the whole answer's explanation.
                best[code] = (weighted, known[1] if known else candidate)
    merged = [(score, code, candidate) for code, (score, candidate) in best.items()]
    merged.sort(key=lambda item: (-item[0], item[1]))
    return merged


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

    An exact match reached through an abbreviation ("RN" → registered nurse) or through a title of
    the alias table ("HGV driver") is an "alias" match.
    """
    if candidate.exact and candidate.lexical_title:
        return candidate.lexical_title, "alias" if alias or candidate.lexical_source == "alias" else "exact"
    if candidate.lexical_title and candidate.lexical >= candidate.semantic:
        if candidate.lexical_source == ESCO:
            return candidate.lexical_title, ESCO
        return candidate.lexical_title, "hybrid" if candidate.semantic_title else "fuzzy"
    if candidate.lexical_title:
        return candidate.semantic_title or "", "hybrid"
    # Found by its meaning alone: of the title, or of the title read with its industry and duties.
    return candidate.semantic_title or "", "context" if candidate.read_with_context else "semantic"
