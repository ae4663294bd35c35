"""English/French detection for job-title queries, learned from the bilingual NOC title index.

The matcher searches the index titles of the query's language first, so it needs a language
for a two- or three-word query such as "infirmiere auxiliaire" (French, typed without accents)
or "PSW (casual)" (English). General-purpose detectors are unreliable on text this short; a
naive Bayes over the 57,000 official EN/FR example titles knows exactly the occupational
vocabulary of both languages, and a few hand-set cues cover what the titles cannot teach:
accents, function words and Canadian abbreviations that never appear in the index.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from matching.folding import fold

__all__ = ["ACCENTED_LETTERS", "FRENCH_ABBREVIATIONS", "FRENCH_FUNCTION_WORDS", "LanguageDetector"]

ENGLISH, FRENCH = "en", "fr"
LANGUAGES = (ENGLISH, FRENCH)

# Letters that only French titles use; their presence is evidence, their absence is not
# (users often type French without accents).
ACCENTED_LETTERS = re.compile(r"[éèêàçôûîïëùâœ]", re.IGNORECASE)
# Folded cue words: function words, and abbreviations used in Canadian job ads but absent from
# the official titles. The French ones are shared with the query normalizer's language guess.
FRENCH_FUNCTION_WORDS: frozenset[str] = frozenset(
    {"de", "du", "des", "la", "le", "les", "en", "aux", "au", "d", "l", "et"}
)
FRENCH_ABBREVIATIONS: frozenset[str] = frozenset({"pab", "inf", "ing"})
_ENGLISH_FUNCTION_WORDS: frozenset[str] = frozenset({"of", "and", "the", "for"})
_ENGLISH_ABBREVIATIONS: frozenset[str] = frozenset({"psw", "rn", "lpn", "rpn", "ece", "cpa"})

# Hand-set log-odds in favour of French (negative: English), added to the learned evidence.
# Function words are already learned, but titles are not sentences: the cue keeps a short
# query such as "chauffeur de taxi" French even though "chauffeur" and "taxi" are in both.
_FUNCTION_WORD_CUE = 1.0
# Word endings (letters) that stand in for a word the index never saw ("ethnologue", "camionneur"),
# and how much that weaker evidence counts relative to a known word.
_ENDING_LENGTHS = (4, 3)
_ENDING_WEIGHT = 0.5
# Abbreviations used in Canadian job ads but absent from the official titles.
_ABBREVIATION_CUE = 3.0
_CUES: Mapping[str, float] = MappingProxyType(
    {
        **dict.fromkeys(FRENCH_FUNCTION_WORDS, _FUNCTION_WORD_CUE),
        **dict.fromkeys(_ENGLISH_FUNCTION_WORDS, -_FUNCTION_WORD_CUE),
        **dict.fromkeys(FRENCH_ABBREVIATIONS, _ABBREVIATION_CUE),
        **dict.fromkeys(_ENGLISH_ABBREVIATIONS, -_ABBREVIATION_CUE),
    }
)


def _tokens(text: str) -> list[str]:
    """Folded words: the detector must recognize "infirmiere" as well as "infirmière"."""
    return fold(text).split()


def _log_odds(counts: Mapping[str, Counter[str]]) -> dict[str, float]:
    """log P(item | fr) − log P(item | en) with add-one smoothing over the shared vocabulary."""
    vocabulary = set(counts[ENGLISH]) | set(counts[FRENCH])
    french_total = sum(counts[FRENCH].values()) + len(vocabulary)
    english_total = sum(counts[ENGLISH].values()) + len(vocabulary)
    return {
        item: math.log((counts[FRENCH][item] + 1) / french_total)
        - math.log((counts[ENGLISH][item] + 1) / english_total)
        for item in vocabulary
    }


def _endings(token: str) -> list[str]:
    """The word endings used as fallback evidence, longest first ("ogue", "gue")."""
    return [token[-length:] for length in _ENDING_LENGTHS if len(token) > length]


def _ending_counts(counts: Mapping[str, Counter[str]]) -> dict[str, Counter[str]]:
    """Per language, how many distinct words end with each ending.

    Distinct words rather than occurrences: an unseen query word behaves like a rare word, and
    rare French words end in -logue, -iste, -euse while English ones end in -logist, -ist, -er.
    """
    return {
        language: Counter(ending for token in words for ending in _endings(token)) for language, words in counts.items()
    }


def _accent_log_odds(accented: Mapping[str, int], titles: Mapping[str, int]) -> float:
    """log-odds for French of a title containing an accented letter (add-one smoothed)."""
    french = (accented[FRENCH] + 1) / (titles[FRENCH] + 2)
    english = (accented[ENGLISH] + 1) / (titles[ENGLISH] + 2)
    return math.log(french / english)


@dataclass(frozen=True)
class LanguageDetector:
    """A two-class naive Bayes over folded title words, plus accent and cue-word evidence.

    Classes are given equal priors: queries are not distributed like the index, where French
    titles happen to be a little more numerous. A word the index never saw is judged by its
    ending instead ("-logue" is French, "-ist" English), at half weight; words too short for
    an ending, or with an ending seen in neither language, count for nothing.
    """

    token_log_odds: Mapping[str, float]
    ending_log_odds: Mapping[str, float]
    accent_log_odds: float

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as plain dicts (a mappingproxy does not pickle), read-only again once loaded."""
        return (_detector, (dict(self.token_log_odds), dict(self.ending_log_odds), self.accent_log_odds))

    @classmethod
    def from_titles(cls, titles: Iterable[tuple[str, str]]) -> LanguageDetector:
        """Learn from (lang, title) pairs, lang being "en" or "fr"; other languages are skipped."""
        counts: dict[str, Counter[str]] = {language: Counter() for language in LANGUAGES}
        accented: Counter[str] = Counter()
        seen: Counter[str] = Counter()
        for language, title in titles:
            if language not in counts:
                continue
            counts[language].update(_tokens(title))
            accented[language] += bool(ACCENTED_LETTERS.search(title))
            seen[language] += 1
        return cls(
            token_log_odds=MappingProxyType(_log_odds(counts)),
            ending_log_odds=MappingProxyType(_log_odds(_ending_counts(counts))),
            accent_log_odds=_accent_log_odds(accented, seen),
        )

    def _word_log_odds(self, token: str) -> float:
        """Evidence of one folded word: learned if known, else from its longest known ending."""
        known = self.token_log_odds.get(token)
        if known is not None:
            return known
        ending = next((ending for ending in _endings(token) if ending in self.ending_log_odds), None)
        return _ENDING_WEIGHT * self.ending_log_odds[ending] if ending else 0.0

    def french_log_odds(self, text: str) -> float:
        """Evidence for French over English; positive means French."""
        score = self.accent_log_odds if ACCENTED_LETTERS.search(text) else 0.0
        for token in _tokens(text):
            score += self._word_log_odds(token) + _CUES.get(token, 0.0)
        return score

    def detect_with_confidence(self, text: str) -> tuple[str, float]:
        """The language ("en" or "fr") and its probability in [0.5, 1]; no evidence gives ("en", 0.5)."""
        score = self.french_log_odds(text)
        probability = 1.0 / (1.0 + math.exp(-abs(score)))  # sigmoid of the winning side's log-odds
        return (FRENCH if score > 0 else ENGLISH), probability

    def detect(self, text: str) -> str:
        """ "en" or "fr"; ties and empty input are English."""
        return self.detect_with_confidence(text)[0]


def _detector(token_log_odds: dict[str, float], ending_log_odds: dict[str, float], accent: float) -> LanguageDetector:
    return LanguageDetector(MappingProxyType(token_log_odds), MappingProxyType(ending_log_odds), accent)
