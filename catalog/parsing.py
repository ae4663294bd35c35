"""Costs and durations as course listings write them, read as numbers: pure functions, which a column
mapping names with ``"parse"`` (see `catalog.mapping`).

* `parse_cost_cad`: ``FREE-Add a Verified Certificate for $49 USD`` → 67.12. The figure stored is the
  most a person pays as the listing states it: the certificate's price where the course itself is
  free to follow (edX's audit track), 0 where only "free" is said. US dollars are converted at the
  fixed rate `USD_TO_CAD`.
* `parse_duration_hours`: the most hours a course may take as the listing states it, from the upper
  bound of each range: ``3–5 hours per week | 6 Weeks`` → 30, ``Less Than 2 Hours`` → 2, and a length
  alone (``1 - 4 Weeks``, ``8 months``, ``2 years``) at the ``hours_per_week`` the mapping states for
  the catalog (none stated: unknown).

Text these functions cannot read gives None: the course then has no value, and a recommendation
filter on that value leaves it out.
"""

import re
import unicodedata

USD_TO_CAD = 1.3698  # Bank of Canada, annual average exchange rate for 2024 (Canadian dollars per US dollar)
WEEKS_PER_MONTH = 52 / 12
MONTHS_PER_YEAR = 8  # a year of study is an academic year, September to April (two terms)
MONTHS_PER_TERM = 4  # a term, semester or session: September to December, January to April
MAX_HOURS_PER_WEEK = 7 * 24

_DASHES = str.maketrans({"–": "-", "—": "-", "‑": "-", "−": "-", "\u00a0": " ", "\u202f": " "})
_NUMBER = r"\d+(?:[.,]\d+)?"
_QUANTITY = re.compile(
    rf"(?P<low>{_NUMBER})(?:\s*(?:-|to|à)\s*(?P<high>{_NUMBER}))?\s*"
    r"(?P<unit>hours?|hrs?|heures?|h|weeks?|wks?|semaines?|months?|mois|years?|yrs?|années?|annees?|ans?"
    r"|terms?|semesters?|sessions?|trimestres?)\b"
    r"(?:\s*(?:/|per\b|a\b|an\b|par\b|each\b|every\b)\s*(?P<per>weeks?|wk|semaines?|sem|days?|jours?|months?|mois)\b)?"
)
_WEEKS_PER_UNIT = (  # by how the unit starts
    (("w", "semaine"), 1.0),
    (("m",), WEEKS_PER_MONTH),
    (("y", "an"), MONTHS_PER_YEAR * WEEKS_PER_MONTH),
    (("t", "semester", "session"), MONTHS_PER_TERM * WEEKS_PER_MONTH),
)
_AMOUNT = re.compile(
    r"(?P<before>\b(?:us|ca|can|c)\s?\$|\$|\busd|\bcad)?\s*"
    r"(?P<number>\d{1,3}(?:[ ,.]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?)"
    r"(?P<after>\s*\$(?:\s?(?:usd|us|cad|can|ca)\b)?|\s*(?:usd|cad|dollars?)\b)?"
)
_PLAIN_AMOUNT = re.compile(r"\s*\d[\d ,.]*\s*")
_SAYS_USD = re.compile(r"\busd\b|\bus\s?\$")
_FREE = re.compile(r"\bfree\b|\bgratuit|\bno cost\b|\bsans frais\b")


def parse_cost_cad(text: str) -> float | None:
    """The most a person pays, in Canadian dollars to the cent, or None when the text names no price.

    Amounts need a currency sign or code (``$49``, ``49 USD``, ``1 250,50 $``) unless the text is only a
    number; an amount is in US dollars when it or the text says so (``USD``, ``US$``), and is then
    converted at `USD_TO_CAD`. "Free" (« gratuit ») with no amount is 0.
    """
    folded = _fold(text)
    amounts: list[float] = []
    if _PLAIN_AMOUNT.fullmatch(folded):
        value = _decimal(folded.strip())
        return round(value, 2) if value is not None else None
    text_in_usd = bool(_SAYS_USD.search(folded))
    for match in _AMOUNT.finditer(folded):
        marks = f"{match['before'] or ''} {match['after'] or ''}"
        if not marks.strip():
            continue
        value = _decimal(match["number"])
        if value is None:
            continue
        in_usd = "us" in marks or (text_in_usd and "c" not in marks)
        amounts.append(value * USD_TO_CAD if in_usd else value)
    if amounts:
        return round(max(amounts), 2)
    return 0.0 if _FREE.search(folded) else None


def parse_duration_hours(text: str, hours_per_week: float | None = None) -> float | None:
    """The most hours the course may take, to a tenth of an hour, or None when the text does not say.

    Total hours win (``Less Than 2 Hours`` → 2); else a length (weeks; a month is 52/12 weeks; a year
    `MONTHS_PER_YEAR` months; a term `MONTHS_PER_TERM` months) times a pace in hours per week, the
    text's (``3–5 hours per week``) or else `hours_per_week`. Ranges count at their upper bound.
    """
    totals: list[float] = []
    paces: list[float] = []
    lengths: list[float] = []
    for match in _QUANTITY.finditer(_fold(text)):
        amount = _decimal(match["high"] or match["low"])
        if amount is None:
            continue
        unit, per = match["unit"], match["per"]
        if unit.startswith("h"):
            if per is None:
                totals.append(amount)
            elif per.startswith(("w", "s")):
                paces.append(amount)
            elif per.startswith("m"):
                paces.append(amount / WEEKS_PER_MONTH)
        elif per is None:
            lengths.append(amount * _weeks_per(unit))
    if totals:
        return round(max(totals), 1)
    pace = max(paces) if paces else hours_per_week
    if not lengths or pace is None:
        return None
    return round(max(lengths) * pace, 1)


def _weeks_per(unit: str) -> float:
    return next(weeks for starts, weeks in _WEEKS_PER_UNIT if unit.startswith(starts))


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).translate(_DASHES).casefold()


def _decimal(number: str) -> float | None:
    """``1,250`` and ``1 250`` and ``1.250,50`` and ``49.99`` and ``1,5``: the last separator followed by one or
    two digits is the decimal mark; the others group thousands."""
    digits = number.replace(" ", "")
    head, mark, tail = max(digits.rpartition(","), digits.rpartition("."), key=lambda parts: len(parts[0]))
    if mark and len(tail) <= 2:
        whole = head.replace(",", "").replace(".", "")
        digits = f"{whole}.{tail}"
    else:
        digits = digits.replace(",", "").replace(".", "")
    try:
        return float(digits)
    except ValueError:
        return None
