"""Response models of the labour-market routes (Pydantic lives at the HTTP edge only)."""

import datetime as dt

from pydantic import BaseModel, Field


class TeerOut(BaseModel):
    code: int
    label: str
    label_en: str
    label_fr: str | None


class NocGroupOut(BaseModel):
    level: int
    level_name: str
    code: str
    title: str = Field(description="In the requested language where available, else English.")
    title_en: str
    title_fr: str | None


class RatingOut(BaseModel):
    name: str
    level: float = Field(description="Mean over the unit group's OaSIS profiles.")
    scale_max: float


class SkillsOut(BaseModel):
    source: str
    profile_count: int = Field(description="OaSIS profiles averaged into the unit group's ratings.")
    skills: list[RatingOut]
    top_knowledge: list[RatingOut]
    top_abilities: list[RatingOut]
    top_work_activities: list[RatingOut]


class OutlookOut(BaseModel):
    period: str
    future_conditions: str | None
    future_conditions_en: str | None
    future_conditions_fr: str | None
    recent_conditions: str | None
    employment_2023: float | None
    employment_growth: float | None
    retirements: float | None
    job_openings: float | None
    job_seekers: float | None
    source: str


class NationalWageOut(BaseModel):
    region_code: str = "00"
    low: float | None
    median: float | None
    high: float | None
    unit: str
    reference_period: str | None
    source: str | None
    release_date: dt.date | None
    note: str | None


class RegionOut(BaseModel):
    code: str
    level: str
    name: str
    name_en: str
    name_fr: str
    province_code: str | None
    province_abbr: str | None
    wage_code: str


class WageYearOut(BaseModel):
    year: int
    low: float | None
    median: float | None
    high: float | None


class RegionalWageOut(BaseModel):
    requested_region: RegionOut
    region: RegionOut = Field(description="The area the figures are for (differs from requested on fallback).")
    fallback: bool
    fallback_note: str | None
    low: float | None
    median: float | None
    high: float | None
    unit: str
    reference_period: str
    source: str
    history: list[WageYearOut]


class WagesOut(BaseModel):
    national: NationalWageOut | None
    regional: RegionalWageOut | None


class OccupationProfileOut(BaseModel):
    noc_code: str
    lang: str
    title: str
    title_en: str
    title_fr: str | None
    teer: TeerOut
    groups: list[NocGroupOut] = Field(description="Broad category, major, sub-major and minor group.")
    definition: str | None
    main_duties: list[str]
    employment_requirements: list[str]
    additional_information: list[str]
    inclusions: list[str]
    exclusions: list[str]
    illustrative_examples: list[str]
    example_titles: list[str]
    skills: SkillsOut | None
    outlook: OutlookOut | None
    wages: WagesOut
    untranslated: list[str] = Field(
        description="Fields shown in English because the French source is not published in the data."
    )


class OccupationSummaryOut(BaseModel):
    noc_code: str
    title: str
    title_en: str
    title_fr: str | None
    teer: int
    broad_category: str


class OccupationPageOut(BaseModel):
    items: list[OccupationSummaryOut]
    page: int
    per_page: int
    total: int
    pages: int
    next: str | None
    previous: str | None


class CrosswalkLinkOut(BaseModel):
    code: str
    title: str
    title_fr: str | None = None
    change_type: str
    note: str | None


class CrosswalkOut(BaseModel):
    from_version: str
    code: str
    title: str
    to_version: str
    links: list[CrosswalkLinkOut]


class RegionListOut(BaseModel):
    items: list[RegionOut]


class SourceOut(BaseModel):
    source: str
    path: str
    title: str
    publisher: str
    licence: str
    licence_url: str | None
    sha256: str
    rows: int
    imported_at: dt.datetime


class SourcesOut(BaseModel):
    attribution: str
    attribution_fr: str
    sources: list[SourceOut]
