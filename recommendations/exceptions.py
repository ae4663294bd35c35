"""Errors of the recommendations domain: plain exceptions carrying their data."""


class RecommendationError(Exception):
    """Base class."""


class CatalogsUnavailable(RecommendationError):
    """Recommendations need the reference data imported and the skill space loaded."""

    def __init__(self) -> None:
        super().__init__(
            "recommendations are unavailable until the reference data is imported; run `lmi import-reference`"
        )
