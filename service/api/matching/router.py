"""`/v1/occupations/search` (one title, or a batch) and `/v1/titles/suggest` (typeahead).

Search answers are computed per request and carry no ETag; suggestions are reference data and
are cached like the other reference routes.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import AfterValidator

from labour_market.language import Language
from service.api.matching.dependencies import AppMatcher, AppTitleSuggester
from service.api.matching.schemas import (
    DUTIES_DESCRIPTION,
    DUTIES_MAX_LENGTH,
    INDUSTRY_DESCRIPTION,
    INDUSTRY_MAX_LENGTH,
    LIMIT_MAX,
    PREFIX_MAX_LENGTH,
    PREFIX_SCHEMA,
    QUERY_MAX_LENGTH,
    QUERY_SCHEMA,
    BatchIn,
    BatchItemIn,
    BatchItemOut,
    BatchOut,
    QueryLanguage,
    SearchOut,
    SuggestionOut,
    SuggestOut,
    checked_prefix,
    checked_query,
    parse_batch_item,
)
from service.api.responses import problem_responses
from service.http.caching import cached_json
from service.http.dependencies import AppSettings
from service.http.media_types import require_json

router = APIRouter(tags=["search"])


@router.get(
    "/occupations/search",
    response_model=SearchOut,
    summary="The NOC 2021 unit groups that best match a job title (or a NOC 2021 / 2016 code)",
    responses=problem_responses(422, 503),
)
def search_occupations(
    matcher: AppMatcher,
    q: Annotated[
        str,
        Query(
            description=f"Job title in English or French, or a code; at most {QUERY_MAX_LENGTH} characters.",
            json_schema_extra=QUERY_SCHEMA,
            examples=["infirmière auxiliaire", "Sr. backend dev", "31301", "7514"],
        ),
        AfterValidator(checked_query),
    ],
    lang: Annotated[QueryLanguage, Query(description="The query's language; auto detects it.")] = "auto",
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = 10,
    industry: Annotated[
        str | None,
        Query(
            max_length=INDUSTRY_MAX_LENGTH,
            description=f"Optional, at most {INDUSTRY_MAX_LENGTH} characters: {INDUSTRY_DESCRIPTION}",
            examples=["hospital"],
        ),
    ] = None,
    duties: Annotated[
        str | None,
        Query(
            max_length=DUTIES_MAX_LENGTH,
            description=f"Optional, at most {DUTIES_MAX_LENGTH:,} characters: {DUTIES_DESCRIPTION}",
            examples=["shelve and lend books in the public library"],
        ),
    ] = None,
) -> SearchOut:
    result = matcher.search(q, lang, limit, industry=industry, duties=duties)
    return SearchOut.from_result(result, words_only=matcher.embedder is None)


@router.post(
    "/occupations/search/batch",
    response_model=BatchOut,
    summary="Search up to 1,000 job titles at once; answers in input order, a bad item with its error in place",
    responses=problem_responses(413, 415, 422, 503),
    dependencies=[Depends(require_json)],
)
def search_occupations_batch(matcher: AppMatcher, batch: BatchIn) -> StreamingResponse:
    items = [parse_batch_item(index, item) for index, item in enumerate(batch.items)]
    valid = [item for item in items if isinstance(item, BatchItemIn)]
    queries = [item.search_query() for item in valid]
    results = iter(matcher.search_many(queries, batch.lang, batch.limit, background=True) if queries else [])
    answers = [
        BatchItemOut.from_result(item.id, next(results)) if isinstance(item, BatchItemIn) else item for item in items
    ]
    answer = BatchOut(items=answers, errors=len(items) - len(valid), words_only=matcher.embedder is None)
    return StreamingResponse(answer.json_chunks(), media_type="application/json")


@router.get(
    "/titles/suggest",
    response_model=SuggestOut,
    summary="Typeahead: index titles starting with a prefix, then titles with a word starting with it",
    responses=problem_responses(422, 503),
)
def suggest_titles(
    request: Request,
    settings: AppSettings,
    suggester: AppTitleSuggester,
    prefix: Annotated[
        str,
        Query(
            description=f"What the user has typed, 1 to {PREFIX_MAX_LENGTH} characters once the spaces around it are "
            "removed; accents and case ignored.",
            json_schema_extra=PREFIX_SCHEMA,
            examples=["infirm", "cash"],
        ),
        AfterValidator(checked_prefix),
    ],
    lang: Annotated[Language | None, Query(description="Only titles in this language; both if absent.")] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = 10,
) -> Response:
    suggestions = suggester.suggest(prefix, lang, limit)
    body = SuggestOut(prefix=prefix, items=[SuggestionOut.from_suggestion(suggestion) for suggestion in suggestions])
    return cached_json(request, body, settings.cache_max_age, lang)
