"""The response language: the `lang` parameter, else the `Accept-Language` header, else English."""

from typing import Annotated, Literal

from fastapi import Header, Query

Language = Literal["en", "fr"]
SUPPORTED: tuple[Language, ...] = ("en", "fr")


def negotiate_language(accept_language: str | None) -> Language:
    """The supported language the header prefers most (``fr-CA,fr;q=0.9,en;q=0.8`` → ``fr``)."""
    best: tuple[float, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        if primary not in SUPPORTED:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if quality <= 0:
            continue
        candidate = (quality - position * 1e-6, primary)
        if best is None or candidate[0] > best[0]:
            best = candidate  # type: ignore[assignment]
    return best[1] if best else "en"


def response_language(
    lang: Annotated[Language | None, Query(description="Response language; overrides Accept-Language.")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Language:
    return lang or negotiate_language(accept_language)
