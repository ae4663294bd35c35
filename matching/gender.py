"""Gender in job titles: the two gendered forms French (and a few English) titles write in one
string, and the inclusive-writing markers users type.

* :func:`gender_variants` turns an official NOC title into its folded gender variants. French
  titles carry both genders in one string ("Infirmier auxiliaire/infirmière auxiliaire"); a
  query is written in one gender only, so each gender is indexed as a variant of its own.
* :func:`masculine_query` keeps the masculine side of a gender pair a user copied into a query.
* :func:`strip_gender_markers` drops markers such as "Technicien(ne)" or "Agent/e".

The masculine form is what a query keeps, and it is also the first indexed variant.
"""

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from matching.folding import fold

__all__ = ["gender_variants", "masculine_query", "strip_gender_markers"]

# ---------------------------------------------------------------------------------------------
# Gender pairs ("Agent/agente", "Infirmier auxiliaire/infirmière auxiliaire", "foreman/woman")
# ---------------------------------------------------------------------------------------------

# English titles write the feminine as a suffix replacement: "foreman/woman" = foreman, forewoman.
# Key: folded right-hand side; value: the masculine ending it replaces.
_SUFFIX_FEMININES: Mapping[str, str] = {
    "woman": "man",
    "women": "men",
    "mistress": "master",
    "girl": "boy",
    "lady": "lord",
}
# Whole-word pairs that share no spelling but are gender pairs.
_WORD_PAIRS: frozenset[tuple[str, str]] = frozenset(
    {
        ("man", "woman"),
        ("men", "women"),
        ("boy", "girl"),
        ("brother", "sister"),
        ("sister", "brother"),
        ("homme", "femme"),
        ("femme", "homme"),
        ("homme", "dame"),
        ("dame", "homme"),
        ("garcon", "fille"),
        ("pere", "mere"),
        ("mere", "pere"),
        ("frere", "soeur"),
        ("soeur", "frere"),
        ("moine", "moniale"),
    }
)
# French elided articles glued to the first word of a phrase ("d'anciens", "l'agent").
_ELISION = re.compile(r"^(?:d|l|qu)['’]", re.IGNORECASE)
_MIN_SHARED_PREFIX = 3
# Upper bound on the words a gendered phrase spans; the longest real one ("Comptable professionnel
# agréé, comptable en management accrédité (CPA, CMA)/…") has nine words, "Mécanicien de
# machines fixes de classe A et opérateur de centrale de réfrigération/…" thirteen.
_MAX_PHRASE_WORDS = 16
# Whitespace, and hyphens inside compounds: "Arpenteur-géomètre breveté/arpenteuse-géomètre
# brevetée" pairs word by word once the compounds are split. A spaced dash stays a word.
_WORD_BOUNDARY = re.compile(r"\s+|(?<=\w)[-‐‑](?=\w)")


def _strip_elision(folded: str) -> str:
    """Drop a folded elided article ("d anciens" → "anciens") so it does not break comparison."""
    for article in ("d ", "l ", "qu "):
        if folded.startswith(article):
            return folded[len(article) :]
    return folded


def _shared_prefix_length(first: str, second: str) -> int:
    """Number of leading characters two strings have in common."""
    length = 0
    for left, right in zip(first, second, strict=False):  # stops at the shorter string
        if left != right:
            break
        length += 1
    return length


def _same_lemma(masculine: str, feminine: str) -> bool:
    """Whether two words look like the two genders of one word ("directeur"/"directrice").

    French feminines keep the stem and change the ending, so a shared prefix of at least three
    letters covering half of the shorter word is a good, cheap test; it rejects unrelated
    alternatives such as "maker/machinist" or "CAD/CAM". Short words that only add an ending
    ("nu"/"nue") and a few unrelated pairs ("homme"/"femme") are accepted explicitly.
    """
    left = _strip_elision(fold(masculine))
    right = _strip_elision(fold(feminine))
    if not left or not right:
        return False
    if left == right or (left, right) in _WORD_PAIRS:
        return True
    if right.startswith(left) and len(right) - len(left) <= 3:  # "nu"/"nue", "chef"/"cheffe"
        return True
    shared = _shared_prefix_length(left, right)
    return shared >= _MIN_SHARED_PREFIX and shared * 2 >= min(len(left), len(right))


