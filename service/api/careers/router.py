"""`POST /v1/occupations/by-skills` (what a person can do → the occupations that fit it) and
`GET /v1/occupations/{noc_code}/transitions` (the moves from an occupation). Both need no key and
change nothing; the moves are reference data and carry an ETag and Cache-Control."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request, Response
from fastapi.encoders import jsonable_encoder

from careers.search import CareerMoves, SkillSearch, SkillSearchRequest
from service.api.careers.dependencies import AppCareerSearch
from service.api.careers.schemas import LIMIT_MAX, SkillSearchIn
from service.api.responses import problem_responses
from service.http.caching import cached_json
from service.http.dependencies import AppSettings, DbSession
from service.http.language import ResponseLanguage
from service.http.media_types import require_json

router = APIRouter(tags=["careers"])
REGION_DESCRIPTION = "Province or economic region for wages: ER3530, 3530, ER35, 35 or ON"


@router.post(
    "/occupations/by-skills",
    response_model=SkillSearch,
    summary="The occupations that fit what a person can do, each with the skills it uses and those to learn",
    responses=problem_responses(413, 415, 422, 503),
    description="Skills in either language, as people write them (typos, abbreviations), as a list or a pasted "
    "text. A skill that fits no occupation is listed in `unrecognized` and does not weigh; when none fits "
    "(`hello`, `asdf`), `no_match` is true and no occupation is guessed.",
    dependencies=[Depends(require_json)],
)
def post_by_skills(body: SkillSearchIn, session: DbSession, careers: AppCareerSearch) -> SkillSearch:
    request = SkillSearchRequest(
        skills=tuple(body.skills or ()), text=body.text, lang=body.lang, region=body.region, limit=body.limit
    )
    return careers.by_skills(session, request)


@router.get(
    "/occupations/{noc_code}/transitions",
    response_model=CareerMoves,
    summary="Career moves from an occupation: what carries over, what to learn, the change in wage, the outlook",
    responses=problem_responses(404, 422, 503),
    description="Ranked by how much of what a person in the occupation does carries over (OaSIS skills, knowledge, "
    "work activities and abilities, the duties, the NOC structure). `desirable`: the median wage and the outlook "
    "are no worse; `more_training`: the move's TEER asks for more education or training. A four-digit NOC "
    "2016 code is answered for its first NOC 2021 successor in the concordance (`concordance`).",
)
def get_transitions(
    request: Request,
    session: DbSession,
    settings: AppSettings,
    careers: AppCareerSearch,
    lang: ResponseLanguage,
    noc_code: Annotated[
        str, Path(max_length=10, description="A NOC 2021 unit group (five digits) or a NOC 2016 one (four).")
    ],
    region: Annotated[str | None, Query(min_length=1, max_length=100, description=REGION_DESCRIPTION)] = None,
    limit: Annotated[int, Query(ge=1, le=LIMIT_MAX)] = 10,
) -> Response:
    moves: CareerMoves = careers.transitions(session, noc_code, lang, region, limit)
    return cached_json(request, jsonable_encoder(moves), settings.cache_max_age, lang)
