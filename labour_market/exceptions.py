"""Errors of the labour-market reference domain: plain exceptions that carry what went wrong.

The message says it in words; the attributes let a caller (the HTTP edge) add links and hints.
"""

from typing import Literal

Classification = Literal["noc2016", "noc2021"]


class LabourMarketError(Exception):
    """Base of the domain's errors; `str(error)` is a sentence for the user."""


class OccupationNotFound(LabourMarketError):
    """No NOC 2021 unit group has `code`.

    `noc2021_successors` is set when the code is a NOC 2016 unit group (its NOC 2021 successors);
    `broad_category` when it is a NOC 2021 group above the unit group (its broad category).
    """

    def __init__(
        self,
        code: str,
        message: str,
        noc2021_successors: tuple[str, ...] = (),
        broad_category: str | None = None,
    ):
        super().__init__(message)
        self.code = code
        self.noc2021_successors = noc2021_successors
        self.broad_category = broad_category


class CrosswalkCodeNotFound(LabourMarketError):
    """`code` is not a unit group of `classification` in the concordance; `looks_like` names the
    other classification when the code has its shape."""

    def __init__(self, code: str, classification: Classification, looks_like: Classification | None):
        version = "NOC 2016 V1.3" if classification == "noc2016" else "NOC 2021 V1.0"
        super().__init__(f"{code} is not a {version} unit group of the concordance.")
        self.code = code
        self.classification = classification
        self.looks_like = looks_like


class UnknownRegion(LabourMarketError):
    def __init__(self, name: str):
        super().__init__(
            f"{name!r} is not a province or economic region code; use an economic region (ER3530 or 3530), "
            "a province (ER35, 35 or ON) or Canada (ER00)."
        )
        self.name = name
