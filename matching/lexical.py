"""Lexical retrieval: exact lookup, vocabulary-level typo correction, IDF-weighted token overlap,
then rapidfuzz on the shortlist. Scanning every title with rapidfuzz costs over 100 ms a query;
this costs a few milliseconds.

The index pickles (its token cache is left out and starts empty), so that a snapshot of the
matcher's structures can hold it and hand it to the matcher built from that snapshot.
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
from rapidfuzz import fuzz, process
from scipy import sparse

from matching.lexicon import IndexEntry

TYPO_MIN_LENGTH = 4
TYPO_CUTOFF = 80.0
SHORTLIST = 200
TOKEN_CACHE_SIZE = 50_000  # query words whose vocabulary matches are kept
CONTEXT_WEIGHT = 0.3  # of a context word, against 1 for a query word


@dataclass(frozen=True)
class LexicalHit:
    entry_id: int
    score: float  # in [0, 1]; 1.0 only for an exact match
    exact: bool


class LexicalIndex:
    folded: list[str]  # each entry's folded text, by entry id

    def __init__(self, entries: Sequence[IndexEntry]):
        self.folded = [entry.folded for entry in entries]
        self.exact: dict[str, list[int]] = {}
        for entry_id, text in enumerate(self.folded):
            self.exact.setdefault(text, []).append(entry_id)
        vocabulary: dict[str, int] = {}
        rows, cols = [], []
        for entry_id, text in enumerate(self.folded):
            for token in set(text.split()):
                rows.append(entry_id)
                cols.append(vocabulary.setdefault(token, len(vocabulary)))
        self.vocabulary = vocabulary
        self.tokens = list(vocabulary)
        shape = (len(self.folded), len(vocabulary))
        membership = sparse.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, cols)), shape=shape)
        document_frequency = np.asarray(membership.sum(axis=0)).ravel()
        self.idf = np.log((1 + len(self.folded)) / (1 + document_frequency)).astype(np.float32) + 1.0
        # Each token's entries (CSC: the rows of a column are contiguous), so that a search
        # touches only the entries that share a word with the query.
        by_token = membership.tocsc()
        self.posting_starts = by_token.indptr.astype(np.int64)
        self.posting_rows = by_token.indices.astype(np.int32)
        self.entry_weight = np.asarray(membership.multiply(self.idf).sum(axis=1)).ravel()
        self._token_matches = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._match_token)

    def __getstate__(self) -> dict[str, Any]:
        """Everything but the token cache, a wrapper around a bound method that does not pickle."""
        return {name: value for name, value in self.__dict__.items() if name != "_token_matches"}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._token_matches = lru_cache(maxsize=TOKEN_CACHE_SIZE)(self._match_token)

    def is_title(self, folded: str) -> bool:
        """Whether the folded text is, word for word, one of the index's titles or aliases."""
        return folded in self.exact

    def titles_of(self, folded: str) -> list[int]:
        """The entries whose folded text is exactly this one."""
        return self.exact.get(folded, [])

    def token_matches(self, token: str) -> tuple[tuple[int, float], ...]:
        """Vocabulary ids the query token stands for, with a similarity in (0, 1].

        Memoized: the matcher asks for a query's words once to decide whether it is searchable
        and again to search it, and an unknown word costs a rapidfuzz scan of the vocabulary.
        """
        return self._token_matches(token)

    def _match_token(self, token: str) -> tuple[tuple[int, float], ...]:
        exact = self.vocabulary.get(token)
        if exact is not None:
            return ((exact, 1.0),)
        if len(token) < TYPO_MIN_LENGTH:
            return ()
        matches = process.extract(token, self.tokens, scorer=fuzz.ratio, score_cutoff=TYPO_CUTOFF, limit=3)
        return tuple((self.vocabulary[text], score / 100.0) for text, score, _ in matches)

    def search(self, query: str, limit: int = 50, context: str = "") -> list[LexicalHit]:
        """Entries most like the folded `query`, best first.

        Words of the folded `context` (an employer's industry) that titles use count for a
        fraction of a query word: among the many "... clerk" titles, "library clerk" comes first
        for a clerk in a library, and a title is never found for its context words alone.
        """
        if not query:
            return []
        hits = [LexicalHit(entry_id, 1.0, True) for entry_id in self.titles_of(query)]
        weights: dict[int, float] = {}  # vocabulary id -> similarity to a query word
        query_total = 0.0
        for token in dict.fromkeys(token for token in query.split() if len(token) > 1 or token.isdigit()):
            matches = self.token_matches(token)
            idf = max(
                (float(self.idf[vocab_id]) for vocab_id, _ in matches), default=math.log(1 + len(self.folded)) + 1
            )
            query_total += idf
            for vocab_id, similarity in matches:
                weights[vocab_id] = max(weights.get(vocab_id, 0.0), similarity)
        if query_total == 0 or not weights:
            return hits
        # Only entries holding a query word are candidates; context words add to their score.
        candidates = np.unique(self._postings(list(weights))[0])
        for token in set(context.split()) - set(query.split()):
            context_id = self.vocabulary.get(token)
            if len(token) > 2 and context_id is not None:
                weights[context_id] = max(weights.get(context_id, 0.0), CONTEXT_WEIGHT)
        rows, vocab_ids = self._postings(list(weights))
        vocab_weights = np.array([weights[vocab_id] for vocab_id in weights], dtype=np.float32)
        # The idf-weighted similarity of the entry's words to the query's: the numerator of both
        # the query's coverage (over the query's idf) and the entry's (over the entry's idf).
        shared = np.bincount(rows, weights=(vocab_weights * self.idf[list(weights)])[vocab_ids])
        shared = shared[candidates]
        overlap = shared * (0.6 / query_total + 0.4 / self.entry_weight[candidates])
        candidate_count = min(SHORTLIST, len(candidates))
        best = np.argpartition(-overlap, candidate_count - 1)[:candidate_count]
        shortlist = candidates[best]
        overlap_of = dict(zip(shortlist.tolist(), overlap[best].tolist(), strict=True))
        exact_ids = {hit.entry_id for hit in hits}
        scored = []
        for entry_id in shortlist.tolist():
            if entry_id in exact_ids:
                continue
            ratio = fuzz.token_sort_ratio(query, self.folded[entry_id]) / 100.0
            score = 0.75 * overlap_of[entry_id] + 0.25 * ratio
            scored.append(LexicalHit(entry_id, min(score, 0.99), False))
        scored.sort(key=lambda hit: -hit.score)
        return (hits + scored)[:limit]

    def _postings(self, vocab_ids: list[int]) -> tuple[np.ndarray, np.ndarray]:
        """The entries holding each of `vocab_ids`, end to end, with the position in `vocab_ids`
        of the token each row stands for."""
        starts, ends = self.posting_starts[vocab_ids], self.posting_starts[np.add(vocab_ids, 1)]
        rows = np.concatenate([self.posting_rows[start:end] for start, end in zip(starts, ends, strict=True)])
        return rows, np.repeat(np.arange(len(vocab_ids)), ends - starts)
