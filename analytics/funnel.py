"""`GET /v1/analytics/funnel`: sessions that searched, saw programs, clicked one, then asked the
institution or were referred to it, with the share kept at each step."""

from dataclasses import dataclass

from sqlalchemy.orm import Session

from analytics.disclosure import DisclosureRule, ratio
from analytics.figures import scope_filters
from analytics.periods import Period
from analytics.queries import ROLLUPS, CountSource, Scope

STEPS = ("searched", "saw_programs", "clicked", "inquired_or_referred")


@dataclass(frozen=True)
class FunnelStep:
    step: str
    sessions: int | None
    share_of_previous: float | None
    share_of_first: float | None


def funnel(
    session: Session, window: Period, scope: Scope, rule: DisclosureRule, source: CountSource = ROLLUPS
) -> list[FunnelStep]:
    """The steps from the whole period's sessions for an admin, from the day cells for the others (a
    session is counted in each day it acted)."""
    daily = source.funnel_counts(session, window, scope, by_day=not rule.exact)
    filters = scope_filters(scope)
    published = [
        None
        if scope.institution_id is not None and step == "searched"
        else rule.published(
            f"funnel_{step}", {day: getattr(counts, step) or 0 for day, counts in daily.items()}, filters
        )
        for step in STEPS
    ]
    return [
        FunnelStep(
            step,
            value,
            ratio(value, published[index - 1]) if index else None,
            ratio(value, published[0]) if index else None,
        )
        for index, (step, value) in enumerate(zip(STEPS, published, strict=True))
    ]
