"""Reading occupations: unit groups, their ancestors, profile elements, titles, ratings, outlook."""

import math
from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from labour_market.exceptions import OccupationNotFound
from labour_market.language import Language, pick
from models.occupations import ConcordanceLink, JobTitle, NocClass, UnitGroupElement
from models.outlook import OccupationOutlook
from models.skills import UnitGroupRating


@dataclass(frozen=True)
class OccupationSummary:
    noc_code: str
    title: str
    title_en: str
    title_fr: str | None
    teer: int
    broad_category: str


@dataclass(frozen=True)
class OccupationPage:
    items: list[OccupationSummary]
    page: int
    per_page: int
    total: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def has_previous(self) -> bool:
        return 1 < self.page <= self.pages


def get_unit_group(session: Session, code: str) -> NocClass:
    unit_group = session.get(NocClass, code)
    if unit_group is None or unit_group.level != 5:
        raise occupation_not_found(session, code, unit_group)
    return unit_group


def occupation_not_found(session: Session, code: str, noc_class: NocClass | None) -> OccupationNotFound:
    """The error that says what the code looks like and what it corresponds to."""
    if NOC2016_UNIT_GROUP.fullmatch(code):
        successors = sorted(
            session.scalars(select(ConcordanceLink.noc2021_code).where(ConcordanceLink.noc2016_code == code).distinct())
        )
        if successors:
            return OccupationNotFound(
                code,
                f"{code} looks like a NOC 2016 code; NOC 2021 unit groups have five digits. "
                f"It corresponds to NOC 2021 {', '.join(successors)}.",
                noc2021_successors=tuple(successors),
            )
    if noc_class is not None:
        return OccupationNotFound(
            code,
            f"{code} is a NOC 2021 {noc_class.level_name.lower()} ({noc_class.title_en}), not a unit group; "
            "unit groups have five digits.",
            broad_category=code[0],
        )
    if NOC2021_UNIT_GROUP.fullmatch(code):
        return OccupationNotFound(code, f"No NOC 2021 unit group has the code {code}.")
    return OccupationNotFound(
        code, f"{code!r} is not a NOC 2021 code: unit group codes have five digits, such as 31301."
    )


def ancestors(session: Session, unit_group: NocClass) -> list[NocClass]:
    """Broad category, major group, sub-major group and minor group, in that order."""
    codes = [unit_group.code[:length] for length in range(1, 5)]
    return list(session.scalars(select(NocClass).where(NocClass.code.in_(codes)).order_by(NocClass.level)))


def elements_by_type(session: Session, code: str) -> dict[str, list[str]]:
    rows = session.execute(
        select(UnitGroupElement.element_type, UnitGroupElement.text)
        .where(UnitGroupElement.noc_code == code)
        .order_by(UnitGroupElement.element_type, UnitGroupElement.position)
    )
    grouped: dict[str, list[str]] = defaultdict(list)
    for element_type, text in rows:
        grouped[element_type].append(text)
    return grouped


def example_titles(session: Session, code: str, lang: str) -> list[str]:
    return list(
        session.scalars(
            select(JobTitle.title).where(JobTitle.noc_code == code, JobTitle.lang == lang).order_by(JobTitle.title)
        )
    )


def ratings_by_dimension(session: Session, code: str) -> dict[str, list[UnitGroupRating]]:
    """The unit group's OaSIS ratings per dimension, highest first (ties by descriptor name)."""
    rows = session.scalars(
        select(UnitGroupRating)
        .where(UnitGroupRating.noc_code == code)
        .order_by(UnitGroupRating.dimension, UnitGroupRating.rating.desc(), UnitGroupRating.descriptor)
    )
    grouped: dict[str, list[UnitGroupRating]] = defaultdict(list)
    for rating in rows:
        grouped[rating.dimension].append(rating)
    return grouped


def outlook_for(session: Session, code: str) -> OccupationOutlook | None:
    return session.scalar(select(OccupationOutlook).where(OccupationOutlook.noc_code == code))


def aggregate_outlook_names(session: Session) -> dict[str, OccupationOutlook]:
    """COPS aggregate rows by code (``TEER_1``, ``NOC1_3``): the source of French TEER and category labels."""
    rows = session.scalars(select(OccupationOutlook).where(OccupationOutlook.scope.in_(("teer", "broad_category"))))
    return {row.code: row for row in rows}


def list_unit_groups(
    session: Session, teer: int | None, broad_category: str | None, page: int, per_page: int, lang: Language
) -> OccupationPage:
    """One page of the unit groups (by code), with their title in `lang`."""
    conditions = [NocClass.level == 5]
    if teer is not None:
        conditions.append(NocClass.teer == teer)
    if broad_category is not None:
        conditions.append(NocClass.broad_category_code == broad_category)
    total = session.scalar(select(func.count()).select_from(NocClass).where(*conditions)) or 0
    groups = session.scalars(
        select(NocClass).where(*conditions).order_by(NocClass.code).offset((page - 1) * per_page).limit(per_page)
    )
    items = [
        OccupationSummary(
            noc_code=group.code,
            title=pick(lang, group.title_en, group.title_fr),
            title_en=group.title_en,
            title_fr=group.title_fr,
            teer=group.teer or 0,
            broad_category=group.broad_category_code,
        )
        for group in groups
    ]
    return OccupationPage(items, page, per_page, total, max(1, math.ceil(total / per_page)))
