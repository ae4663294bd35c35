"""What career searches read of the reference database: each unit group's TEER, main duties, full
OaSIS profile (skills, knowledge, work activities and abilities) and the unit groups its profile
names as related (its exclusions and additional information cite them by code). One short read:
plain values, no ORM objects, no transaction held afterwards."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.datasets import OASIS_SCALES
from matching.folding import fold_tokens
from models.occupations import JobTitle, NocClass, UnitGroupElement
from models.outlook import OccupationOutlook
from models.skills import UnitGroupRating

CITED_CODE = re.compile(r"\b(\d{5})\b")
CITING_ELEMENTS = ("Exclusion(s)", "Additional information")


@dataclass(frozen=True)
class ReferenceFacts:
    codes: list[str]  # every unit group, in code order
    teer: dict[str, int]
    duties: dict[str, list[str]]  # the main duties, in published order
    descriptors: list[tuple[str, str]]  # (dimension, descriptor) of every OaSIS rating, in a stable order
    ratings: dict[str, dict[tuple[str, str], float]]  # per unit group, scaled to 0-1
    cited: dict[str, set[str]]  # the unit groups each unit group's profile cites
    words: frozenset[str]  # every folded word of the titles (both languages), definitions and profiles
    documents: dict[str, list[str]]  # per unit group: its titles (both languages), definition and profile
    employment: dict[str, float]  # COPS employment in 2023, where published


def read_reference_facts(session: Session) -> ReferenceFacts:
    groups = session.execute(select(NocClass.code, NocClass.teer).where(NocClass.level == 5).order_by(NocClass.code))
    teer = {code: int(level or 0) for code, level in groups}
    duties: dict[str, list[str]] = {}
    cited: dict[str, set[str]] = {}
    rows = session.execute(
        select(UnitGroupElement.noc_code, UnitGroupElement.element_type, UnitGroupElement.text).order_by(
            UnitGroupElement.noc_code, UnitGroupElement.position
        )
    )
    words: set[str] = set()
    documents: dict[str, list[str]] = {}
    for code, element_type, text in rows:
        words.update(fold_tokens(text))
        documents.setdefault(code, []).append(text)
        if element_type == "Main duties":
            duties.setdefault(code, []).append(text)
        elif element_type in CITING_ELEMENTS:
            found = {other for other in CITED_CODE.findall(text) if other != code and other in teer}
            cited.setdefault(code, set()).update(found)
    for code, title in session.execute(select(JobTitle.noc_code, JobTitle.title)):
        words.update(fold_tokens(title))
        documents.setdefault(code, []).append(title)
    for code, title_en, title_fr, definition in session.execute(
        select(NocClass.code, NocClass.title_en, NocClass.title_fr, NocClass.definition_en).where(NocClass.level == 5)
    ):
        parts = [part for part in (title_en, title_fr, definition) if part]
        words.update(fold_tokens(" ".join(parts)))
        documents.setdefault(code, []).extend(parts)
    ratings: dict[str, dict[tuple[str, str], float]] = {}
    rating_rows = session.connection().execute(
        select(UnitGroupRating.noc_code, UnitGroupRating.dimension, UnitGroupRating.descriptor, UnitGroupRating.rating)
    )
    descriptors: set[tuple[str, str]] = set()
    for code, dimension, descriptor, rating in rating_rows:
        low, high = OASIS_SCALES[dimension]
        ratings.setdefault(code, {})[(dimension, descriptor)] = (rating - low) / (high - low)
        descriptors.add((dimension, descriptor))
    employment = {
        code: float(people)
        for code, people in session.execute(select(OccupationOutlook.noc_code, OccupationOutlook.employment_2023))
        if code is not None and people is not None
    }
    return ReferenceFacts(
        list(teer), teer, duties, sorted(descriptors), ratings, cited, frozenset(words), documents, employment
    )
