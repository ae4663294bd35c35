"""The two languages of the reference data, and picking the text of one of them."""

from typing import Literal

Language = Literal["en", "fr"]
LANGUAGES: tuple[Language, ...] = ("en", "fr")


def pick(lang: Language, english: str, french: str | None) -> str:
    """The French text when French is asked for and published, else the English."""
    return french if lang == "fr" and french else english
