"""Events sent to `POST /v1/events`: checked one by one against what their sender may report,
completed from the impression they refer to, and stored at once with the server's own events; a
retry is recognised by its dedupe key and counted as a duplicate, never twice.

Who may send what (`Sender`):
- without a key, only what follows a recommendation this service served: an inquiry, a referral or
  feedback naming its `impression_id` (once per impression and type, not before the impression);
  page views, searches, impressions and clicks are logged by the service itself (its page, its
  recommendations, its signed links);
- a portal's key: every type, attributed to the portal; impressions and clicks name an impression;
- an institution's key: inquiries and referrals for its own programs, as its CRM sees them;
- an admin's key: what a portal may, unattributed, and impressions and clicks that name only their
  program (a backfill of another system's history)."""

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.keys import Principal
from analytics.privacy import RobotDetector, scrub_comment
from analytics.store import event_row, insert_new
from labour_market.exceptions import UnknownRegion
from labour_market.regional_wages import resolve_region
from models.accounts import Institution
from models.events import Event

EVENT_TYPES = ("page_view", "search", "impression", "click", "inquiry", "referral", "feedback")
# Steps that concern one program or institution, and so need to say which.
PROGRAM_EVENTS = ("impression", "click", "inquiry", "referral")
# Steps that follow a program shown: without a key they must name the impression.
FOLLOWING_STEPS = ("inquiry", "referral", "feedback")
# What an institution's CRM sees.
INSTITUTION_STEPS = ("inquiry", "referral")
MAX_EVENTS = 500
CLOCK_SKEW = dt.timedelta(minutes=10)
# Without a key, an event is sent as it happens: so the days already past are closed to anonymous senders.
ANONYMOUS_DELAY = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Sender:
    """Who sends a batch: nobody in particular (a browser), or a key's portal, institution or admin."""

    kind: Literal["anonymous", "portal", "institution", "admin"]
    portal_id: int | None = None
    institution_id: int | None = None

    @classmethod
    def of(cls, principal: Principal | None) -> "Sender":
        """The sender a request's key makes (an analyst's key sends nothing: `require_sender`)."""
        if principal is None:
            return cls("anonymous")
        principal.require_sender()
        if principal.role == "portal":
            return cls("portal", portal_id=principal.portal_id)
        if principal.role == "institution":
            return cls("institution", institution_id=principal.institution_id)
        return cls("admin")

    def completed(self, event: "ClientEvent") -> "ClientEvent":
        """An institution's step that names no program is about the institution itself."""
        if self.kind == "institution" and not (event.impression_id or event.course_id or event.institution_id):
            return replace(event, institution_id=self.institution_id)
        return event

    @property
    def vouches(self) -> bool:
        """A key answers for its traffic (Principal.vouches_for_its_users; see RobotDetector)."""
        return self.kind != "anonymous"


@dataclass(frozen=True)
class ClientEvent:
    """One event as its sender sent it, its fields already of the right form."""

    event_id: str
    type: str
    session_id: str
    occurred_at: dt.datetime
    visitor_id: str | None = None
    variant: str | None = None
    lang: str | None = None
    region: str | None = None
    impression_id: str | None = None
    course_id: str | None = None
    institution_id: int | None = None
    noc_code: str | None = None
    helpful: bool | None = None
    comment: str | None = None
    user_agent: str | None = None


@dataclass
class IngestResult:
    accepted: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, list[str]]] = field(default_factory=list)  # (index in the batch, errors)


def dedupe_key(event_type: str, event_id: str, impression_id: str | None) -> str:
    """A program shown is one impression, and clicking it, asking about it, being referred to it or
    giving feedback on it one event of each type, however often each is reported."""
    if impression_id and event_type in ("impression", "click", *FOLLOWING_STEPS):
        return f"{event_type}:{impression_id}"
    return f"event:{event_id}"


@dataclass(frozen=True)
class _Known:
    """What a batch's events refer to, read once per batch."""

    impressions: dict[str, Event]  # impression id → the impression logged when it was served
    institutions: dict[str, int]  # slug, and id as text → institution id
    regions: dict[str, str]  # region as sent → its code


