"""Typeahead over the index titles: the published titles whose folded form, or one of its words,
starts with what the user has typed so far.

Built once from the lexicon. A keystroke costs two binary searches per language in sorted folded
keys and a walk over the matching keys until `limit` distinct titles are found, never a scan of
the ~87,000 entries. It pickles compactly (its keys as one string), for the matcher's snapshot.
"""

import heapq
from array import array
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from matching.folding import fold
from matching.lexicon import ALIAS, IndexEntry, Lexicon, UnitGroup


@dataclass(frozen=True)
class Suggestion:
    title: str  # as published
    lang: str
    noc_code: str
    noc_title: str  # the unit group's title in the suggestion's language


_KEY_SEPARATOR = "\0"  # never in a folded key (folding turns every non-alphanumeric run into a space)


class _SortedKeys:
    """Folded keys in sorted order, each pointing at a suggestion."""

    def __init__(self, pairs: Iterable[tuple[str, int]]):
        ordered = sorted(set(pairs))
        self._keys = [key for key, _ in ordered]
        self._ids = [suggestion_id for _, suggestion_id in ordered]

    def __getstate__(self) -> dict[str, Any]:
        """The keys joined into one string and the ids as an array: a few hundred thousand small
        objects load in milliseconds that way instead of a few hundred."""
        joined = _KEY_SEPARATOR.join(self._keys)
        if joined.count(_KEY_SEPARATOR) != max(len(self._keys) - 1, 0):
            return {"keys": self._keys, "ids": array("q", self._ids)}  # a key holds the separator
        return {"joined": joined, "count": len(self._keys), "ids": array("q", self._ids)}

    def __setstate__(self, state: dict[str, Any]) -> None:
        if "joined" in state:
            self._keys = state["joined"].split(_KEY_SEPARATOR) if state["count"] else []
        else:
            self._keys = state["keys"]
        self._ids = state["ids"].tolist()

    def starting_with(self, prefix: str) -> Iterator[tuple[str, int]]:
        """(key, suggestion id) of every key that starts with `prefix`, in key order (lazily)."""
        keys = self._keys
        for position in range(bisect_left(keys, prefix), len(keys)):
            key = keys[position]
            if not key.startswith(prefix):
                return
            yield key, self._ids[position]


class TitleSuggester:
    def __init__(self, entries: Iterable[IndexEntry], unit_groups: Mapping[str, UnitGroup]):
        # (title, lang, noc_code, noc_title): tuples, made Suggestions when suggested, load faster.
        self._suggestions: list[tuple[str, str, str, str]] = []
        ids: dict[tuple[str, str, str], int] = {}
        title_keys: dict[str, list[tuple[str, int]]] = {}
        word_keys: dict[str, list[tuple[str, int]]] = {}
        for entry in entries:
            identity = (entry.title, entry.lang, entry.noc_code)
            if identity not in ids:
                ids[identity] = len(self._suggestions)
                self._suggestions.append(_suggestion_row(entry, unit_groups[entry.noc_code]))
            suggestion_id = ids[identity]
            folded = entry.folded  # fold() output: words separated by single spaces
            title_keys.setdefault(entry.lang, []).append((folded, suggestion_id))
            # Every later word starts a key of its own: "aide infirmier" is also found under "infirm".
            word_keys.setdefault(entry.lang, []).extend(
                (folded[space + 1 :], suggestion_id) for space in _spaces(folded)
            )
        self._title_starts = {lang: _SortedKeys(pairs) for lang, pairs in title_keys.items()}
        self._word_starts = {lang: _SortedKeys(pairs) for lang, pairs in word_keys.items()}

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> "TitleSuggester":
        """Suggests the published titles: the alias table's colloquial and foreign titles are
        searched, not offered."""
        return cls([entry for entry in lexicon.entries if entry.source != ALIAS], lexicon.unit_groups)

    def suggest(self, prefix: str, lang: str | None = None, limit: int = 10) -> list[Suggestion]:
        """Up to `limit` distinct titles: those starting with `prefix` (accents and case ignored)
        first, then those with a later word starting with it; each group in alphabetical order.
        `lang` keeps the titles of one language; None keeps both."""
        folded = fold(prefix)
        if not folded or limit < 1:
            return []
        languages = [lang] if lang is not None else list(self._title_starts)
        found: list[Suggestion] = []
        seen: set[str] = set()
        for index in (self._title_starts, self._word_starts):
            streams = [index[language].starting_with(folded) for language in languages if language in index]
            for _, suggestion_id in heapq.merge(*streams):
                row = self._suggestions[suggestion_id]
                if row[0] in seen:
                    continue
                seen.add(row[0])
                found.append(Suggestion(*row))
                if len(found) == limit:
                    return found
        return found


def _suggestion_row(entry: IndexEntry, group: UnitGroup) -> tuple[str, str, str, str]:
    """The fields of the entry's Suggestion, in order."""
    return (entry.title, entry.lang, entry.noc_code, group.title_fr if entry.lang == "fr" else group.title_en)


def _spaces(text: str) -> Iterator[int]:
    position = text.find(" ")
    while position >= 0:
        yield position
        position = text.find(" ", position + 1)
