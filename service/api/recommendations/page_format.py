"""Numbers, money and percentages as each language writes them (Babel's Canadian locales): `$45.50`
and `12%` in English, `45,50 $` and `12 %` in French, with the non-breaking spaces French typography
puts before `$` and `%` and between groups of digits."""

from babel.core import Locale
from babel.numbers import format_currency, format_decimal, format_percent, get_currency_precision

from service.api.recommendations.page_text import PageLanguage

LOCALES: dict[PageLanguage, str] = {"en": "en_CA", "fr": "fr_CA"}
CURRENCY = "CAD"


def number(value: float, lang: PageLanguage) -> str:
    """A count, rounded to a whole number: `27,900` or `27 900`."""
    return format_decimal(round(value), locale=LOCALES[lang])


def money(value: float, lang: PageLanguage, *, cents: bool = True) -> str:
    """An amount in Canadian dollars, with cents (wages by the hour) or without (yearly pay, prices)."""
    locale = LOCALES[lang]
    if cents:
        return format_currency(value, CURRENCY, locale=locale)
    pattern = Locale.parse(locale).currency_formats["standard"].pattern
    whole = pattern.replace("." + "0" * get_currency_precision(CURRENCY), "")
    return format_currency(round(value), CURRENCY, format=whole, locale=locale, currency_digits=False)


def percent(share: float, lang: PageLanguage) -> str:
    """A share (0.12) as a whole percentage: `12%` or `12 %`."""
    return format_percent(share, locale=LOCALES[lang])
