"""Linking courses to the NOC 2021 unit groups they prepare for.

The codes an institution gives win: a NOC 2021 unit group is linked with score 1; a NOC 2016 code
through the concordance, with score 1 when it became one unit group and 0.8 for each of several.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

GIVEN = "given"
SPLIT_SCORE = 0.8


@dataclass(frozen=True)
class OccupationLink:
    noc_code: str
    score: float
    source: str
    evidence: str


def given_links(codes: Sequence[str], noc2016_successors: Mapping[str, tuple[str, ...]]) -> list[OccupationLink]:
    """The unit groups the institution's codes name, each once (the best evidence kept), best first."""
    links: dict[str, OccupationLink] = {}

    def add(link: OccupationLink) -> None:
        if link.noc_code not in links or link.score > links[link.noc_code].score:
            links[link.noc_code] = link

    for code in codes:
        if len(code) == 5:
            add(OccupationLink(code, 1.0, GIVEN, f"NOC 2021 {code}, given by the institution"))
            continue
        successors = noc2016_successors.get(code, ())
        score = 1.0 if len(successors) == 1 else SPLIT_SCORE
        for successor in successors:
            evidence = f"NOC 2016 {code}, given by the institution; the concordance maps it to {', '.join(successors)}"
            add(OccupationLink(successor, score, GIVEN, evidence))
    return sorted(links.values(), key=lambda link: (-link.score, link.noc_code))