def _suffix_feminine(masculine: str, feminine: str) -> str | None:
    """The full feminine word for English suffix pairs ("foreman"/"woman" → "forewoman")."""
    core = fold(feminine)
    ending = _SUFFIX_FEMININES.get(core)
    if ending is None:
        return None
    stem = masculine.rstrip(".,;:)")
    folded = fold(stem)
    if len(folded) != len(stem) or not folded.endswith(ending):
        return None
    return stem[: len(stem) - len(ending)] + feminine  # "Wardrobe master/mistress": empty stem


@dataclass(frozen=True)
class _SlashPair:
    """One "left/right" token of a title and the phrase span it pairs.

    ``start``..``index`` are the words of the masculine phrase (ending with the left half of the
    slashed token), ``index``..``end`` the words of the feminine phrase (starting with the right
    half). Both phrases have the same number of words.
    """

    index: int
    start: int
    end: int
    masculine: str
    feminine: str
    gendered: bool


def _phrase_length(words: Sequence[str], index: int, left: str, right: str, *, low: int, high: int) -> int:
    """How many words the masculine/feminine phrases around ``words[index]`` span.

    The masculine phrase ends with ``left`` and the feminine phrase starts with ``right``;
    "Infirmier autorisé/infirmière autorisée" spans two words on each side. The longest span
    whose word pairs are all gender pairs wins. Failing that, parallel alternatives are
    recognized by an identical first word ("Paper boy/paper girl", "Computer-aided
    design/computer-aided manufacturing") or, over two words, an agreeing last word ("Mother
    superior/religious superior", "Sage-femme autorisée/maïeuticien autorisé").
    ``low``/``high`` bound the span so neighbouring slashes do not overlap.
    """
    masculine = [*words[low:index], left]
    feminine = [right, *words[index + 1 : high + 1]]
    longest = min(len(masculine), len(feminine), _MAX_PHRASE_WORDS)
    spans = range(longest, 1, -1)
    for length in spans:
        if all(_same_lemma(m, f) for m, f in zip(masculine[-length:], feminine[:length], strict=True)):
            return length
    for length in spans:
        first_masculine, first_feminine = masculine[-length], feminine[0]
        if fold(first_masculine) and fold(first_masculine) == fold(first_feminine):
            return length
        if length == 2 and _same_lemma(masculine[-1], feminine[1]):
            return length
    return 1


def _split_words(text: str) -> list[str]:
    """Words of a title for gender pairing: split on whitespace and on hyphens inside compounds."""
    return [word for word in _WORD_BOUNDARY.split(text) if word]


def _best_pairing(text: str) -> tuple[list[str], list[_SlashPair]]:
    """Words and slash pairs of a title, splitting compounds only when that finds more gender pairs.

    Splitting hyphenated compounds lets "Aide boucher/aide-bouchère" pair word by word, but it
    would cut "Sage-femme/maïeuticien" into "Sage" + "femme/maïeuticien"; the whitespace split
    wins ties.
    """
    plain = text.split()
    plain_pairs = _find_slash_pairs(plain)
    compound = _split_words(text)
    if len(compound) == len(plain):
        return plain, plain_pairs
    compound_pairs = _find_slash_pairs(compound)
    if sum(pair.gendered for pair in compound_pairs) > sum(pair.gendered for pair in plain_pairs):
        return compound, compound_pairs
    return plain, plain_pairs


def _find_slash_pairs(words: Sequence[str]) -> list[_SlashPair]:
    """Locate every slashed word of a split title and the masculine/feminine phrases it pairs."""
    slashed = [i for i, word in enumerate(words) if "/" in word]
    pairs: list[_SlashPair] = []
    low = 0
    for position, index in enumerate(slashed):
        left, _, right = words[index].partition("/")
        right = right.replace("/", " ")  # "A/B/C": keep the extra alternatives with the right half
        if not fold(left) or not fold(right):
            continue  # a bare or dangling slash pairs nothing; folding turns it into a space
        high = slashed[position + 1] - 1 if position + 1 < len(slashed) else len(words) - 1
        length = _phrase_length(words, index, left, right, low=low, high=high)
        start, end = index - length + 1, index + length - 1
        suffixed = _suffix_feminine(left, right) if length == 1 else None
        first_masculine = words[start] if start < index else left
        gendered = suffixed is not None or _same_lemma(first_masculine, right)
        feminine = _with_elision(first_masculine, right) if gendered else right
        pairs.append(_SlashPair(index, start, end, left, suffixed or feminine, gendered))
        low = end + 1
    return pairs


