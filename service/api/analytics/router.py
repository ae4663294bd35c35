"""`/v1/analytics/…`: the figures analysts read. An analyst's or admin's key sees every row, an
institution's key only its own programs'; counts are suppressed and rounded except for admin keys.
`Accept: text/csv` gives the same rows as CSV."""

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from analytics.funnel import funnel
from analytics.periods import period
from analytics.queries import GroupBy
from analytics.summary import purge_notes, summarize
from analytics.targets import create_target, delete_target, list_targets, progress_of
from service.api.analytics.csv_output import CSV_MEDIA_TYPE, csv_response, wants_csv
from service.api.analytics.dependencies import CurrentViewer
from service.api.analytics.presenters import (
    FIGURE_COLUMNS,
    figures_rows,
    funnel_out,
    summary_out,
    target_out,
)
from service.api.analytics.schemas import FunnelOut, SummaryOut, TargetIn, TargetOut
from service.api.responses import problem_responses
from service.http.auth import CurrentPrincipal
from service.http.dependencies import DbSession
from service.http.media_types import require_json

router = APIRouter(prefix="/analytics", tags=["analytics"])
CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {CSV_MEDIA_TYPE: {"schema": {"type": "string"}}}, "description": "JSON, or CSV on request."}
}
Day = Annotated[dt.date | None, Query(description="YYYY-MM-DD, UTC days, both ends included.")]


@router.get(
    "/summary",
    response_model=SummaryOut,
    summary="Searches, impressions, clicks, CTR, inquiries, referrals, sessions, feedback: totals and a breakdown, "
    "optionally against a baseline period",
    responses={**CSV_RESPONSE, **problem_responses(401, 403, 422)},
)
def get_summary(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    start: Annotated[dt.date | None, Query(alias="from", description="First day (default: 30 days ago).")] = None,
    end: Annotated[dt.date | None, Query(alias="to", description="Last day (default: today).")] = None,
    group_by: GroupBy | None = None,
    compare_from: Day = None,
    compare_to: Day = None,
    reference_variant: Annotated[
        str | None, Query(max_length=100, pattern=r"^[A-Za-z0-9._:-]+$", description="With group_by=variant.")
    ] = None,
) -> Any:
    current = period(start, end)
    baseline = period(compare_from, compare_to) if compare_from or compare_to else None
    answer = summary_out(summarize(session, viewer, current, group_by, baseline, reference_variant))
    if wants_csv(request):
        rows = figures_rows(answer)
        columns = ["period", "key", "label", *FIGURE_COLUMNS]
        if baseline is not None:
            columns += [f"change_{name}" for name in FIGURE_COLUMNS]
        return csv_response(rows, columns, "summary.csv", answer.disclosure.rule)
    return answer


@router.get(
    "/funnel",
    response_model=FunnelOut,
    summary="Sessions that searched, saw programs, clicked one, then asked the institution or were referred",
    responses={**CSV_RESPONSE, **problem_responses(401, 403, 422)},
)
def get_funnel(
    request: Request,
    session: DbSession,
    viewer: CurrentViewer,
    start: Annotated[dt.date | None, Query(alias="from")] = None,
    end: Annotated[dt.date | None, Query(alias="to")] = None,
) -> Any:
    window = period(start, end)
    steps = funnel(session, window, viewer.scope, viewer.rule)
    answer = funnel_out(window, steps, viewer.rule, purge_notes(session, viewer, window))
    if wants_csv(request):
        rows = [step.model_dump() for step in answer.steps]
        columns = ["step", "sessions", "share_of_previous", "share_of_first"]
        return csv_response(rows, columns, "funnel.csv", answer.disclosure.rule)
    return answer


@router.get(
    "/targets",
    response_model=list[TargetOut],
    summary="Targets set by analysts, with the progress made",
    responses=problem_responses(401, 403, 422),
)
def get_targets(session: DbSession, viewer: CurrentViewer, principal: CurrentPrincipal) -> list[TargetOut]:
    principal.require_analyst()
    return [target_out(progress_of(session, target, viewer.rule)) for target in list_targets(session)]


@router.post(
    "/targets",
    status_code=201,
    response_model=TargetOut,
    summary='Set a target: "+20% clicks against the same months last year", or an absolute figure',
    responses=problem_responses(401, 403, 415, 422),
    dependencies=[Depends(require_json)],
)
def post_target(body: TargetIn, session: DbSession, viewer: CurrentViewer, principal: CurrentPrincipal) -> TargetOut:
    principal.require_analyst()
    target = create_target(
        session,
        body.measure,
        period(body.period_from, body.period_to),
        change=body.change,
        value=body.value,
        baseline_from=body.baseline_from,
        baseline_to=body.baseline_to,
        label=body.label,
    )
    return target_out(progress_of(session, target, viewer.rule))


@router.delete(
    "/targets/{target_id}",
    status_code=204,
    summary="Delete a target",
    responses=problem_responses(401, 403, 404, 422),
)
def remove_target(
    target_id: Annotated[int, Path(ge=1, le=2**31 - 1)], session: DbSession, principal: CurrentPrincipal
) -> Response:
    principal.require_analyst()
    delete_target(session, target_id)
    return Response(status_code=204)
