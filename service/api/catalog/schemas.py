"""Request and response models of the catalog routes."""

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field


class InstitutionOut(BaseModel):
    id: int
    slug: str
    name: str


class InstitutionSummaryOut(InstitutionOut):
    version: int | None = Field(description="The active catalog version; null before the first upload.")
    courses: int = Field(description="Courses in the active catalog.")


class InstitutionListOut(BaseModel):
    items: list[InstitutionSummaryOut]


class RowErrorOut(BaseModel):
    line: int = Field(description="CSV: the file's line; JSON: the course's position, from 1.")
    column: str | None
    reason: str


class UploadOut(BaseModel):
    institution: InstitutionOut
    version: int | None = Field(description="The new active version; null for a dry run.")
    dry_run: bool
    rows: int
    courses: int = Field(description="Courses imported (or that would be, for a dry run).")
    skipped: int = Field(description="Rows left out because of `errors` (on_error=skip).")
    errors: list[RowErrorOut]


class VersionOut(BaseModel):
    number: int
    created_at: dt.datetime
    source: str
    course_count: int
    skipped_rows: int
    active: bool


class VersionsOut(BaseModel):
    institution: InstitutionOut
    versions: list[VersionOut]


class LinkedOccupationOut(BaseModel):
    noc_code: str
    title_en: str
    title_fr: str | None
    score: float = Field(description="How well the course fits the occupation, 0 to 1.")
    source: str = Field(
        description="Where the link comes from: `given` (the institution's NOC codes) or `inferred` (the "
        "course's text and skills compared with the occupation's)."
    )
    evidence: str


class SkillMatchOut(BaseModel):
    id: str = Field(description="ESCO skill URI, or `oasis:<dimension>:<descriptor>`.")
    label: str
    vocabulary: Literal["esco", "oasis"]
    confidence: float = Field(description="0 to 1.")


class SkillTagOut(BaseModel):
    text: str = Field(description="The tag as given, or the label of an inferred one.")
    source: Literal["given", "inferred"] = Field(
        description="`given` by the catalog; `inferred` from the title when it gave none that fit."
    )
    fits_course: bool = Field(
        description="False when the given tags, together, fit other courses or occupations better than this "
        "course's own title and description (a catalog row carrying a neighbour's tags): they then count for nothing."
    )
    skill: SkillMatchOut | None = Field(description="The nearest ESCO skill.")
    descriptor: SkillMatchOut | None = Field(description="The nearest OaSIS skills or knowledge descriptor.")


class DescriptorCoverageOut(BaseModel):
    id: str
    label: str
    coverage: float = Field(description="How well the course covers the OaSIS descriptor, 0 to 1.")


class CourseOut(BaseModel):
    id: str = Field(description="`<institution slug>:<course_id>`, for /v1/courses/{id}.")
    course_id: str
    title: str
    url: str
    url_derived: bool = Field(description="True when the catalog gave no link and one was built (a search page).")
    description: str | None
    skills: list[str]
    noc_codes: list[str]
    language: str | None
    delivery_mode: str | None
    region: str | None
    duration_hours: float | None
    cost_cad: float | None
    credential: str | None
    provider: str | None
    financial_aid: list[str]
    start_dates: list[str]
    institution: InstitutionOut
    occupations: list[LinkedOccupationOut] = Field(description="The NOC 2021 unit groups it leads to, best first.")
    tagged: bool = Field(description="False until the course has been tagged (tags, descriptors and inferred links).")
    tags: list[SkillTagOut]
    descriptors: list[DescriptorCoverageOut] = Field(description="OaSIS skills and knowledge it covers, best first.")


class CoursePageOut(BaseModel):
    institution: InstitutionOut
    version: int | None
    items: list[CourseOut]
    page: int
    per_page: int
    total: int


class JobOut(BaseModel):
    """A catalog upload that took longer than the route waits: poll `href` until it has finished."""

    id: str
    href: str
    status: Literal["queued", "running", "succeeded", "failed"]
    courses_tagged: int = Field(description="Courses tagged and linked so far (the slow part: each is embedded).")
    rows_written: int = Field(description="Courses written so far (after tagging).")
    created_at: dt.datetime
    finished_at: dt.datetime | None
    result: UploadOut | None = Field(description="When it succeeded: what the upload answers.")
    problem: dict[str, Any] | None = Field(
        description="When it failed: the problem the upload would have answered (type, title, status, detail…)."
    )
