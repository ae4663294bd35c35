"""Titles people use that the NOC index does not hold, each tied to the unit group a coder assigns.

Colloquial and slang titles ("cop", « flic », « toubib »), new ones ("cloud engineer", "Lyft
driver"), titles of other countries' systems that newcomers type ("HGV driver", "staff nurse",
« agent de maîtrise », « aide-soignante ») and titles that exist at one employer ("sandwich
artist"). The table, `matching/data/title_aliases.csv`, is reviewed: every row names an official
NOC title of its unit group that means the same job (`equivalent_title`, its source, checked by a
test), its kind and where the title is used. The matcher searches aliases like index titles;
a match through one is reported as an "alias" match.
"""

import csv
from dataclasses import dataclass
from pathlib import Path

__all__ = ["ALIASES_FILE", "TitleAlias", "load_aliases"]

ALIASES_FILE = Path(__file__).with_name("data") / "title_aliases.csv"


@dataclass(frozen=True)
class TitleAlias:
    alias: str
    lang: str
    noc_code: str
    equivalent_title: str
    kind: str  # colloquial, new, foreign or employer_title
    origin: str  # where it is used: CA, QC, UK, US, IN, PH, FR, BE, MAGHREB…
    note: str


def load_aliases(path: Path = ALIASES_FILE) -> list[TitleAlias]:
    with path.open(encoding="utf-8", newline="") as handle:
        return [
            TitleAlias(
                row["alias"].strip(),
                row["lang"].strip(),
                row["noc_code"].strip(),
                row["equivalent_title"],
                row["kind"].strip(),
                row["origin"].strip(),
                row.get("note") or "",
            )
            for row in csv.DictReader(handle)
            if row["alias"].strip()
        ]
