"""The codes a catalog may name, read from the reference tables."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from catalog.validation import ReferenceCodes
from models.geography import Region
from models.occupations import ConcordanceLink, NocClass

CANADA_NAMES = ("CA", "CAN", "CANADA")


def read_reference_codes(session: Session) -> ReferenceCodes:
    unit_groups = frozenset(session.scalars(select(NocClass.code).where(NocClass.level == 5)))
    successors: dict[str, list[str]] = {}
    links = session.execute(
        select(ConcordanceLink.noc2016_code, ConcordanceLink.noc2021_code).order_by(ConcordanceLink.id)
    )
    for old, new in links:
        if new not in successors.setdefault(old, []):
            successors[old].append(new)
    regions: dict[str, str] = {}
    for region in session.scalars(select(Region)):
        regions[region.code] = regions[region.wage_code.upper()] = region.code
        if region.level == "province" and region.province_abbr:
            regions[region.province_abbr.upper()] = region.code
        if region.level == "country":
            regions.update(dict.fromkeys(CANADA_NAMES, region.code))
    noc2016_successors = {old: tuple(new) for old, new in successors.items()}
    return ReferenceCodes(unit_groups, noc2016_successors, regions)
