"""The request of `POST /v1/occupations/by-skills` (its answer, and the transitions', are the domain's
dataclasses, served as they are)."""

from typing import Annotated, Literal, Self

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from careers.skill_text import MAX_SKILLS
from service.api.matching.schemas import unicode_text
from service.api.recommendations.schemas import NO_NUL, JobTitle

TEXT_MAX_LENGTH = 5000
LIMIT_MAX = 50


def checked_text(text: str) -> str:
    if not text.strip():
        raise ValueError("must not be only spaces")
    return unicode_text(text)


# One skill: 1 to 200 characters, not only spaces, no NUL (a job title's rules).
Skill = JobTitle
PastedText = Annotated[
    str, Field(min_length=1, max_length=TEXT_MAX_LENGTH, pattern=NO_NUL), AfterValidator(checked_text)
]


class SkillSearchIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {"skills": ["pruning fruit trees", "driving a tractor"], "region": "ER3530"},
                {"skills": ["montage vidéo", "sous-titrage"], "lang": "fr"},
                {"text": "Bookkeeping for 10 years, payroll, QuickBooks and year-end."},
            ],
            # Exactly one of the two (a model validator checks it; this says it to clients).
            "oneOf": [
                {"required": ["skills"], "properties": {"skills": {"type": "array"}}},
                {"required": ["text"], "properties": {"text": {"type": "string"}}},
            ],
        },
    )

    skills: list[Skill] | None = Field(
        default=None,
        min_length=1,
        max_length=MAX_SKILLS,
        description="What the person can do, one skill an item, free text in either language (1 to 50).",
    )
    text: PastedText | None = Field(
        default=None,
        description="Instead of `skills`: a pasted paragraph (the skills section of a résumé), split into skills "
        "on commas, semicolons, bullets, line breaks and sentence ends.",
    )
    lang: Literal["auto", "en", "fr"] = Field(default="auto", description="The answer's language; auto: the skills'.")
    region: Annotated[str, Field(min_length=1, max_length=100, pattern=NO_NUL)] | None = Field(
        default=None, description="Province or economic region for wages, e.g. ER3530 (Toronto)."
    )
    limit: int = Field(default=10, ge=1, le=LIMIT_MAX)

    @model_validator(mode="after")
    def one_of_skills_or_text(self) -> Self:
        if (self.skills is None) == (self.text is None):
            raise ValueError("give either `skills` (a list) or `text` (a paragraph), not both and not neither")
        return self
