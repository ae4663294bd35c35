"""Folding: the accent-free, lowercase, punctuation-free form every comparison in matching uses.

Matching must not depend on whether a user typed "Préposée" or "prepose", "d'appel" or
"d appel": index titles, queries, cue words and word tables are all compared folded. Display
always keeps the original text.
"""

import re
import unicodedata
from functools import lru_cache

__all__ = ["fold", "fold_tokens"]

# Ligatures that NFKD does not decompose into plain letters.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss"})
# Anything that is not a letter or digit (apostrophes, hyphens, slashes, punctuation, "_").
_NON_WORD = re.compile(r"[\W_]+")


@lru_cache(maxsize=1 << 17)
def fold(text: str) -> str:
    """Lowercase, strip accents and turn every non-alphanumeric run into one space.

    Cached: building the lexicon folds the same words and title pieces hundreds of thousands of
    times.

    Matching must not depend on whether a user typed "Préposée" or "prepose", "d'appel" or
    "d appel", so all of these collapse to the same ASCII-ish word sequence. Letters without a
    decomposition (ø, ł) are kept as they are rather than dropped.
    """
    lowered = text.lower()
    if not lowered.isascii():
        decomposed = unicodedata.normalize("NFKD", lowered.translate(_LIGATURES))
        lowered = "".join(char for char in decomposed if not unicodedata.combining(char))
    return _NON_WORD.sub(" ", lowered).strip()


def fold_tokens(text: str) -> list[str]:
    """The folded words of ``text``."""
    return fold(text).split()
