"""Regions as callers name them, and the wage of the nearest area that has one.

The fallback goes economic region → its province → Canada. A province with no province-level row
but a single economic region (Prince Edward Island, the territories) uses that region's figure,
which covers the same area.
"""

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from labour_market.exceptions import UnknownRegion
from models.geography import Region
from models.wages import RegionalWage

CANADA = "00"


@dataclass(frozen=True)
class WageLookup:
    requested: Region
    region: Region
    wages: list[RegionalWage]  # every year of the region that has a figure, oldest first

    @property
    def fell_back(self) -> bool:
        return self.region.code != self.requested.code

    @property
    def latest(self) -> RegionalWage:
        return self.wages[-1]


def resolve_region(session: Session, name: str) -> Region:
    """``ER3530``, ``3530``, ``ER35``, ``35``, ``ON``, ``CA`` or ``00`` → the region."""
    key = name.strip().upper()
    if key in ("CA", "CAN", "CANADA"):
        key = CANADA
    region = session.scalar(
        select(Region).where(
            or_(
                Region.wage_code == key,
                Region.code == key,
                and_(Region.province_abbr == key, Region.level == "province"),
            )
        )
    )
    if region is None:
        raise UnknownRegion(name)
    return region


def fallback_chain(session: Session, region: Region) -> list[Region]:
    """The areas to try, nearest first."""
    chain = [region]
    if region.level == "economic_region" and region.province_code:
        chain.append(session.get_one(Region, region.province_code))
    if region.level == "province":
        economic_regions = list(
            session.scalars(
                select(Region).where(Region.province_code == region.code, Region.level == "economic_region")
            )
        )
        if len(economic_regions) == 1:
            chain.append(economic_regions[0])
    if region.code != CANADA:
        chain.append(session.get_one(Region, CANADA))
    return chain


def regional_wage(session: Session, noc_code: str, requested: Region) -> WageLookup | None:
    """The wages of the first area of the fallback chain that has a median; None if none has."""
    chain = fallback_chain(session, requested)
    rows = session.scalars(
        select(RegionalWage)
        .where(
            RegionalWage.noc_code == noc_code,
            RegionalWage.region_code.in_([region.code for region in chain]),
            RegionalWage.median.is_not(None),
        )
        .order_by(RegionalWage.year)
    )
    by_region: dict[str, list[RegionalWage]] = {}
    for row in rows:
        by_region.setdefault(row.region_code, []).append(row)
    for region in chain:
        if region.code in by_region:
            return WageLookup(requested, region, by_region[region.code])
    return None
