"""`POST /v1/recommendations`: programs for a job title and a person, with the occupation's outlook
and wages, each program with its impression id and tracked link (the search and the impressions are
logged before the answer goes out). Needs no key."""

from fastapi import APIRouter, Depends

from analytics.tracking import Served, serve_recommendation
from careers.gap import OccupationSkill
from recommendations.ranking import Filters
from recommendations.recommend import Program, RecommendationRequest
from service.api.analytics.dependencies import AppLinkSigner, AppRobots, UserAgent
from service.api.labour_market.schemas import OutlookOut, WagesOut
from service.api.matching.schemas import MatchOut
from service.api.recommendations.dependencies import AppRecommender
from service.api.recommendations.schemas import (
    InstitutionRefOut,
    LabourMarketOut,
    MoveOut,
    OccupationOut,
    ProgramOut,
    RecommendationIn,
    RecommendationOut,
    SkillOut,
)
from service.api.responses import problem_responses
from service.http.auth import OptionalPrincipal
from service.http.dependencies import AppSettings, DbSession
from service.http.media_types import require_json

router = APIRouter(tags=["recommendations"])


@router.post(
    "/recommendations",
    response_model=RecommendationOut,
    summary="Programs recommended for a job title and a person, each with the reason, and the occupation's "
    "outlook and wages",
    responses=problem_responses(401, 404, 413, 415, 422, 503),
    description="Each program comes with an `impression_id` and a `tracked_url`: the service logs the search and "
    "every program shown (impressions), and a click when the tracked link is followed. Link to programs "
    "through `tracked_url`; send later steps (inquiry, referral, feedback) to POST /v1/events with the "
    "`impression_id`. No key is needed; a portal calling from its server sends its key (`Authorization: "
    "Bearer …`) and its user's `user_agent`: its traffic is then counted as its users' and attributed to it, "
    "where a request from an HTTP library without a key is counted as a robot's.",
    dependencies=[Depends(require_json)],
)
def post_recommendations(
    body: RecommendationIn,
    session: DbSession,
    recommender: AppRecommender,
    signer: AppLinkSigner,
    robots: AppRobots,
    agent: UserAgent,
    settings: AppSettings,
    principal: OptionalPrincipal,
) -> RecommendationOut:
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
        moves=body.moves,
    )
    vouched = principal is not None and principal.vouches_for_its_users
    served = serve_recommendation(
        session,
        recommender,
        request,
        signer,
        robot=robots.is_robot_request(agent, body.user_agent, vouched=vouched),
        portal_id=principal.portal_id if principal else None,
    )
    return recommendation_out(served, (settings.public_url or "").rstrip("/"))


def recommendation_out(served: Served, link_base: str) -> RecommendationOut:
    answer = served.recommendation
    # Each program shown, the occupation's then each move's, in the order they were logged: its
    # impression id, then its tracked link.
    links = iter(
        value
        for impression_id, token in zip(served.impression_ids, served.tokens, strict=True)
        for value in (impression_id, f"{link_base}/r/{token}")
    )
    occupation = answer.occupation
    return RecommendationOut(
        lang="fr" if answer.lang == "fr" else "en",
        no_match=answer.no_match,
        message=answer.message,
        occupation=None
        if occupation is None
        else OccupationOut(
            teer=answer.teer,
            definition=answer.market.definition if answer.market else None,
            **MatchOut.from_match(occupation).model_dump(),
        ),
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
        skills=[skill_out(skill) for skill in answer.skills],
        programs=[program_out(program, next(links), next(links)) for program in answer.programs],
        moves=[
            MoveOut(
                transition=move.transition,
                skills=[skill_out(skill) for skill in move.skills],
                programs=[program_out(program, next(links), next(links)) for program in move.programs],
            )
            for move in answer.moves
        ],
        session_id=answer.session_id,
        variant=answer.variant,
    )


def skill_out(skill: OccupationSkill) -> SkillOut:
    return SkillOut(
        id=skill.descriptor_id,
        name=skill.label,
        level=skill.level,
        scale_max=skill.scale_max,
        covered_by_person=skill.covered_by_person,
    )


def program_out(program: Program, impression_id: str, tracked_url: str) -> ProgramOut:
    course = program.course
    return ProgramOut(
        impression_id=impression_id,
        tracked_url=tracked_url,
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
