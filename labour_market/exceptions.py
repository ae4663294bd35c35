"""Errors of the labour-market reference domain, as RFC 9457 problems."""

from service.problems import ProblemError


class OccupationNotFound(ProblemError):
    status = 404
    problem_type = "unknown-occupation"
    title = "Unknown occupation"


class CrosswalkCodeNotFound(ProblemError):
    status = 404
    problem_type = "unknown-crosswalk-code"
    title = "Code not in the NOC 2016–2021 concordance"


class UnknownRegion(ProblemError):
    status = 422
    problem_type = "unknown-region"
    title = "Unknown region"
