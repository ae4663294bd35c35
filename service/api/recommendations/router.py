"""`POST /v1/recommendations`: programs for a job title and a person, with the occupation's outlook
and wages. Needs no key."""

from fastapi import APIRouter, Depends

from recommendations.ranking import Filters
from recommendations.recommend import Program, Recommendation, RecommendationRequest
from service.api.labour_market.schemas import OutlookOut, WagesOut
from service.api.matching.schemas import MatchOut
from service.api.recommendations.dependencies import AppRecommender
from service.api.recommendations.schemas import (
    InstitutionRefOut,
    LabourMarketOut,
    OccupationOut,
    ProgramOut,
    RecommendationIn,
    RecommendationOut,
    SkillOut,
)
from service.api.responses import problem_responses
from service.http.dependencies import DbSession
from service.http.media_types import require_json

router = APIRouter(tags=["recommendations"])


@router.post(
    "/recommendations",
    response_model=RecommendationOut,
    summary="Programs recommended for a job title and a person, each with the reason, and the occupation's "
    "outlook and wages",
    responses=problem_responses(400, 404, 413, 415, 422, 503),
    dependencies=[Depends(require_json)],
)
def post_recommendations(body: RecommendationIn, session: DbSession, recommender: AppRecommender) -> RecommendationOut:
    request = RecommendationRequest(
        job_title=body.job_title,
        noc_code=body.noc_code,
        lang=body.lang,
        region=body.region,
        current_job_title=body.current_job_title,
        skills=tuple(body.skills),
        filters=Filters(**body.filters.model_dump()),
        limit=body.limit,
        session_id=body.session_id,
        variant=body.variant,
    )
    return recommendation_out(recommender.recommend(session, request))


def recommendation_out(answer: Recommendation) -> RecommendationOut:
    occupation = answer.occupation
    return RecommendationOut(
        lang="fr" if answer.lang == "fr" else "en",
        no_match=answer.no_match,
        message=answer.message,
        occupation=None
        if occupation is None
        else OccupationOut(teer=answer.teer, **MatchOut.from_match(occupation).model_dump()),
        alternatives=[MatchOut.from_match(match) for match in answer.alternatives],
        current_occupation=MatchOut.from_match(answer.current_occupation) if answer.current_occupation else None,
        labour_market=None
        if answer.market is None
        else LabourMarketOut(
            outlook=OutlookOut.model_validate(answer.market.outlook, from_attributes=True)
            if answer.market.outlook
            else None,
            wages=WagesOut.model_validate(answer.market.wages, from_attributes=True),
        ),
        skills=[
            SkillOut(
                id=skill.descriptor_id,
                name=skill.label,
                level=skill.level,
                scale_max=skill.scale_max,
                covered_by_person=skill.covered_by_person,
            )
            for skill in answer.skills
        ],
        programs=[program_out(program) for program in answer.programs],
        session_id=answer.session_id,
        variant=answer.variant,
    )


def program_out(program: Program) -> ProgramOut:
    course = program.course
    return ProgramOut(
        course_id=course.key,
        title=course.title,
        institution=InstitutionRefOut(
            id=course.institution_id, slug=course.institution_slug, name=course.institution_name
        ),
        provider=course.provider,
        url=course.url,
        url_derived=course.url_derived,
        rank=program.rank,
        score=program.score,
        reason=program.reason,
        skills_covered=program.skills_covered,
        link="given" if program.link_source == "given" else "inferred" if program.link_source == "inferred" else None,
        delivery_mode=course.delivery_mode,
        language=course.language,
        cost_cad=course.cost_cad,
        duration_hours=course.duration_hours,
        credential=course.credential,
        financial_aid=list(course.financial_aid),
    )
