"""Query normalization: a job-ad title reduced to the occupation words the matcher looks for.

:func:`normalize_query` strips what job-ad titles add around the occupation (seniority, shift,
employment type, city, employer, bracketed remarks, pay) and expands the abbreviations Canadian
ads use (RN, PSW, PAB, dev, mgr…). It reports what it removed and expanded so a match can be
explained to the user. The word tables live in :mod:`matching.vocabulary`, gender handling in
:mod:`matching.gender`.

Display always keeps the original text; everything here is for comparison only.
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass

from matching.folding import fold, fold_tokens
from matching.gender import masculine_query, strip_gender_markers
from matching.language import ACCENTED_LETTERS, FRENCH_ABBREVIATIONS, FRENCH_FUNCTION_WORDS
from matching.vocabulary import (
    AT_KEEPERS,
    CASED_ABBREVIATIONS,
    CHEZ_KEEPERS,
    CONNECTORS,
    MAX_ABBREVIATION_WORDS,
    NOISE_ANYWHERE,
    NOISE_AT_EDGES,
    NOISE_AT_END,
    PLACE_PREPOSITIONS,
    abbreviation,
    is_level,
    is_noise,
    is_place,
    is_trailing_number,
    match_at,
    protected_spans,
)

__all__ = ["NormalizedQuery", "normalize_query"]

# ---------------------------------------------------------------------------------------------
# Language guess for abbreviation expansions
# ---------------------------------------------------------------------------------------------

# The language detector's French cue words, plus a few more this quick guess relies on:
# prepositions ("chez", "pour", "dans") and French-only abbreviations ("techn", "tes", "adj").
_FRENCH_CUES: frozenset[str] = (
    FRENCH_FUNCTION_WORDS | FRENCH_ABBREVIATIONS | frozenset({"chez", "pour", "dans", "techn", "tes", "adj"})
)

# ---------------------------------------------------------------------------------------------
# Precompiled patterns
# ---------------------------------------------------------------------------------------------

_BRACKETS = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|\{[^{}]*\}")
_UNCLOSED_BRACKET = re.compile(r"[(\[{][^()\[\]{}]*$")
_STRAY_BRACKETS = re.compile(r"[()\[\]{}]")
# Segment separators: spaced dashes, en/em dashes, commas, semicolons, a colon before a space
# ("Hiring now: cook", "Poste : préposé"), spaced slashes, bullets.
_SEGMENT_SEPARATOR = re.compile(r"\s+[-‐‑]+\s+|\s*[–—]\s*|\s*[,;•·]\s*|\s*:\s+|\s+/\s+")
# Pay ranges ads put in the title: "$18/hr", "18 $ de l'heure", "$60k - $70k", "60 000 $ par année".
_NUMBER = r"\d{1,3}(?:[ ,.\u00a0\u202f]?\d{3})*(?:[.,]\d+)?\s?k?"
_AMOUNT = rf"(?:\$\s?{_NUMBER}|{_NUMBER}\s?\$)"
_PER = r"(?:\s*(?:/|per|an|a|par|de\s+l['’])\s*(?:hr|hour|h|heure|year|yr|annee|année|an|annum|week|wk|semaine)\b\.?)"
_PAY = re.compile(rf"{_AMOUNT}(?:\s*(?:-|–|to|à|a)\s*{_AMOUNT})?{_PER}?", re.IGNORECASE)
_PIPE = re.compile(r"\s*\|\s*")
_EMPLOYER_AT_SIGN = re.compile(r"\s*@.*$", re.DOTALL)
_EMPLOYER_WORD = re.compile(r"\s+(at|chez)\s+(\S+)", re.IGNORECASE)
# "Infirmière recherchée" — only with the accent: "recherche" alone is research ("agent de recherche").
_WANTED = re.compile(r"(?<!\w)recherch[éÉ][eE]?[sS]?(?!\w)")


# ---------------------------------------------------------------------------------------------
# Query pipeline steps (each takes raw text and returns the text plus what it removed)
# ---------------------------------------------------------------------------------------------


def _is_droppable(segment: str) -> bool:
    """Whether a separated part of a title carries no occupation (place, remote, noise)."""
    tokens = fold_tokens(segment)
    return not tokens or is_place(tokens) or is_noise(tokens)


def _remove_pattern(pattern: re.Pattern[str], text: str) -> tuple[str, list[str]]:
    """Remove every match of ``pattern``, returning the matches for the explanation."""
    removed = [match.group(0).strip() for match in pattern.finditer(text)]
    return (pattern.sub(" ", text), removed) if removed else (text, [])


def _remove_pay(text: str) -> tuple[str, list[str]]:
    """Remove pay amounts ("$18/hr", "22 $ de l'heure"); they never name an occupation."""
    return _remove_pattern(_PAY, text)


def _remove_wanted(text: str) -> tuple[str, list[str]]:
    """Remove "recherché(e)(s)" ("Infirmière recherchée"), told from "recherche" by its accent."""
    return _remove_pattern(_WANTED, text)


def _remove_brackets(text: str) -> tuple[str, list[str]]:
    """Remove bracketed remarks ("(casual)", "[remote]", "(Toronto)") and an unclosed tail."""
    removed: list[str] = []

    def drop(match: re.Match[str]) -> str:
        bracketed = match.group(0)
        removed.append((bracketed[1:-1] if bracketed[-1] in ")]}" else bracketed[1:]).strip())
        return " "

    previous = None
    while previous != text:  # nested brackets come out from the inside
        previous, text = text, _BRACKETS.sub(drop, text)
    text = _UNCLOSED_BRACKET.sub(drop, text)
    return _STRAY_BRACKETS.sub(" ", text), [piece for piece in removed if piece]


def _remove_employer(text: str) -> tuple[str, list[str]]:
    """Cut an employer introduced by "@", "at Company" or "chez Employeur" at the end of a title.

    "at law"/"at large" and "chez les …" occur in real titles and are kept.
    """
    removed: list[str] = []
    at_sign = _EMPLOYER_AT_SIGN.search(text)
    if at_sign:
        employer = at_sign.group(0).strip().lstrip("@").strip()
        removed.extend([employer] if employer else [])
        text = text[: at_sign.start()]
    for match in _EMPLOYER_WORD.finditer(text):
        word, following = match.group(1).lower(), fold(match.group(2))
        keepers = AT_KEEPERS if word == "at" else CHEZ_KEEPERS
        if following and following.split()[0] not in keepers:
            removed.append(text[match.end(1) :].strip())
            text = text[: match.start()]
            break
    return text, removed


def _choose_pipe_segment(text: str) -> tuple[str, list[str]]:
    """Of "Title | Company | City", keep the first part that names an occupation."""
    parts = [part for part in _PIPE.split(text) if part.strip()]
    if len(parts) < 2:
        return text, []
    kept = next((i for i, part in enumerate(parts) if not _is_droppable(part)), 0)
    return parts[kept], [part.strip() for i, part in enumerate(parts) if i != kept]


def _remove_place_segments(text: str) -> tuple[str, list[str]]:
    """Drop leading/trailing separated parts that are places, remote markers or noise.

    "Infirmier - soins intensifs" and "Registered Nurse - ICU" keep their specialty because it is
    not a known place; "…, temps partiel, Laval" loses both parts.
    """
    parts = [part for part in _SEGMENT_SEPARATOR.split(text) if part.strip()]
    removed: list[str] = []
    while len(parts) > 1 and _is_droppable(parts[-1]):
        removed.insert(0, parts.pop().strip())
    while len(parts) > 1 and _is_droppable(parts[0]):
        removed.append(parts.pop(0).strip())
    if not removed:
        return text, []
    return " ".join(parts), removed


def _remove_trailing_place(text: str) -> tuple[str, list[str]]:
    """Drop "in Toronto", "à Montréal", "au Québec" from the end of a title without a separator."""
    words = text.split()
    for count in range(2, min(len(words), 7)):
        tail = words[-count:]
        place = fold_tokens(" ".join(tail[1:]))
        if fold(tail[0]) in PLACE_PREPOSITIONS and place and is_place(place):
            return " ".join(words[:-count]), [" ".join(tail)]
    return text, []


def _infer_language(text: str) -> str:
    """A cheap EN/FR guess for choosing abbreviation expansions: accents or French cue words."""
    if ACCENTED_LETTERS.search(text):
        return "fr"
    return "fr" if any(token in _FRENCH_CUES for token in fold_tokens(text)) else "en"


def _resolve_language(text: str, lang: str | None) -> str:
    """The caller's language when it is English or French, otherwise a guess from the text."""
    code = (lang or "").strip().lower()[:2]
    return code if code in ("en", "fr") else _infer_language(text)


