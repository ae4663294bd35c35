"""Request and response models of the search routes (Pydantic lives at the HTTP edge only)."""

from typing import Annotated, Any, Literal, Self

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints, model_validator
from pydantic.config import JsonDict

from matching.engine import Match, SearchResult
from matching.suggest import Suggestion

QueryLanguage = Literal["auto", "en", "fr"]
QUERY_MAX_LENGTH = 200
INDUSTRY_MAX_LENGTH = 200
PREFIX_MAX_LENGTH = 100
LIMIT_MAX = 50
BATCH_MAX_ITEMS = 1000
ID_MAX_LENGTH = 100
SAFE_INTEGER = 2**53 - 1  # the largest integer a JavaScript client reads exactly
# What the validators below accept, said in JSON Schema. "Space" is what Python's str.strip()
# removes, spelled out because regular-expression dialects disagree on `\s`.
SPACE = r"\t\n\x0b\x0c\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000"
QUERY_SCHEMA: JsonDict = {"minLength": 1, "maxLength": QUERY_MAX_LENGTH, "pattern": f"[^{SPACE}]"}
# The prefix is stripped, then 1 to 100 characters: spaces around it do not count.
PREFIX_SCHEMA: JsonDict = {
    "minLength": 1,
    "pattern": f"^[{SPACE}]*[^{SPACE}](?:[\\s\\S]{{0,{PREFIX_MAX_LENGTH - 2}}}[^{SPACE}])?[{SPACE}]*$",
}


def unicode_text(text: str) -> str:
    """Text that can be written as UTF-8: JSON can smuggle in a lone surrogate (``"\\ud800"``)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError as error:
        raise ValueError(f"must be Unicode text; character {error.start + 1} is a lone surrogate") from None
    return text


Text = Annotated[str, AfterValidator(unicode_text)]


def not_text(value: object) -> object:
    """An integer id is a JSON number: a string of digits stays a string id, a boolean is no id."""
    if isinstance(value, str | bool):
        raise ValueError("must be a string or an integer")
    return value


def query_problem(q: str) -> str | None:
    """What is wrong with a search text, or None."""
    if not q.strip():
        return "must contain a non-space character"
    if len(q) > QUERY_MAX_LENGTH:
        return f"must be at most {QUERY_MAX_LENGTH} characters, not {len(q)}"
    return None


def checked_query(q: str) -> str:
    problem = query_problem(q)
    if problem:
        raise ValueError(problem)
    return q


def checked_prefix(prefix: str) -> str:
    """The prefix without surrounding spaces: 1 to 100 characters."""
    stripped = prefix.strip()
    if not stripped:
        raise ValueError("must contain a non-space character")
    if len(stripped) > PREFIX_MAX_LENGTH:
        raise ValueError(f"must be at most {PREFIX_MAX_LENGTH} characters, not {len(stripped)}")
    return stripped


class MatchOut(BaseModel):
    noc_code: str
    title: str = Field(description="The unit group's title in the query's language.")
    title_en: str
    title_fr: str
    score: float = Field(description="Calibrated: among results scored about 0.8, about 80% are right.")
    confidence: Literal["high", "medium", "low"]
    matched_title: str = Field(description="The index title (or code) that best explains the match.")
    match_type: str = Field(description="code, noc2016_code, exact, alias, fuzzy, semantic or hybrid.")

    @classmethod
    def from_match(cls, match: Match) -> "MatchOut":
        return cls.model_validate(match, from_attributes=True)


def _result_fields(result: SearchResult) -> dict[str, Any]:
    """The fields a single search and a batch item share."""
    return {
        "query": result.query,
        "normalized": result.normalized,
        "lang": result.lang,
        "no_match": result.no_match,
        "results": [MatchOut.from_match(match) for match in result.results],
    }


class SearchOut(BaseModel):
    query: str
    normalized: str = Field(description="The query after removing places, pay, employer and other noise.")
    lang: str = Field(description="The query's language, detected or as requested.")
    no_match: bool = Field(description="True when no unit group scores above the no-match threshold.")
    results: list[MatchOut]

    @classmethod
    def from_result(cls, result: SearchResult) -> "SearchOut":
        return cls(**_result_fields(result))


class BatchItemIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: (
        Annotated[Text, StringConstraints(max_length=ID_MAX_LENGTH)]
        | Annotated[int, Field(ge=-SAFE_INTEGER, le=SAFE_INTEGER), BeforeValidator(not_text)]
        | None
    ) = Field(
        default=None,
        description=f"Echoed back as given: a string of at most {ID_MAX_LENGTH} characters, or an integer "
        "of at most 2**53 - 1 in absolute value.",
    )
    q: Text = Field(
        description=f"The job title (or NOC code), at most {QUERY_MAX_LENGTH} characters.",
        json_schema_extra=QUERY_SCHEMA,
    )
    industry: Text | None = Field(default=None, max_length=INDUSTRY_MAX_LENGTH)

    @model_validator(mode="after")
    def _check_q(self) -> Self:
        problem = query_problem(self.q)
        if problem:
            item = f" (item id {self.id!r})" if self.id is not None else ""
            raise ValueError(f"q {problem}{item}")
        return self


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: QueryLanguage = "auto"
    limit: int = Field(default=5, ge=1, le=LIMIT_MAX)
    items: list[BatchItemIn] = Field(min_length=1, max_length=BATCH_MAX_ITEMS)


class BatchItemOut(BaseModel):
    id: str | int | None
    query: str
    normalized: str
    lang: str
    no_match: bool
    results: list[MatchOut]

    @classmethod
    def from_result(cls, item_id: str | int | None, result: SearchResult) -> "BatchItemOut":
        return cls(id=item_id, **_result_fields(result))


class BatchOut(BaseModel):
    items: list[BatchItemOut] = Field(description="One answer per item, in input order.")


class SuggestionOut(BaseModel):
    title: str
    lang: str
    noc_code: str
    noc_title: str = Field(description="The unit group's title in the suggestion's language.")

    @classmethod
    def from_suggestion(cls, suggestion: Suggestion) -> "SuggestionOut":
        return cls.model_validate(suggestion, from_attributes=True)


class SuggestOut(BaseModel):
    prefix: str
    items: list[SuggestionOut]