def record_events(
    session: Session,
    events: Sequence[tuple[int, ClientEvent]],
    *,
    sender: Sender,
    robots: RobotDetector,
    request_user_agent: str | None,
    retention_days: int,
    now: dt.datetime | None = None,
) -> IngestResult:
    """Store the valid events of a batch (given with their index in it) and commit before returning,
    so that what is reported accepted is on disk. Events are rejected, by index, when their sender may
    not report them, they refer to an unknown impression, institution or region, lack what their type
    needs, or fall outside the time window."""
    now = now or dt.datetime.now(dt.UTC)
    result = IngestResult()
    events = [(index, sender.completed(event)) for index, event in events]
    known = _Known(
        _impressions(session, {event.impression_id for _, event in events if event.impression_id}),
        _institutions(session, events),
        _regions(session, {event.region for _, event in events if event.region}),
    )
    rows: list[dict[str, Any]] = []
    keys_in_batch: set[str] = set()
    oldest = now - dt.timedelta(days=retention_days)
    for index, event in events:
        errors = _sender_errors(event, sender, known) or _errors(event, known, now, oldest)
        if errors:
            result.rejected.append((index, errors))
            continue
        robot = robots.is_robot_request(request_user_agent, event.user_agent, vouched=sender.vouches)
        row = _row(event, known, now, robot, sender)
        if row["dedupe_key"] in keys_in_batch:
            result.duplicates += 1
            continue
        keys_in_batch.add(row["dedupe_key"])
        rows.append(row)
    inserted = insert_new(session, rows)
    session.commit()
    result.accepted = len(inserted)
    result.duplicates += len(rows) - len(inserted)
    return result


def _impressions(session: Session, impression_ids: set[str]) -> dict[str, Event]:
    if not impression_ids:
        return {}
    keys = [f"impression:{impression_id}" for impression_id in impression_ids]
    found = session.scalars(select(Event).where(Event.dedupe_key.in_(keys)))
    return {event.impression_id: event for event in found if event.impression_id}


def _regions(session: Session, names: set[str]) -> dict[str, str]:
    """Each region as sent → its code (ER3530, 3530 and ON are all accepted, as elsewhere)."""
    known = {}
    for name in names:
        try:
            known[name] = resolve_region(session, name).code
        except UnknownRegion:
            continue
    return known


def _institutions(session: Session, events: Sequence[tuple[int, ClientEvent]]) -> dict[str, int]:
    """Institution ids by slug and by id (as text), for those the batch names."""
    slugs = {event.course_id.partition(":")[0] for _, event in events if event.course_id}
    ids = {event.institution_id for _, event in events if event.institution_id is not None}
    if not slugs and not ids:
        return {}
    found = session.execute(
        select(Institution.id, Institution.slug).where(Institution.slug.in_(slugs) | Institution.id.in_(ids))
    )
    known: dict[str, int] = {}
    for institution_id, slug in found:
        known[slug] = institution_id
        known[str(institution_id)] = institution_id
    return known


def _sender_errors(event: ClientEvent, sender: Sender, known: _Known) -> list[str]:
    """What this sender may not report (an empty list when it may)."""
    if sender.kind == "anonymous":
        errors = _anonymous_errors(event)
    elif sender.kind == "institution":
        errors = _institution_errors(event, sender, known)
    else:
        errors = []
    if not errors and sender.kind != "admin" and event.type in ("impression", "click") and event.impression_id is None:
        errors.append(f"impression_id: {_a(event.type)} names the impression the service logged")
    return errors


def _a(event_type: str) -> str:
    """The event type with its article, for a sentence: "an inquiry", "a click"."""
    return f"{'an' if event_type[0] in 'aeiou' else 'a'} {event_type}"


def _anonymous_errors(event: ClientEvent) -> list[str]:
    if event.type not in FOLLOWING_STEPS:
        return [
            f"type: {_a(event.type)} is logged by the service itself (its page, its recommendations and its tracked "
            "links); a portal that logs its own sends it with its key"
        ]
    if event.impression_id is None:
        return [
            f"impression_id: without a key, {_a(event.type)} names the impression_id of a program this service served"
        ]
    if event.occurred_at < dt.datetime.now(dt.UTC) - ANONYMOUS_DELAY:
        return ["occurred_at: without a key, an event is sent within an hour of when it happened"]
    if event.course_id is not None or event.institution_id is not None:
        return ["course_id: without a key, the program is the impression's; send impression_id alone"]
    return []