def _expand_cased(text: str, lang: str) -> tuple[str, list[tuple[str, str]]]:
    """Expand the case- or dot-sensitive abbreviations (IT, BA, aux., ing.) before folding."""
    applied: list[tuple[str, str]] = []
    for pattern, key, expansions in CASED_ABBREVIATIONS:
        expansion = expansions[lang]
        text, count = pattern.subn(f" {expansion} ", text)
        if count:
            applied.append((key, fold(expansion)))
    return text, applied


def _expand_abbreviations(tokens: Sequence[str], lang: str) -> tuple[list[str], list[tuple[str, str]]]:
    """Replace abbreviation words by their expansion, longest multi-word key first."""
    result: list[str] = []
    applied: list[tuple[str, str]] = []
    index = 0
    while index < len(tokens):
        for length in range(min(MAX_ABBREVIATION_WORDS, len(tokens) - index), 0, -1):
            words = tuple(tokens[index : index + length])
            expansion = abbreviation(words, lang)
            if expansion:
                result.extend(expansion.split())
                applied.append((" ".join(words), expansion))
                index += length
                break
        else:
            result.append(tokens[index])
            index += 1
    return result, applied


_ANYWHERE_KIND, _EDGE_KIND, _END_KIND = "anywhere", "edges", "end"


