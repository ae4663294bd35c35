"""The words of each occupation (its job titles in both languages, definition, duties and the rest of
its profile) weighed as a search engine weighs them (BM25), for the words a person types that an
embedding reads loosely: "journal entries", "quickbooks", « homardier ». Words are compared by their
first five letters, so « nettoyer » finds « nettoyeur » and "welding" finds "welder"."""

import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from careers.skill_words import STEM, STOP_WORDS
from matching.folding import fold_tokens

K1 = 1.2
B = 0.75


def stems(text: str) -> list[str]:
    return [word[:STEM] for word in fold_tokens(text) if word not in STOP_WORDS and len(word) > 1]


@dataclass(frozen=True)
class OccupationLexicon:
    postings: dict[str, tuple[np.ndarray, np.ndarray]]  # stem → (occupation rows, BM25 weights)
    occupations: int

    def scores(self, texts: Sequence[str]) -> np.ndarray:
        """(texts, occupations): each text's BM25 score with each occupation (0 where no word is shared)."""
        found = np.zeros((len(texts), self.occupations), dtype=np.float32)
        for row, text in enumerate(texts):
            for stem in set(stems(text)):
                posting = self.postings.get(stem)
                if posting is not None:
                    found[row, posting[0]] += posting[1]
        return found


def occupation_lexicon(documents: Sequence[Sequence[str]]) -> OccupationLexicon:
    """The lexicon of occupations given as their texts, row by row."""
    counts = [Counter(stem for text in texts for stem in stems(text)) for texts in documents]
    lengths = np.array([sum(count.values()) for count in counts], dtype=np.float64)
    average = float(lengths.mean()) if len(lengths) and lengths.mean() > 0 else 1.0
    by_stem: dict[str, list[tuple[int, int]]] = {}
    for row, count in enumerate(counts):
        for stem, frequency in count.items():
            by_stem.setdefault(stem, []).append((row, frequency))
    postings = {}
    for stem, found in by_stem.items():
        idf = math.log(1 + (len(documents) - len(found) + 0.5) / (len(found) + 0.5))
        rows = np.array([row for row, _ in found], dtype=np.int32)
        frequencies = np.array([frequency for _, frequency in found], dtype=np.float64)
        norm = K1 * (1 - B + B * lengths[rows] / average)
        postings[stem] = (rows, (idf * frequencies * (K1 + 1) / (frequencies + norm)).astype(np.float32))
    return OccupationLexicon(postings, len(documents))
