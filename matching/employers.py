"""Employers and brands people write in a job-title field, and the industry each one tells.

"Sandwich artist - Subway", "associate at Costco", "Loblaws produce", « commis chez IGA »: the
employer is not part of the occupation's name, but it says where the person works, which is what
a coder reads a generic title by. The table (`matching/data/employers.csv`, reviewed, one row per
employer with the ways people write it) maps each name to its industry in words NOC titles use;
the matcher takes the employer out of the title and adds its industry to the query's context,
as if the person had said it in the industry field.

Names that are also ordinary words ("subway", "metro", "bell", "shell": the note says
`ambiguous`) are recognized only where the title marks them as an employer ("at Subway",
« chez Metro », "Cook | Metro", "Sandwich artist - Subway"), never inside the title itself
("subway operator").
"""

import csv
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from matching.folding import fold

__all__ = ["EMPLOYERS_FILE", "Employer", "EmployerTable", "load_employers"]

EMPLOYERS_FILE = Path(__file__).with_name("data") / "employers.csv"
MAX_NAME_WORDS = 6


@dataclass(frozen=True)
class Employer:
    name: str
    industry_en: str
    industry_fr: str
    ambiguous: bool

    def industry(self, lang: str) -> str:
        return self.industry_fr if lang == "fr" else self.industry_en


@dataclass(frozen=True)
class EmployerMention:
    """An employer found in a title: its words `tokens[start:end]`."""

    employer: Employer
    start: int
    end: int


class EmployerTable:
    """Folded employer names → employer, looked up as whole word sequences."""

    def __init__(self, employers: Iterable[tuple[Employer, Sequence[str]]]):
        self._names: dict[tuple[str, ...], Employer] = {}
        for employer, names in employers:
            for name in names:
                words = tuple(fold(name).split())
                if words:
                    self._names.setdefault(words, employer)
        self._longest = max((len(words) for words in self._names), default=0)

    def __len__(self) -> int:
        return len(self._names)

    def whole(self, text: str) -> Employer | None:
        """The employer that `text` names as a whole ("Tim Hortons", "at costco" less the "at")."""
        return self._names.get(tuple(fold(text).split()))

    def mentions(self, tokens: Sequence[str], *, marked: bool = False) -> list[EmployerMention]:
        """Employers named inside the folded `tokens`, longest names first, left to right.

        Unless the text is `marked` as an employer, names that are also ordinary words are skipped.
        """
        found: list[EmployerMention] = []
        index = 0
        while index < len(tokens):
            for length in range(min(self._longest, MAX_NAME_WORDS, len(tokens) - index), 0, -1):
                employer = self._names.get(tuple(tokens[index : index + length]))
                if employer is not None and (marked or not employer.ambiguous):
                    found.append(EmployerMention(employer, index, index + length))
                    index += length
                    break
            else:
                index += 1
        return found


def load_employers(path: Path = EMPLOYERS_FILE) -> EmployerTable:
    """The reviewed employer table shipped with the matcher."""
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return EmployerTable(
        (
            Employer(
                row["employer"],
                row["industry_en"],
                row["industry_fr"],
                (row.get("note") or "").strip().lower().startswith("ambiguous"),
            ),
            [row["employer"], *row["names"].split("|")],
        )
        for row in rows
    )