@dataclass(frozen=True)
class _NoiseSpan:
    """Noise words ``tokens[start:end]`` and where in a title they may be removed."""

    start: int
    end: int
    kind: str


def _noise_span_at(tokens: Sequence[str], index: int) -> _NoiseSpan | None:
    """The longest noise phrase starting at ``tokens[index]``; unambiguous kinds win ties."""
    level = 2 if is_level(tokens, index) else 0
    candidates = (
        (max(match_at(tokens, index, NOISE_ANYWHERE), level), _ANYWHERE_KIND),
        (match_at(tokens, index, NOISE_AT_EDGES), _EDGE_KIND),
        (match_at(tokens, index, NOISE_AT_END), _END_KIND),
    )
    length, kind = max(candidates, key=lambda candidate: candidate[0])
    return _NoiseSpan(index, index + length, kind) if length else None


def _noise_spans(tokens: Sequence[str]) -> list[_NoiseSpan]:
    """Noise phrases in ``tokens``, left to right, skipping words of protected phrases."""
    protected = protected_spans(tokens)
    spans: list[_NoiseSpan] = []
    index = 0
    while index < len(tokens):
        span = _noise_span_at(tokens, index)
        if span and not protected.intersection(range(span.start, span.end)):
            spans.append(span)
            index = span.end
        else:
            index += 1
    return spans


def _leading_noise(tokens: Sequence[str], spans: Sequence[_NoiseSpan]) -> set[int]:
    """The run of noise opening a title, plus a connector it leaves dangling ("Poste de …")."""
    by_start = {span.start: span for span in spans if span.kind != _END_KIND}
    drop: set[int] = set()
    index = 0
    while index in by_start:
        drop.update(range(index, by_start[index].end))
        index = by_start[index].end
    while drop and index < len(tokens) - 1 and tokens[index] in CONNECTORS:
        drop.add(index)
        index += 1
    return drop


def _trailing_noise(tokens: Sequence[str], spans: Sequence[_NoiseSpan]) -> set[int]:
    """The run of noise and level numbers closing a title.

    Ambiguous noise right after a connector is the object of a phrase ("classification des
    postes", "aide à l'emploi") and ends the run.
    """
    by_end = {span.end: span for span in spans}
    drop: set[int] = set()
    index = len(tokens)
    while index > 0:
        span = by_end.get(index)
        if span and (span.kind == _ANYWHERE_KIND or span.start == 0 or tokens[span.start - 1] not in CONNECTORS):
            drop.update(range(span.start, span.end))
            index = span.start
        elif is_trailing_number(tokens, index - 1):
            drop.add(index - 1)
            index -= 1
        else:
            break
    return drop


def _remove_noise(tokens: Sequence[str]) -> tuple[list[str], list[str]]:
    """Drop seniority, shift, employment-type, hiring and level words.

    Unambiguous noise goes wherever it is; ambiguous noise only from the leading and trailing
    runs of noise, so "Contract administrator" and "Analyste de poste" survive while
    "Cook - casual" and "Poste de préposé" lose the noise.
    """
    spans = _noise_spans(tokens)
    drop = {i for span in spans if span.kind == _ANYWHERE_KIND for i in range(span.start, span.end)}
    drop |= _leading_noise(tokens, spans) | _trailing_noise(tokens, spans)
    return [token for i, token in enumerate(tokens) if i not in drop], _group_removed(tokens, drop)


