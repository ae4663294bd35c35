"""Whether what a person typed as a skill is made of words the reference data knows: "hello", "asdf",
« bonjour » or "n/a" are not skills, however close their embedding lands to some duty (e5 puts every
short text within a few hundredths of something). A word counts when it is one of the words of the
titles, definitions, duties and skill vocabularies, in either language; or shares its first five
letters with one (inflections: « nettoyer » and « nettoyeur »); or is a typo of one; or is a code
that mixes letters and digits ("433A", "310S"). The phrases people type instead of a skill are never
skills.
"""

import csv
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from matching.folding import fold, fold_tokens

ESCO_FILES = (Path("esco") / "esco_skills_en.csv", Path("esco") / "esco_occupations_en.csv")
# Words that name nothing on their own, in either language.
STOP_WORDS = frozenset(
    """
    a an the of or and to in on at for by with from as is are be it its this that my i me we you your
    le la les l un une des du de d et ou en au aux pour par sur avec dans ce cette mon ma mes je tu il elle
    nous vous ils elles y ne pas se sa son ses qui que quoi
    """.split()  # noqa: SIM905 - a word list reads better as text
)
ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{1,5}s?\b")  # typed in capitals: PSW, RCR, GMP, SIMDUT, AZ
# Words of greeting and politeness: a skill made of these and stop words alone is not one ("hi there").
FILLERS = frozenset(
    """
    hello hi hey there good morning afternoon evening day please thanks thank bonjour bonsoir salut merci
    coucou allo bonne journee soiree svp stp yes no oui non ok okay
    """.split()  # noqa: SIM905 - a word list reads better as text
)
STEM = 5
SHORT_STEM = 4  # a four-letter word counts when a known word begins with it (« paie », paiement)
TYPO_SCORE = 0.85  # normalized similarity of a typo to a known word
NON_SKILLS = frozenset(
    fold(phrase)
    for phrase in """
    none|nothing|nil|na|n a|n/a|not applicable|no|yes|ok|okay|hello|hi|hey|thanks|thank you|lol|idk|dunno
    i don't know|don't know|not sure|nope|asdf|qwerty|test|xxx|abc|hmm|blah|blah blah|etc|other|misc|anything
    aucun|aucune|rien|rien du tout|s/o|sans objet|oui|non|bonjour|salut|allo|merci|je sais pas|sais pas
    je ne sais pas|ne sais pas|je sais pas trop|aucune idée|nsp|autre|autres|divers|n'importe quoi
    """.replace("\n", "|").split("|")
    if phrase.strip()
)


@dataclass(frozen=True)
class SkillWords:
    words: frozenset[str]
    stems: frozenset[str] = field(init=False)
    short_stems: frozenset[str] = field(init=False)
    by_length: dict[int, list[str]] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "stems", frozenset(word[:STEM] for word in self.words if len(word) >= STEM))
        short = frozenset(word[:SHORT_STEM] for word in self.words if len(word) >= SHORT_STEM)
        object.__setattr__(self, "short_stems", short)
        by_length: dict[int, list[str]] = {}
        for word in self.words:
            by_length.setdefault(len(word), []).append(word)
        object.__setattr__(self, "by_length", by_length)

    def knows(self, skill: str) -> bool:
        """Whether `skill` has a word the vocabulary knows, and is not a phrase typed instead of a skill."""
        folded = fold(skill)
        if not folded or folded in NON_SKILLS:
            return False
        words = [word for word in fold_tokens(skill) if word not in STOP_WORDS]
        if all(word in FILLERS for word in words):
            return False
        if ACRONYM.search(skill):
            return True
        return any(self._knows_word(word) for word in words if word not in FILLERS)

    def _knows_word(self, word: str) -> bool:
        if any(char.isdigit() for char in word):
            return any(char.isalpha() for char in word)  # a code such as 433a; a number alone says nothing
        if len(word) < 2:  # a letter alone names nothing
            return False
        if word in self.words:
            return True
        if len(word) < SHORT_STEM:
            return False
        if len(word) == SHORT_STEM:
            return word in self.short_stems or self._typo_of_known(word)
        return word[:STEM] in self.stems or self._typo_of_known(word)

    def _typo_of_known(self, word: str) -> bool:
        candidates = [w for length in range(len(word) - 1, len(word) + 2) for w in self.by_length.get(length, [])]
        found = process.extractOne(word, candidates, scorer=Levenshtein.normalized_similarity, score_cutoff=TYPO_SCORE)
        return found is not None


def esco_texts(data_dir: Path) -> Iterator[str]:
    """The labels and definitions of the ESCO skills and occupations (English), where the files are."""
    for name in ESCO_FILES:
        path = data_dir / name
        if path.is_file():
            with path.open(encoding="utf-8", newline="") as handle:
                for row in csv.DictReader(handle):
                    yield row.get("description") or ""


def skill_words(texts: Iterable[str]) -> SkillWords:
    """The vocabulary of some texts (folded)."""
    known: set[str] = set()
    for text in texts:
        known.update(fold_tokens(text))
    return SkillWords(frozenset(word for word in known if word not in STOP_WORDS))
