"""ESCO occupations' titles as lower-confidence evidence for titles the NOC index does not hold.

`esco/esco_occupations_en.csv` gives each of its 3,658 occupations one `description` field: the
preferred label, then every alternative label, run together with spaces and no separator, then the
definition ("metal drawing machine operator … wire drawer … wiredrawing setter … Metal drawing
machine operators set up and operate …"). The labels cannot be split back reliably, so they are kept
as one run of words: a query phrase is looked for, whole words in order, inside those runs.

The file has no link to NOC: :mod:`matching.esco_linking` links each occupation by searching its
preferred label with the matcher itself and keeping only confident answers. A query phrase found in
the labels of linked occupations is then evidence for their unit groups, weighed by the share of
those occupations that each group holds, and reported as an "esco" match.
"""

import bisect
import csv
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from matching.folding import fold

__all__ = ["ESCO_OCCUPATIONS_FILE", "EscoLabels", "EscoLink", "EscoOccupation", "read_esco_occupations", "split_labels"]

ESCO_OCCUPATIONS_FILE = Path("esco") / "esco_occupations_en.csv"  # under the data directory
MIN_PHRASE_CHARACTERS = 4  # shorter phrases ("it", "qa") match inside too many runs of labels


@dataclass(frozen=True)
class EscoOccupation:
    uri: str
    preferred_label: str
    labels: str  # every label, folded, run together as published


@dataclass(frozen=True)
class EscoLink:
    """An ESCO occupation and the NOC unit group its preferred label was matched to."""

    occupation: EscoOccupation
    noc_code: str
    score: float


def split_labels(description: str) -> tuple[str, str] | None:
    """(preferred label, all the labels run together) of an ESCO description, or None when the
    definition's start cannot be found.

    The definition starts with the preferred label again, capitalised and usually plural
    ("technical director … Technical directors realise …"): the labels end where it begins.
    """
    words = description.split()
    if not words:
        return None
    first = words[0]
    for start in range(1, len(words)):
        word = words[start]
        acronym = first.isupper() and word == first
        if acronym or (word[:1].isupper() and not word.isupper() and _same_word(first, word)):
            length = _repeated_words(words, start)
            return " ".join(words[:length]), " ".join(words[:start])
    return None


def _repeated_words(words: list[str], start: int) -> int:
    """How many words from the beginning the definition at `start` repeats, allowing a plural
    ("director" → "directors", "policy" → "policies")."""
    length = 0
    while length < start and start + length < len(words):
        label_word, definition_word = words[length], words[start + length]
        if not _same_word(label_word, definition_word):
            break
        length += 1
    return max(length, 1)


def _same_word(label_word: str, definition_word: str) -> bool:
    """The same word, allowing a plural and a capital."""
    label_word, definition_word = label_word.lower(), definition_word.lower()
    shared = next(
        (index for index, (one, other) in enumerate(zip(label_word, definition_word, strict=False)) if one != other),
        min(len(label_word), len(definition_word)),
    )
    return shared >= max(1, len(label_word) - 2)


def read_esco_occupations(path: Path) -> list[EscoOccupation]:
    """The occupations of ESCO's occupations file whose labels can be told from their definition
    (ISCO's groups, which the file lists too, left out)."""
    occupations = []
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            description = (row.get("description") or "").strip()
            split = split_labels(description)
            # ISCO's groups ("Legislators and senior officials") are listed too, capitalised.
            if split is not None and not description[:1].isupper():
                occupations.append(EscoOccupation(row["id"].strip(), split[0], fold(split[1])))
    return occupations


class EscoLabels:
    """The labels of linked ESCO occupations, searchable by phrase."""

    def __init__(self, links: Iterable[EscoLink]):
        self.links = list(links)
        # One string of " labels " runs, one per line: a whole-word phrase is " phrase ".
        runs = [f" {link.occupation.labels} " for link in self.links]
        self._starts: list[int] = []
        position = 0
        for run in runs:
            self._starts.append(position)
            position += len(run) + 1
        self._text = "\n".join(runs)

    def groups_of(self, phrase: str) -> list[tuple[str, float, str]]:
        """(unit group, share, preferred label) for the linked occupations whose labels hold the
        folded `phrase` as whole words in order: the share is of those occupations that the group
        holds. Best share first; empty for a phrase of fewer than MIN_PHRASE_CHARACTERS."""
        if len(phrase) < MIN_PHRASE_CHARACTERS:
            return []
        needle = f" {phrase} "
        found: dict[int, None] = {}
        position = self._text.find(needle)
        while position >= 0:
            found[bisect.bisect_right(self._starts, position) - 1] = None
            position = self._text.find(needle, position + 1)
        if not found:
            return []
        links = [self.links[index] for index in found]
        counts = Counter(link.noc_code for link in links)
        labels: dict[str, str] = {}
        for link in sorted(links, key=lambda link: -link.score):
            labels.setdefault(link.noc_code, link.occupation.preferred_label)
        shares = [(code, count / len(links), labels[code]) for code, count in counts.items()]
        return sorted(shares, key=lambda share: (-share[1], share[0]))