def _group_removed(tokens: Sequence[str], drop: set[int]) -> list[str]:
    """Consecutive removed tokens joined into pieces, for the explanation."""
    pieces: list[str] = []
    previous = -2
    for index in sorted(drop):
        if index == previous + 1 and pieces:
            pieces[-1] += " " + tokens[index]
        else:
            pieces.append(tokens[index])
        previous = index
    return pieces


# ---------------------------------------------------------------------------------------------
# Public query API
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class NormalizedQuery:
    """A job title as typed, and the folded text the matcher searches for.

    ``removed`` and ``expansions`` record what normalization did, in order, so that a result can
    be explained ("ignored: Toronto, casual; RN = registered nurse").
    """

    original: str
    cleaned: str
    removed: tuple[str, ...]
    expansions: tuple[tuple[str, str], ...]
    noise_only: bool = False  # pay, place or noise words were all there was: no occupation named
    employers: tuple[str, ...] = ()  # what "at …", "@ …", « chez … » or "… | Company" named, as typed


def _keep_if_not_empty(before: str, after: str, pieces: list[str], removed: list[str]) -> str:
    """Apply a removal step unless it would remove everything the user typed."""
    if fold(after):
        removed.extend(pieces)
        return after
    return before


# Removal steps on the raw text, in order; each returns the text and the pieces it removed.
_RAW_STEPS = (
    _remove_pay,
    _remove_wanted,
    _remove_brackets,
    _remove_employer,
    _choose_pipe_segment,
    _remove_place_segments,
    _remove_trailing_place,
)
# Steps whose matter is never an occupation: if one would take everything, none was named.
# (Brackets and employers can hold one: "(RN)", "Tim Hortons".)
_NOISE_STEPS = frozenset({_remove_pay, _remove_place_segments, _remove_trailing_place})
# Steps that take an employer out of the title: what they remove says where the person works.
_EMPLOYER_STEPS = frozenset({_remove_employer, _choose_pipe_segment})


def normalize_query(text: str, lang: str | None = None) -> NormalizedQuery:
    """Reduce a job-ad title to the occupation words the matcher should look for.

    Steps, in order: gender markers and gender pairs, pay amounts, "recherché(e)", bracketed
    remarks, employer, separated place/noise segments, a trailing "in <city>", case-sensitive
    abbreviations, folding, abbreviation expansion and noise-word removal. Expansion runs
    before noise removal so that "SVP" loses its "senior" and "Class 1 driver" is not cut to
    "class driver" by the trailing-level rule. A step that would leave nothing is skipped, so
    "(RN)" still means registered nurse and "Part-time" stays "part time"; when that step was
    about pay, place or noise words ("Part-time", "$20/hr"), ``noise_only`` says that no
    occupation was named. ``lang`` ("en" or
    "fr", "fr-CA" is accepted) picks language-specific expansions; when missing or unknown it
    is guessed from accents and French function words. "N/A" yields "n a" (nothing to remove
    or expand) and "" yields "".
    """
    removed: list[str] = []
    employers: list[str] = []
    noise_only = False
    raw = masculine_query(strip_gender_markers(text))
    for step in _RAW_STEPS:
        after, pieces = step(raw)
        noise_only = noise_only or (step in _NOISE_STEPS and bool(pieces) and not fold(after))
        if step in _EMPLOYER_STEPS and fold(after):
            employers.extend(piece for piece in pieces if not _is_droppable(piece))
        raw = _keep_if_not_empty(raw, after, pieces, removed)
    language = _resolve_language(raw, lang)
    raw, expansions = _expand_cased(raw, language)
    tokens, expanded = _expand_abbreviations(fold_tokens(raw), language)
    kept, noise = _remove_noise(tokens)
    if kept:
        removed.extend(noise)
        tokens = kept
    elif noise:
        noise_only = True
    return NormalizedQuery(
        original=text,
        cleaned=" ".join(tokens),
        removed=tuple(removed),
        expansions=tuple(expansions + expanded),
        noise_only=noise_only,
        employers=tuple(employers),
    )
