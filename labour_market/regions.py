"""Regions as the API shows them: Canada, the provinces and territories, the economic regions."""

from dataclasses import dataclass

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from labour_market.language import Language, pick
from models.geography import Region

LEVEL_NAMES: dict[Language, dict[str, str]] = {
    "en": {"country": "country", "province": "province or territory", "economic_region": "economic region"},
    "fr": {"country": "pays", "province": "province ou territoire", "economic_region": "région économique"},
}


@dataclass(frozen=True)
class RegionInfo:
    code: str
    level: str
    name: str
    name_en: str
    name_fr: str
    province_code: str | None
    province_abbr: str | None
    wage_code: str


def region_info(region: Region, lang: Language) -> RegionInfo:
    return RegionInfo(
        code=region.code,
        level=region.level,
        name=pick(lang, region.name_en, region.name_fr),
        name_en=region.name_en,
        name_fr=region.name_fr,
        province_code=region.province_code,
        province_abbr=region.province_abbr,
        wage_code=region.wage_code,
    )


def describe_area(region: Region, lang: Language) -> str:
    """``Toronto (economic region 3530)``, ``Ontario (province ou territoire 35)``."""
    name = region.name_fr if lang == "fr" else region.name_en
    return f"{name} ({LEVEL_NAMES[lang][region.level]} {region.wage_code})"


def list_regions(session: Session, lang: Language) -> list[RegionInfo]:
    """Canada, then the provinces and territories, then the economic regions, each by code."""
    level_order = case({"country": 0, "province": 1}, value=Region.level, else_=2)
    return [region_info(region, lang) for region in session.scalars(select(Region).order_by(level_order, Region.code))]