def _institution_errors(event: ClientEvent, sender: Sender, known: _Known) -> list[str]:
    if event.type not in INSTITUTION_STEPS:
        return [f"type: an institution's key reports inquiries and referrals, not {_a(event.type)}"]
    shown = known.impressions.get(event.impression_id) if event.impression_id else None
    slug = event.course_id.partition(":")[0] if event.course_id else None
    named = {
        shown.institution_id if shown else None,
        known.institutions.get(slug) if slug else None,
        event.institution_id,
    } - {None}
    if named - {sender.institution_id}:
        return ["institution_id: an institution's key reports steps for its own programs only"]
    return []


def _errors(event: ClientEvent, known: _Known, now: dt.datetime, oldest: dt.datetime) -> list[str]:
    impressions, institutions = known.impressions, known.institutions
    errors = []
    if event.occurred_at > now + CLOCK_SKEW:
        errors.append("occurred_at: is in the future")
    elif event.occurred_at < oldest:
        errors.append("occurred_at: is older than the retention period")
    if event.impression_id is not None and event.impression_id not in impressions:
        errors.append("impression_id: no recommendation served this impression")
    elif (
        event.impression_id is not None
        and event.occurred_at < impressions[event.impression_id].occurred_at - CLOCK_SKEW
    ):
        errors.append("occurred_at: is before the impression it follows was served")
    if event.course_id is not None:
        slug, _, course = event.course_id.partition(":")
        if not course or slug not in institutions:
            errors.append("course_id: not `<institution slug>:<course id>` of a known institution")
        elif event.institution_id is not None and institutions[slug] != event.institution_id:
            errors.append("institution_id: is not the institution of course_id")
    if event.institution_id is not None and str(event.institution_id) not in institutions:
        errors.append("institution_id: no institution has this id")
    if event.type in PROGRAM_EVENTS and not (event.impression_id or event.course_id or event.institution_id):
        errors.append(f"{event.type}: needs impression_id, course_id or institution_id")
    if event.type == "feedback" and event.helpful is None:
        errors.append("helpful: a feedback event needs helpful: true or false")
    if event.region and event.region not in known.regions:
        errors.append("region: not a region of /v1/regions")
    return errors


def _row(event: ClientEvent, known: _Known, now: dt.datetime, robot: bool, sender: Sender) -> dict[str, Any]:
    """The event's row. A step naming an impression takes its program, and without a key also its
    context (session, variant, language, region): a browser cannot move it to another arm or place.
    Feedback is on the recommendation, not on one program: it takes no program or institution."""
    shown = known.impressions.get(event.impression_id) if event.impression_id else None
    if shown is not None and sender.kind == "anonymous":
        event = replace(
            event,
            session_id=shown.session_id or event.session_id,
            variant=shown.variant,
            lang=shown.lang,
            region=None,
            noc_code=None,
        )
    course_key = shown.course_key if shown else event.course_id
    institution_id = (
        shown.institution_id
        if shown
        else known.institutions[course_key.partition(":")[0]]
        if course_key
        else event.institution_id
    )
    program = event.type != "feedback"
    return event_row(
        dedupe_key(event.type, event.event_id, event.impression_id),
        event.event_id,
        event.type,
        "client",
        event.occurred_at,
        robot,
        received_at=now,
        session_id=event.session_id,
        visitor_id=event.visitor_id,
        variant=event.variant if event.variant is not None else shown.variant if shown else None,
        lang=event.lang or (shown.lang if shown else None),
        region=known.regions[event.region] if event.region else shown.region if shown else None,
        impression_id=event.impression_id,
        course_key=course_key if program else None,
        institution_id=institution_id if program else None,
        noc_code=shown.noc_code if shown and shown.noc_code else event.noc_code,
        rank=shown.rank if shown and program else None,
        helpful=event.helpful if event.type == "feedback" else None,
        comment=scrub_comment(event.comment) if event.comment and event.type == "feedback" else None,
        portal_id=sender.portal_id or (shown.portal_id if shown else None),
    )
