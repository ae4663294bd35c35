"""Names for the keys of a breakdown: institutions, programs, occupations, regions, TEER levels."""

from collections.abc import Collection
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.queries import GroupBy
from models.accounts import Institution, Portal
from models.catalog import CatalogVersion, Course
from models.geography import Region
from models.occupations import NocClass

TEER_LABELS = {
    "0": "TEER 0: management",
    "1": "TEER 1: university degree",
    "2": "TEER 2: college diploma or apprenticeship of 2+ years",
    "3": "TEER 3: college diploma or apprenticeship under 2 years",
    "4": "TEER 4: high school diploma",
    "5": "TEER 5: short work demonstration",
}


def group_labels(session: Session, group_by: GroupBy, keys: Collection[str | None]) -> dict[str, str]:
    wanted = [key for key in keys if key is not None]
    if not wanted:
        return {}
    if group_by == "teer":
        return {key: TEER_LABELS[key] for key in wanted if key in TEER_LABELS}
    if group_by == "course":
        return _course_titles(session, wanted)
    named: dict[str, Any] = {
        "institution": (Institution.id, Institution.name),
        "portal": (Portal.id, Portal.name),
        "occupation": (NocClass.code, NocClass.title_en),
        "region": (Region.code, Region.name_en),
    }
    if group_by not in named:
        return {}
    key_column, name_column = named[group_by]
    values = [int(key) for key in wanted if key.isdigit()] if group_by in ("institution", "portal") else wanted
    rows = session.execute(select(key_column, name_column).where(key_column.in_(values)))
    return {str(key): name for key, name in rows}


def _course_titles(session: Session, keys: list[str]) -> dict[str, str]:
    """The title each program had in its institution's latest catalog version holding it."""
    slugs = {key.partition(":")[0] for key in keys}
    course_ids = {key.partition(":")[2] for key in keys}
    rows = session.execute(
        select(Institution.slug, Course.course_id, Course.title)
        .join(CatalogVersion, CatalogVersion.id == Course.version_id)
        .join(Institution, Institution.id == CatalogVersion.institution_id)
        .where(Institution.slug.in_(slugs), Course.course_id.in_(course_ids))
        .order_by(CatalogVersion.number)
    )
    titles = {f"{slug}:{course_id}": title for slug, course_id, title in rows}
    return {key: titles[key] for key in keys if key in titles}
