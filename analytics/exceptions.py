"""Errors of the analytics domain: plain exceptions that carry what went wrong."""

import datetime as dt


class AnalyticsError(Exception):
    """Base of the domain's errors; `str(error)` is a sentence for the user."""


class UnknownLink(AnalyticsError):
    """A tracked-link token that was not signed by this service, or whose impression is gone."""

    def __init__(self) -> None:
        super().__init__(
            "This link is unknown or has expired: it was not made by this service, was altered, "
            "or its record was removed after the retention period."
        )


class InvalidPeriod(AnalyticsError):
    def __init__(self, start: dt.date, end: dt.date, reason: str):
        super().__init__(f"The period {start.isoformat()} to {end.isoformat()} is not valid: {reason}.")
        self.start = start
        self.end = end


class UnknownTarget(AnalyticsError):
    def __init__(self, target_id: int):
        super().__init__(f"No target has the id {target_id}.")
        self.target_id = target_id


class InvalidTarget(AnalyticsError):
    """A target whose measure, period or goal does not make sense."""
