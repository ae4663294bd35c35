"""What career searches read of the reference database: each unit group's TEER, main duties, full
OaSIS profile (skills, knowledge, work activities and abilities) and the unit groups its profile
names as related (its exclusions and additional information cite them by code). One short read:
plain values, no ORM objects, no transaction held afterwards."""

import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.skill_vocabulary import unit_group_ratings
from models.occupations import JobTitle, NocClass, UnitGroupElement
from models.outlook import OccupationOutlook

CITED_CODE = re.compile(r"\b(\d{5})\b")
CITING_ELEMENTS = ("Exclusion(s)", "Additional information")


@dataclass(frozen=True)
class ReferenceFacts:
    codes: list[str]  # every unit group, in code order
    teer: dict[str, int]
    duties: dict[str, list[str]]  # the main duties, in published order
    descriptors: list[str]  # every OaSIS descriptor that rates a unit group ("oasis:skill:Writing"), sorted
    ratings: dict[str, dict[str, float]]  # per unit group and descriptor, scaled to 0-1
    cited: dict[str, set[str]]  # the unit groups each unit group's profile cites
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
    documents: dict[str, list[str]] = {}
    for code, element_type, text in rows:
        documents.setdefault(code, []).append(text)
        if element_type == "Main duties":
            duties.setdefault(code, []).append(text)
        elif element_type in CITING_ELEMENTS:
            found = {other for other in CITED_CODE.findall(text) if other != code and other in teer}
            cited.setdefault(code, set()).update(found)
    for code, title in session.execute(select(JobTitle.noc_code, JobTitle.title)):
        documents.setdefault(code, []).append(title)
    for code, title_en, title_fr, definition in session.execute(
        select(NocClass.code, NocClass.title_en, NocClass.title_fr, NocClass.definition_en).where(NocClass.level == 5)
    ):
        documents.setdefault(code, []).extend(part for part in (title_en, title_fr, definition) if part)
    ratings = unit_group_ratings(session)
    descriptors = sorted({descriptor for rated in ratings.values() for descriptor in rated})
    employment = {
        code: float(people)
        for code, people in session.execute(select(OccupationOutlook.noc_code, OccupationOutlook.employment_2023))
        if code is not None and people is not None
    }
    return ReferenceFacts(list(teer), teer, duties, descriptors, ratings, cited, documents, employment)
