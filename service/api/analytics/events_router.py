"""`POST /v1/events`: a batch of events. Without a key, only the steps that follow a program this
service served (inquiry, referral, feedback naming its impression); a portal's, an institution's or an
admin's key may send more (see analytics.events). Each event is checked on its own, and the valid ones
are on disk before the 202 is sent."""

from typing import Any

from fastapi import APIRouter, Depends
from pydantic import TypeAdapter, ValidationError

from analytics.events import MAX_EVENTS, ClientEvent, Sender, record_events
from service.api.analytics.dependencies import AppRobots, UserAgent
from service.api.analytics.schemas import EventIn, EventsAcceptedOut, EventsIn, RejectedEventOut
from service.api.responses import problem_responses
from service.http.auth import OptionalPrincipal
from service.http.dependencies import AppSettings, DbSession
from service.http.media_types import require_json
from service.problems import RequestTooLarge

router = APIRouter(tags=["events"])
EVENT = TypeAdapter(EventIn)


def parse_events(items: list[Any]) -> tuple[list[tuple[int, ClientEvent]], list[RejectedEventOut]]:
    """The events of the right form, with their index, and the others with what is wrong."""
    parsed, rejected = [], []
    for index, item in enumerate(items):
        try:
            event = EVENT.validate_python(item)
        except ValidationError as error:
            errors = [
                f"{'.'.join(str(part) for part in detail['loc']) or 'event'}: {detail['msg']}"
                for detail in error.errors()
            ]
            rejected.append(RejectedEventOut(index=index, errors=errors))
            continue
        parsed.append((index, ClientEvent(**event.model_dump())))
    return parsed, rejected


@router.post(
    "/events",
    status_code=202,
    response_model=EventsAcceptedOut,
    summary=f"Record up to {MAX_EVENTS} events: searches, impressions, clicks, inquiries, referrals, feedback",
    description="Without a key: inquiries, referrals and feedback naming the `impression_id` of a program this "
    "service served (once per impression and type). A portal's key (`Authorization: Bearer …`) may send every "
    "type, attributed to the portal, and its users' `user_agent`; an institution's key, inquiries and referrals "
    "for its own programs. An analyst's key is refused (403).",
    responses=problem_responses(401, 403, 413, 415, 422),
    dependencies=[Depends(require_json)],
)
def post_events(
    body: EventsIn,
    session: DbSession,
    robots: AppRobots,
    settings: AppSettings,
    agent: UserAgent,
    principal: OptionalPrincipal,
) -> EventsAcceptedOut:
    if len(body.events) > MAX_EVENTS:
        raise RequestTooLarge(
            f"A batch holds at most {MAX_EVENTS} events; this one has {len(body.events)}. Send it in parts.",
            max_events=MAX_EVENTS,
        )
    parsed, rejected = parse_events(body.events)
    result = record_events(
        session,
        parsed,
        sender=Sender.of(principal),
        robots=robots,
        request_user_agent=agent,
        retention_days=settings.event_retention_days,
    )
    rejected += [RejectedEventOut(index=index, errors=errors) for index, errors in result.rejected]
    return EventsAcceptedOut(
        accepted=result.accepted,
        duplicates=result.duplicates,
        rejected=sorted(rejected, key=lambda item: item.index),
    )