def _with_elision(first_masculine: str, feminine: str) -> str:
    """Carry an elided article over to the feminine phrase ("d'anciens/anciennes" → "d'anciennes")."""
    article = _ELISION.match(first_masculine)
    if article and not _ELISION.match(feminine):
        return article.group(0) + feminine
    return feminine


def _render(words: Sequence[str], pairs: Iterable[_SlashPair], feminine: bool) -> str:
    """Rebuild one side of a slashed title: every pair resolved to its masculine or feminine phrase.

    Words not in ``pairs`` are kept as written, so a slash left out stays a slash.
    """
    replacement: dict[int, str] = {}
    skipped: set[int] = set()
    for pair in pairs:
        replacement[pair.index] = pair.feminine if feminine else pair.masculine
        dropped = range(pair.start, pair.index) if feminine else range(pair.index + 1, pair.end + 1)
        skipped.update(dropped)
    return " ".join(replacement.get(i, word) for i, word in enumerate(words) if i not in skipped)


def gender_variants(title: str) -> list[str]:
    """The distinct folded forms of an index title, masculine first.

    French NOC titles write "masculine phrase/feminine phrase" with the rest of the title shared
    ("Agent/agente de prévention des infections"); a user types only one of them, so both are
    indexed. A slash that is not a gender pair ("Computer-assisted design/computer-assisted
    manufacturing", "Santa Claus/Mrs. Claus") is resolved the same way, left alternative in the
    first variant and right alternative in the second, which is harmless for matching. A title
    that folds to nothing yields an empty list, so callers never index an empty string.
    """
    if "/" not in title:
        folded = fold(title)
        return [folded] if folded else []
    words, pairs = _best_pairing(title)
    variants = [fold(_render(words, pairs, feminine=False)), fold(_render(words, pairs, feminine=True))]
    distinct = [variant for i, variant in enumerate(variants) if variant and variant not in variants[:i]]
    if distinct:
        return distinct
    folded = fold(title)
    return [folded] if folded else []


def masculine_query(text: str) -> str:
    """Keep the masculine side of gender pairs a user copied into a query ("Agent/agente de…").

    Non-gender slashes ("Cashier/Stock clerk") are left alone so folding keeps both words.
    """
    if "/" not in text:
        return text
    words, pairs = _best_pairing(text)
    pairs = [pair for pair in pairs if pair.gendered]
    return _render(words, pairs, feminine=False) if pairs else text


# ---------------------------------------------------------------------------------------------
# Inclusive-writing markers ("Technicien(ne)", "Agent/e", "étudiant·e")
# ---------------------------------------------------------------------------------------------

_MARKER_ENDINGS = r"(?:e|ne|nne|se|euse|rice|trice|ice|ère|ere|lle)"
# "Technicien(ne)", "Préposé(e)s", "Infirmier(ère)" — the parenthesis is glued to the word;
# inside brackets plural and rarer endings ("(s)", "(x)", "(ve)") are unambiguous too.
_BRACKET_GENDER_MARKER = re.compile(rf"(?<=\w)\((?:{_MARKER_ENDINGS}|es|s|x|le|te|ve)\)", re.IGNORECASE)
# "Agent/e", "Technicien.ne", "étudiant·e" — short feminine endings after a slash, dot or middle dot.
_SUFFIX_GENDER_MARKER = re.compile(rf"(?<=\w)[/·.]{_MARKER_ENDINGS}(?!\w)", re.IGNORECASE)


def strip_gender_markers(text: str) -> str:
    """Drop inclusive-writing markers: "Technicien(ne)" → "Technicien", "Agent/e" → "Agent".

    The masculine form is what remains, which is also the first indexed variant.
    """
    return _SUFFIX_GENDER_MARKER.sub("", _BRACKET_GENDER_MARKER.sub("", text))
