"""Request and answer of `POST /v1/recommendations`."""

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from careers.search import Transition
from service.api.labour_market.schemas import OutlookOut, WagesOut
from service.api.matching.schemas import QUERY_SCHEMA, SPACE, MatchOut, checked_query

LIMIT_MAX = 50
SKILLS_MAX = 50
SKILL_MAX_LENGTH = 100
LABEL_MAX_LENGTH = 100

NO_NUL = r"^[^\x00]*$"  # no database column can hold a NUL character


def checked_title(title: str) -> str:
    if "\x00" in title:
        raise ValueError("must not contain a NUL character")
    return checked_query(title)


# A search query's rules (1 to 200 characters, not only spaces), and no NUL, said in JSON Schema.
TITLE_SCHEMA = {**QUERY_SCHEMA, "pattern": f"^[^\\x00]*[^{SPACE}\\x00][^\\x00]*$"}
JobTitle = Annotated[str, Field(json_schema_extra=TITLE_SCHEMA), AfterValidator(checked_title)]
Label = Annotated[str, Field(min_length=1, max_length=LABEL_MAX_LENGTH, pattern=r"^[A-Za-z0-9._:-]+$")]


class FiltersIn(BaseModel):
    """Every filter is exact: a program whose value is unknown does not pass a filter on that value."""

    model_config = ConfigDict(extra="forbid")

    delivery_mode: Literal["online", "in_person", "hybrid"] | None = None
    # strict: a JSON number, as the schema says (not `false` read as 0, nor "500")
    max_cost_cad: float | None = Field(default=None, ge=0, le=1e9, strict=True)
    max_duration_hours: float | None = Field(default=None, ge=0, le=1e6, strict=True)
    language: Literal["en", "fr"] | None = None
    credential: Literal["micro-credential", "certificate", "diploma", "degree", "course"] | None = None
    financial_aid: str | None = Field(default=None, min_length=1, max_length=50, pattern=NO_NUL, examples=["OSAP"])


class RecommendationIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"job_title": "infirmière auxiliaire", "region": "ER3530"}],
            # At least one of the two, not null (a model validator checks it; this says it to clients).
            # Or, with `moves: true`, the current job alone.
            "anyOf": [
                {"required": ["job_title"], "properties": {"job_title": {"type": "string"}, "moves": {"const": False}}},
                {"required": ["noc_code"], "properties": {"noc_code": {"type": "string"}, "moves": {"const": False}}},
                {
                    "required": ["current_job_title", "moves"],
                    "properties": {"current_job_title": {"type": "string"}, "moves": {"const": True}},
                    "not": {
                        "anyOf": [
                            {"required": ["job_title"], "properties": {"job_title": {"type": "string"}}},
                            {"required": ["noc_code"], "properties": {"noc_code": {"type": "string"}}},
                        ]
                    },
                },
            ],
        },
    )

    job_title: JobTitle | None = Field(default=None, description="The job a person holds or wants.")
    noc_code: Annotated[str, Field(pattern=r"^\s*[0-9]{4,5}\s*$")] | None = Field(
        default=None,
        description="A NOC 2021 unit group (or a NOC 2016 code); with `job_title` too, the code decides the "
        "occupation and the title the language.",
    )
    lang: Literal["auto", "en", "fr"] = Field(default="auto", description="The answer's language; auto: the title's.")
    region: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)] | None = Field(
        default=None, description="Province or economic region (code or name) for wages, e.g. ER3530 (Toronto)."
    )
    current_job_title: JobTitle | None = Field(
        default=None, description="The person's current job: its OaSIS profile tells which skills they have."
    )
    skills: list[Annotated[str, Field(min_length=1, max_length=SKILL_MAX_LENGTH, pattern=NO_NUL)]] = Field(
        default_factory=list, max_length=SKILLS_MAX, description="Skills the person has, free text, either language."
    )
    filters: FiltersIn = Field(default_factory=FiltersIn)
    limit: int = Field(default=10, ge=1, le=LIMIT_MAX)
    session_id: Label | None = Field(
        default=None, description="The portal's session, for analytics (no personal data)."
    )
    variant: Label | None = Field(default=None, description="The experiment arm the portal assigned.")
    user_agent: Annotated[str, Field(max_length=1000)] | None = Field(
        default=None,
        description="With a portal's key: the User-Agent of the person's browser, when the portal's server asks "
        "on their behalf; used only to flag robots in the analytics, never stored. Believed only from a portal's "
        "key: without one, the request's own User-Agent decides (and this one can only mark a robot).",
    )

    moves: bool = Field(
        default=False,
        strict=True,
        description="With `current_job_title` alone: the best career moves from the current job (`moves` in the "
        "answer), each with the programs that close its gap, instead of programs for one occupation.",
    )

    @model_validator(mode="after")
    def an_occupation(self) -> Self:
        if self.moves:
            if self.current_job_title is None:
                raise ValueError("moves needs current_job_title: the job the moves start from")
            if self.job_title is not None or self.noc_code is not None:
                raise ValueError("with moves, give current_job_title only, not job_title or noc_code")
        elif self.job_title is None and self.noc_code is None:
            raise ValueError("give job_title or noc_code (or current_job_title with moves)")
        return self


