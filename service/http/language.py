"""The response language: the `lang` parameter, else the `Accept-Language` header, else English."""

import re
from typing import Annotated

from fastapi import Depends, Header, Query

from labour_market.language import LANGUAGES, Language

# RFC 9110 §12.4.2: a weight is 0 to 1 with at most three decimals; anything else is not a weight.
QUALITY = re.compile(r"0(\.[0-9]{0,3})?|1(\.0{0,3})?")


def negotiate_language(accept_language: str | None) -> Language:
    """The supported language the header prefers most (``fr-CA,fr;q=0.9,en;q=0.8`` → ``fr``).

    A range whose weight is not a valid weight (``fr;q=nan``, ``fr;q=2``) is ignored.
    """
    best: tuple[float, Language] | None = None
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, params = part.strip().partition(";")
        primary = tag.strip().lower().split("-")[0]
        language = next((supported for supported in LANGUAGES if supported == primary), None)
        if language is None:
            continue
        quality = 1.0
        for param in params.split(";"):
            name, _, value = param.strip().partition("=")
            if name.lower() == "q":
                quality = float(value) if QUALITY.fullmatch(value.strip()) else 0.0
        if quality <= 0:
            continue
        candidate = (quality - position * 1e-6, language)
        if best is None or candidate[0] > best[0]:
            best = candidate
    return best[1] if best else "en"


def response_language(
    lang: Annotated[Language | None, Query(description="Response language; overrides Accept-Language.")] = None,
    accept_language: Annotated[str | None, Header()] = None,
) -> Language:
    return lang or negotiate_language(accept_language)


ResponseLanguage = Annotated[Language, Depends(response_language)]
