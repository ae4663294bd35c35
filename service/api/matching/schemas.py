"""Request and response models of the search routes (Pydantic lives at the HTTP edge only)."""

from collections.abc import Iterator
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    TypeAdapter,
    ValidationError,
    WithJsonSchema,
)
from pydantic.config import JsonDict

from matching.engine import Match, SearchQuery, SearchResult
from matching.suggest import Suggestion
from service.api.responses import ValidationErrorItem
from service.problems import validation_errors, validation_problem_body

QueryLanguage = Literal["auto", "en", "fr"]
QUERY_MAX_LENGTH = 200
INDUSTRY_MAX_LENGTH = 200
DUTIES_MAX_LENGTH = 1000
INDUSTRY_DESCRIPTION = (
    "the employer's industry or the employer: reads a generic title such as clerk or operator in its light."
)
DUTIES_DESCRIPTION = "what the person does, in free text: reads a generic title in its light."
PREFIX_MAX_LENGTH = 100
LIMIT_MAX = 50
BATCH_MAX_ITEMS = 1000
ITEMS_PER_CHUNK = 25  # of a streamed batch answer: about 2 ms of serializing at 50 results an item
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
    match_type: str = Field(description="code, noc2016_code, exact, alias, esco, fuzzy, semantic, hybrid or context.")

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


WORDS_ONLY = (
    "True when the answer comes from the words of the titles alone, without the embedding model: while a first "
    "start builds the embedding index (`/readyz` says so; answers are then less sure of titles worded unlike "
    "the index's), or when the service is configured so (`LMI_MATCHER_BACKEND=none`)."
)


class SearchOut(BaseModel):
    query: str
    normalized: str = Field(description="The query after removing places, pay, employer and other noise.")
    lang: str = Field(description="The query's language, detected or as requested.")
    no_match: bool = Field(description="True when no unit group scores above the no-match threshold.")
    results: list[MatchOut]
    words_only: bool = Field(description=WORDS_ONLY)

    @classmethod
    def from_result(cls, result: SearchResult, words_only: bool) -> "SearchOut":
        return cls(**_result_fields(result), words_only=words_only)


ID_RULE = f"must be a string of at most {ID_MAX_LENGTH} characters or an integer of at most 2**53 - 1 in absolute value"


def checked_id(value: object) -> str | int | None:
    """An item's id as given: None, a string of Unicode text or an integer a JavaScript client reads exactly."""
    if value is None:
        return None
    if isinstance(value, str) and len(value) <= ID_MAX_LENGTH:
        return unicode_text(value)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) <= SAFE_INTEGER:
        return value
    raise ValueError(ID_RULE)


# The length is checked before the Unicode check, on the string itself: the message then says
# "characters" (a length checked after a validator is said in "items").
IndustryText = Annotated[str, StringConstraints(max_length=INDUSTRY_MAX_LENGTH), AfterValidator(unicode_text)]
DutiesText = Annotated[str, StringConstraints(max_length=DUTIES_MAX_LENGTH), AfterValidator(unicode_text)]
ItemId = Annotated[str | int | None, PlainValidator(checked_id)]
ITEM_ID: TypeAdapter[str | int | None] = TypeAdapter(ItemId)


class BatchItemIn(BaseModel):
    """One item of a batch, as checked on its own once the request's shape is valid."""

    model_config = ConfigDict(extra="forbid")

    id: ItemId = Field(default=None, description=f"Optional, echoed back as given: it {ID_RULE}.")
    q: Annotated[Text, AfterValidator(checked_query)] = Field(
        description=f"Required: the job title (or NOC code), 1 to {QUERY_MAX_LENGTH} characters, not only spaces."
    )
    industry: IndustryText | None = Field(
        default=None, description=f"Optional, at most {INDUSTRY_MAX_LENGTH} characters: {INDUSTRY_DESCRIPTION}"
    )
    duties: DutiesText | None = Field(
        default=None, description=f"Optional, at most {DUTIES_MAX_LENGTH:,} characters: {DUTIES_DESCRIPTION}"
    )

    def search_query(self) -> SearchQuery:
        return SearchQuery(self.q, self.industry, self.duties)


def described_only(model: type[BaseModel], description: str) -> JsonDict:
    """An object schema naming the model's fields with their descriptions and no constraint: what a
    route accepts when it checks each such object itself and answers a bad one in place."""
    fields: JsonDict = {name: {"description": field.description or ""} for name, field in model.model_fields.items()}
    return {"type": "object", "title": model.__name__, "description": description, "properties": fields}


BATCH_ITEM_SCHEMA = described_only(
    BatchItemIn,
    "One job title. Each item is checked on its own: a bad one (a missing, empty or too long `q`, a value of "
    "the wrong type or length, an unknown field) is answered in its place with `error` instead of results, "
    "and the other items are answered as usual.",
)


class BatchIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lang: QueryLanguage = "auto"
    limit: int = Field(default=5, ge=1, le=LIMIT_MAX)
    items: list[Annotated[dict[str, Any], WithJsonSchema(BATCH_ITEM_SCHEMA)]] = Field(
        min_length=1, max_length=BATCH_MAX_ITEMS, description=f"1 to {BATCH_MAX_ITEMS:,} objects."
    )


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


class ItemProblemOut(BaseModel):
    """What is wrong with one item: the `invalid-request` problem it would have been on its own."""

    type: str = Field(description="/problems/invalid-request")
    title: str
    detail: str
    errors: list[ValidationErrorItem]


class BatchItemErrorOut(BaseModel):
    id: str | int | None = Field(description="The item's id as given, when it is a valid id; else null.")
    error: ItemProblemOut


class BatchOut(BaseModel):
    items: list[BatchItemOut | BatchItemErrorOut] = Field(
        description="One answer per item, in input order: the item's results, or its `error`."
    )
    errors: int = Field(description="How many items were answered with an `error`.")
    words_only: bool = Field(description=WORDS_ONLY)

    def json_chunks(self) -> Iterator[bytes]:
        """This answer as JSON, a few items at a time.

        A batch of 1,000 titles with 50 results each is 12 MB of JSON: serialized in one piece it
        would hold the event loop for about 150 ms, and every person's search sent meanwhile with
        it. Streamed, each chunk is serialized in a worker thread between other requests.
        """
        yield b'{"items":['
        for start in range(0, len(self.items), ITEMS_PER_CHUNK):
            chunk = self.items[start : start + ITEMS_PER_CHUNK]
            yield (b"," if start else b"") + b",".join(item.model_dump_json().encode() for item in chunk)
        yield f'],"errors":{self.errors},"words_only":{"true" if self.words_only else "false"}}}'.encode()


def parse_batch_item(index: int, item: dict[str, Any]) -> BatchItemIn | BatchItemErrorOut:
    """The item checked on its own, or its error in place (`body.items.{index}.{field}`)."""
    try:
        return BatchItemIn.model_validate(item)
    except ValidationError as error:
        errors = validation_errors(error.errors(), "body", "items", index)
        return BatchItemErrorOut(id=_readable_id(item), error=ItemProblemOut(**validation_problem_body(errors)))


def _readable_id(item: dict[str, Any]) -> str | int | None:
    try:
        return ITEM_ID.validate_python(item.get("id"))
    except ValidationError:
        return None


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