class OccupationOut(MatchOut):
    """The matched unit group (its title in the answer's language), its TEER category and definition."""

    teer: int | None
    definition: str | None = Field(description="What the unit group does; published in English only.")


class LabourMarketOut(BaseModel):
    outlook: OutlookOut | None = Field(description="COPS 2024-2033 national outlook; null when not published.")
    wages: WagesOut


class SkillOut(BaseModel):
    id: str = Field(description="`oasis:<dimension>:<descriptor>`.")
    name: str = Field(description="In the answer's language (French names are the project's translation).")
    level: float = Field(description="The occupation's OaSIS rating.")
    scale_max: float
    covered_by_person: bool = Field(
        description="From the person's `skills` or their current occupation's profile; false when they gave neither."
    )


class InstitutionRefOut(BaseModel):
    id: int
    slug: str
    name: str


class ProgramOut(BaseModel):
    impression_id: str = Field(description="Names this program as shown in this answer, in events sent later.")
    tracked_url: str = Field(
        description="Link to the program through this: `/r/{token}` logs the click and redirects to `url` "
        "(absolute when the service knows its public address, LMI_PUBLIC_URL)."
    )
    course_id: str = Field(description="`<institution slug>:<course id>`, for /v1/courses/{course_id}.")
    title: str
    institution: InstitutionRefOut
    provider: str | None
    url: str
    url_derived: bool = Field(description="True when the catalog gave no link and one was built (a search page).")
    rank: int
    score: float
    reason: str = Field(description="Why it is recommended, in the answer's language.")
    skills_covered: list[str] = Field(description="The person's gap skills it covers, in the answer's language.")
    link: Literal["given", "inferred"] | None = Field(
        description="How it is linked to the occupation: by the institution, inferred, or (null) on text alone."
    )
    delivery_mode: str | None
    language: str | None
    cost_cad: float | None
    duration_hours: float | None
    credential: str | None
    financial_aid: list[str]


class RecommendationOut(BaseModel):
    lang: Literal["en", "fr"]
    no_match: bool
    message: str | None = Field(description="Why there are no programs, when there are none.")
    occupation: OccupationOut | None
    alternatives: list[MatchOut] = Field(description='Other occupations a portal can offer as "did you mean".')
    current_occupation: MatchOut | None = Field(description="The occupation of `current_job_title`, when given.")
    labour_market: LabourMarketOut | None
    skills: list[SkillOut] = Field(description="The occupation's most important OaSIS skills and knowledge.")
    programs: list[ProgramOut]
    moves: list["MoveOut"] = Field(
        default_factory=list, description="With `moves: true`: the best moves from the current job, best first."
    )
    session_id: str | None
    variant: str | None


class MoveOut(BaseModel):
    transition: Transition = Field(description="The move, as /v1/occupations/{noc_code}/transitions gives it.")
    skills: list[SkillOut] = Field(description="The move's occupation's important skills; those the person has marked.")
    programs: list[ProgramOut] = Field(description="The programs that close the move's gap, best first.")
