"""Errors of the careers domain: plain exceptions that carry what went wrong."""


class CareersError(Exception):
    """Base of the domain's errors; `str(error)` is a sentence for the user."""


class NoSkillsGiven(CareersError):
    """Neither a list of skills nor a text in which any skill could be read."""

    def __init__(self, text: str | None):
        super().__init__(
            "No skill could be read: give `skills` (a list of 1 to 50) or a `text` with at least one skill "
            "in it (separated by commas, semicolons or line breaks)."
        )
        self.text = text
