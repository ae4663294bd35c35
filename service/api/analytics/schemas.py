"""Requests and answers of the events, tracked-link and analytics routes."""

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from analytics.events import EVENT_TYPES, MAX_EVENTS
from analytics.privacy import COMMENT_MAX_LENGTH
from analytics.queries import GroupBy
from analytics.summary import PurgeNote
from analytics.targets import MEASURES

# Pseudonyms and ids a client makes: letters, digits and . _ : - only, so no e-mail address fits.
Pseudonym = Annotated[str, Field(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9._:-]+$")]
EventType = Literal["page_view", "search", "impression", "click", "inquiry", "referral", "feedback"]
assert set(EventType.__args__) == set(EVENT_TYPES)  # type: ignore[attr-defined]


class EventIn(BaseModel):
    """One event. Unknown fields are refused, so nothing else about a person can be stored."""

    model_config = ConfigDict(extra="forbid")

    event_id: Pseudonym = Field(description="Made by the client, unique per event: a retry with it counts once.")
    type: EventType
    session_id: Pseudonym = Field(description="A pseudonymous session id made by the client (not a person's data).")
    occurred_at: AwareDatetime = Field(description="When it happened, with its UTC offset.")
    visitor_id: Pseudonym | None = Field(
        default=None, description="Optional pseudonymous visitor id (new and returning visitors)."
    )
    variant: Pseudonym | None = Field(default=None, description="The experiment arm the portal assigned.")
    lang: Literal["en", "fr"] | None = None
    region: Annotated[str, Field(min_length=1, max_length=10, pattern=r"^[A-Za-z0-9]+$")] | None = Field(
        default=None, description="As in /v1/regions: ER3530, 3530, 35, ON…"
    )
    impression_id: Annotated[str, Field(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")] | None = Field(
        default=None, description="The `impression_id` of a program in a recommendation answer."
    )
    course_id: Annotated[str, Field(min_length=3, max_length=300, pattern=r"^[^\x00]*$")] | None = Field(
        default=None, description="`<institution slug>:<course id>`, as in /v1/courses/{course_id}."
    )
    institution_id: int | None = Field(default=None, ge=1, le=2**31 - 1)
    noc_code: Annotated[str, Field(pattern=r"^[0-9]{5}$")] | None = None
    helpful: bool | None = Field(default=None, description="For `feedback`: was it helpful?")
    comment: Annotated[str, Field(max_length=COMMENT_MAX_LENGTH, pattern=r"^[^\x00]*$")] | None = Field(
        default=None,
        description=f"For `feedback`, at most {COMMENT_MAX_LENGTH} characters; e-mail addresses and phone "
        "numbers are removed before it is stored.",
    )
    user_agent: Annotated[str, Field(max_length=1000)] | None = Field(
        default=None,
        description="With a portal's key: the User-Agent of the browser whose event the portal's server relays; "
        "used only to flag robots, never stored. Believed only from a portal's key: without one, the request's "
        "own User-Agent decides (and this one can only mark a robot).",
    )


class EventsIn(BaseModel):
    events: list[Any] = Field(
        min_length=1,
        description=f"Up to {MAX_EVENTS} events, each an `EventIn` object. Each is checked on its own: a bad "
        "one is reported by index in `rejected` and the others are kept.",
    )


class RejectedEventOut(BaseModel):
    index: int = Field(description="Position in `events`, from 0.")
    errors: list[str]


class EventsAcceptedOut(BaseModel):
    accepted: int = Field(description="Events stored (on disk before this answer was sent).")
    duplicates: int = Field(description="Events already stored (a retry, or an impression or click already logged).")
    rejected: list[RejectedEventOut]


class PeriodOut(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    start: dt.date = Field(alias="from")
    end: dt.date = Field(alias="to")


class DisclosureOut(BaseModel):
    rule: str = Field(description='"exact" (admin keys), or the suppression and rounding rule applied.')
    description: str
    min_count: int | None
    round_to: int | None


class FiguresOut(BaseModel):
    key: str | None = Field(
        description="The group (a day, a week's Monday, a month, an institution id, a course…); "
        "null: the whole period, or events without this dimension."
    )
    label: str | None
    page_views: int | None
    searches: int | None
    impressions: int | None
    clicks: int | None
    inquiries: int | None
    referrals: int | None
    feedback: int | None
    helpful: int | None
    sessions: int | None = Field(description="Unique sessions.")
    ctr: float | None = Field(description="Click-through rate: clicks / impressions.")
    referral_rate: float | None = Field(description="Referrals / impressions.")
    helpful_share: float | None = Field(description="Helpful feedback / feedback.")
    change: dict[str, float | None] | None = Field(
        default=None, description="Relative change from the baseline period (+0.32: 32% more), per measure."
    )


class UsageOut(BaseModel):
    page_views: int | None
    sessions: int | None
    session_minutes: float | None = Field(
        description="Total duration of the sessions (first event to last), in minutes; rounded like counts for "
        "analyst keys, and withheld with the sessions."
    )
    average_session_seconds: float | None = Field(
        description="session_minutes × 60 / sessions, from the published figures."
    )
    bounce_rate: float | None = Field(
        description="Sessions with a single page view or search and nothing else, over sessions (published counts)."
    )
    visitors: int | None = Field(description="Distinct pseudonymous visitor ids.")
    new_visitors: int | None
    returning_visitors: int | None


class PeriodFiguresOut(BaseModel):
    period: PeriodOut
    totals: FiguresOut
    groups: list[FiguresOut]
    robot_events: int | None = Field(description="Events from known robots: excluded from every figure above.")
    usage: UsageOut | None = Field(description="Null for an institution's key (sessions are not one institution's).")


class DifferenceOut(BaseModel):
    rate: Literal["ctr", "referral_rate"]
    difference: float = Field(description="This arm's rate minus the reference arm's.")
    ci_low: float = Field(description="95% confidence interval (Newcombe), low end.")
    ci_high: float
    significant: bool = Field(description="The interval excludes 0.")


class ArmOut(BaseModel):
    variant: str
    reference: bool
    differences: list[DifferenceOut]
    note: str | None


class ExperimentOut(BaseModel):
    reference_variant: str | None
    arms: list[ArmOut]


Measure = Literal[
    "page_views",
    "searches",
    "impressions",
    "clicks",
    "inquiries",
    "referrals",
    "feedback",
    "sessions",
    "ctr",
    "referral_rate",
    "helpful_share",
]
assert set(Measure.__args__) == set(MEASURES)  # type: ignore[attr-defined]


class TargetIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    measure: Measure
    period_from: dt.date = Field(alias="from")
    period_to: dt.date = Field(alias="to")
    change: float | None = Field(default=None, ge=-1, le=100, description="+0.20: 20% above the baseline period.")
    value: float | None = Field(default=None, ge=0, le=1e12, description="Or an absolute goal for the period.")
    baseline_from: dt.date | None = Field(
        default=None, description="Default: the same days a year before (for `change`)."
    )
    baseline_to: dt.date | None = None
    label: Annotated[str, Field(max_length=200, pattern=r"^[^\x00]*$")] | None = None


class TargetOut(BaseModel):
    id: int
    measure: str
    label: str | None
    period: PeriodOut
    baseline_period: PeriodOut | None
    change: float | None
    value: float | None
    so_far: PeriodOut | None = Field(description="The part of the period already past (progress is measured on it).")
    actual: float | None
    baseline: float | None = Field(description="The measure over the same stretch of the baseline period.")
    goal: float | None = Field(description="What `actual` should be by now to meet the target.")
    change_so_far: float | None = Field(description="`actual` relative to `baseline`.")
    progress: float | None = Field(description="actual / goal (1.0: on target).")
    on_track: bool | None


class SummaryOut(BaseModel):
    group_by: GroupBy | None
    disclosure: DisclosureOut
    current: PeriodFiguresOut
    baseline: PeriodFiguresOut | None = Field(description="The comparison period, when `compare_from` is given.")
    experiment: ExperimentOut | None = Field(description="With group_by=variant: each arm against the reference.")
    targets: list[TargetOut] = Field(description="Targets whose period overlaps this one (analyst and admin keys).")
    purges: list[PurgeNote] = Field(
        description="Operators' purges of events (`lmi events purge`) that touched these periods: the figures lost "
        "those events. `events` is published as counts are."
    )


class FunnelStepOut(BaseModel):
    step: Literal["searched", "saw_programs", "clicked", "inquired_or_referred"]
    sessions: int | None
    share_of_previous: float | None
    share_of_first: float | None


class FunnelOut(BaseModel):
    disclosure: DisclosureOut
    period: PeriodOut
    steps: list[FunnelStepOut]
    purges: list[PurgeNote] = Field(description="Operators' purges of events that touched the period.")
