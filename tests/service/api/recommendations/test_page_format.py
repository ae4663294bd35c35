"""Numbers on the public page as each language writes them."""

from service.api.recommendations.page_format import money, number, percent

NBSP = "\xa0"


def test_french_puts_the_dollar_and_percent_signs_after_a_non_breaking_space() -> None:
    assert money(45.5, "fr") == f"45,50{NBSP}$"
    assert percent(0.12, "fr") == f"12{NBSP}%"
    assert number(27900, "fr") == f"27{NBSP}900"
    assert money(62000.4, "fr", cents=False) == f"62{NBSP}000{NBSP}$"


def test_english_puts_the_dollar_sign_first() -> None:
    assert money(45.5, "en") == "$45.50"
    assert percent(0.227, "en") == "23%"
    assert number(27900.4, "en") == "27,900"
    assert money(1000, "en", cents=False) == "$1,000"
