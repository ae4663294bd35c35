"""The service's own events: a recommendation answered is a search and one impression per program
shown, each program with a signed tracked link; following that link is a click."""

import datetime as dt
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from analytics.events import dedupe_key
from analytics.exceptions import UnknownLink
from analytics.links import LinkSigner
from analytics.store import event_row, insert_new
from labour_market.exceptions import UnknownRegion
from labour_market.regional_wages import resolve_region
from models.events import Event
from recommendations.recommend import Recommendation, RecommendationRequest, Recommender

# How long after its search a visit's feedback is taken (a browser session, generously).
VISIT_LASTS = dt.timedelta(days=1)


@dataclass(frozen=True)
class Served:
    """A recommendation as answered, with each program's impression id and tracked-link token."""

    recommendation: Recommendation
    impression_ids: list[str]
    tokens: list[str]


def new_id(prefix: str) -> str:
    return prefix + secrets.token_urlsafe(12)


def serve_recommendation(
    session: Session,
    recommender: Recommender,
    request: RecommendationRequest,
    signer: LinkSigner,
    *,
    robot: bool,
    portal_id: int | None = None,
    page_view: bool = False,
    now: dt.datetime | None = None,
) -> Served:
    """Recommend, then log the search and the impressions (and, for the service's own page, the page
    view), committed before the answer goes out; `portal_id` when a portal's key asked."""
    answer = recommender.recommend(session, request)
    now = now or dt.datetime.now(dt.UTC)
    context: dict[str, Any] = {
        "session_id": request.session_id,
        "variant": answer.variant,  # the arm served: the learning arm may have taken the session
        "lang": answer.lang if answer.lang in ("en", "fr") else None,
        "region": resolve_region(session, request.region).code if request.region else None,
        "noc_code": answer.occupation.noc_code if answer.occupation else None,
        "portal_id": portal_id,
    }
    rows = [_server_event("page_view", now, robot, **context)] if page_view else []
    rows.append(_server_event("search", now, robot, **context))
    shown = answer.all_programs()
    impression_ids = [new_id("i_") for _ in shown]
    for impression_id, (noc_code, program) in zip(impression_ids, shown, strict=True):
        rows.append(
            event_row(
                dedupe_key("impression", impression_id, impression_id),
                impression_id,
                "impression",
                "server",
                now,
                robot,
                **(context | {"noc_code": noc_code}),
                impression_id=impression_id,
                course_key=program.course.key,
                institution_id=program.course.institution_id,
                rank=program.rank,
                target_url=program.course.url,
            )
        )
    insert_new(session, rows)
    session.commit()
    return Served(answer, impression_ids, [signer.token(impression_id) for impression_id in impression_ids])


def record_page_view(
    session: Session, *, session_id: str | None, lang: str, robot: bool, now: dt.datetime | None = None
) -> None:
    """A view of the service's own page without a search."""
    insert_new(
        session, [_server_event("page_view", now or dt.datetime.now(dt.UTC), robot, session_id=session_id, lang=lang)]
    )
    session.commit()


def record_feedback(
    session: Session,
    *,
    helpful: bool,
    session_id: str,
    lang: str,
    region: str | None,
    noc_code: str | None,
    robot: bool,
    now: dt.datetime | None = None,
) -> bool:
    """A person's answer to "was this helpful?" on the service's own page, counted once per visit and
    occupation, and only when that visit searched it here (a made-up visit has nothing to rate); a
    region that is not one of /v1/regions is left out (the answer is kept). Whether it was counted."""
    now = now or dt.datetime.now(dt.UTC)
    searched = session.scalar(
        select(Event.id)
        .where(Event.occurred_at >= now - VISIT_LASTS, Event.session_id == session_id)
        .where(Event.type == "search", Event.source == "server")
        .where(Event.noc_code == noc_code if noc_code else Event.noc_code.is_(None))
        .limit(1)
    )
    if searched is None:
        return False
    context: dict[str, Any] = {
        "session_id": session_id,
        "lang": lang,
        "region": _region_code(session, region),
        "noc_code": noc_code,
    }
    once = f"feedback:{session_id}:{noc_code or 'none'}"
    row = event_row(once, new_id("f_"), "feedback", "server", now, robot, helpful=helpful, **context)
    counted = bool(insert_new(session, [row]))
    session.commit()
    return counted


def _region_code(session: Session, region: str | None) -> str | None:
    try:
        return resolve_region(session, region).code if region else None
    except UnknownRegion:
        return None


def _server_event(event_type: str, now: dt.datetime, robot: bool, **fields: Any) -> dict[str, Any]:
    event_id = new_id(event_type[0] + "_")
    return event_row(dedupe_key(event_type, event_id, None), event_id, event_type, "server", now, robot, **fields)


def follow_link(
    session: Session, signer: LinkSigner, token: str, *, robot: bool, now: dt.datetime | None = None
) -> str:
    """The program page a tracked link leads to, after logging the click (once per impression).
    UnknownLink, and nothing logged, when the token is not ours or its impression is gone."""
    impression_id, shown, target = _impression(session, signer, token)
    now = now or dt.datetime.now(dt.UTC)
    click_id = new_id("c_")
    copied = (
        "session_id",
        "variant",
        "lang",
        "region",
        "course_key",
        "institution_id",
        "noc_code",
        "rank",
        "portal_id",
    )
    click = event_row(
        dedupe_key("click", click_id, impression_id),
        click_id,
        "click",
        "server",
        now,
        robot,
        impression_id=impression_id,
        **{name: getattr(shown, name) for name in copied},
    )
    insert_new(session, [click])
    session.commit()
    return target


def link_target(session: Session, signer: LinkSigner, token: str) -> str:
    """Where a tracked link leads, without logging anything."""
    return _impression(session, signer, token)[2]


def _impression(session: Session, signer: LinkSigner, token: str) -> tuple[str, Event, str]:
    """The impression a token names and its program page; UnknownLink when there is none."""
    impression_id = signer.impression_of(token)
    shown = session.scalar(select(Event).where(Event.dedupe_key == dedupe_key("impression", "", impression_id)))
    if shown is None or shown.target_url is None:
        raise UnknownLink()
    return impression_id, shown, shown.target_url
