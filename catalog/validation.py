"""Checking one mapped row of a catalog: every problem is reported with its line, column and reason.

Cells are kept as the text given (a cell starting with ``=``, ``+``, ``-`` or ``@`` is text, never
a formula); lists are split on ``;`` (on ``,`` when a cell has no ``;``); numbers, codes, regions,
dates and URLs are checked; financial aid names are made canonical (« RAFEO » is stored as OSAP).
"""

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from catalog.fields import (
    CREDENTIALS,
    DELIVERY_MODES,
    LANGUAGES,
    LIST_SEPARATOR,
    MAX_LENGTHS,
    REQUIRED,
    CourseRecord,
    RowError,
)
from catalog.financial_aid import canonical_aids
from catalog.mapping import FieldSource

LANGUAGE_NAMES = {
    "en": "en", "eng": "en", "english": "en", "anglais": "en",
    "fr": "fr", "fra": "fr", "fre": "fr", "french": "fr", "français": "fr", "francais": "fr",
}  # fmt: skip
DELIVERY_NAMES = {
    "online": "online", "on-line": "online", "en ligne": "online", "virtual": "online", "distance": "online",
    "in_person": "in_person", "in person": "in_person", "in-person": "in_person", "on campus": "in_person",
    "en personne": "in_person", "présentiel": "in_person", "en présentiel": "in_person",
    "hybrid": "hybrid", "hybride": "hybrid", "blended": "hybrid",
}  # fmt: skip
CREDENTIAL_NAMES = {name: name for name in CREDENTIALS} | {
    "microcredential": "micro-credential", "micro credential": "micro-credential",
    "microcertification": "micro-credential", "certificat": "certificate", "diplôme": "diploma",
    "diplome": "diploma", "grade": "degree", "cours": "course",
}  # fmt: skip
NOC_CODE = re.compile(r"[0-9]{4,5}")
NUMBER = re.compile(r"\$?\s*([0-9]+(?:[.,][0-9]+)?)\s*\$?")


@dataclass(frozen=True)
class ReferenceCodes:
    """What codes a catalog may name: NOC 2021 unit groups, NOC 2016 codes of the concordance, and
    every accepted spelling of a region (ER3530, 3530, ON, 35, ER35, CA…) with its region code."""

    unit_groups: frozenset[str]
    noc2016_successors: Mapping[str, tuple[str, ...]]  # NOC 2016 code → its NOC 2021 unit groups
    regions: Mapping[str, str]


def split_list(text: str) -> list[str]:
    separator = LIST_SEPARATOR if LIST_SEPARATOR in text else ","
    return [part.strip() for part in text.split(separator) if part.strip()]


class _Row:
    """Collects the values and the problems of one row."""

    def __init__(self, line: int, cells: Mapping[str, str], sources: Mapping[str, FieldSource]):
        self.line = line
        self.cells = cells
        self.sources = sources
        self.errors: list[RowError] = []

    def text(self, name: str) -> str | None:
        source = self.sources.get(name)
        if source is None:
            return None
        value = source.extract(self.cells, encode=name == "url")
        value = value.strip() if value is not None else None
        if value and len(value) > MAX_LENGTHS.get(name, 1000):
            self.fail(name, f"at most {MAX_LENGTHS.get(name, 1000):,} characters, not {len(value):,}")
            return None
        return value or None

    def fail(self, name: str, reason: str) -> None:
        source = self.sources.get(name)
        column = source.column if source is not None and source.column is not None else name
        self.errors.append(RowError(self.line, column, reason))

    def choice(self, name: str, names: Mapping[str, str], allowed: tuple[str, ...]) -> str | None:
        value = self.text(name)
        if value is None:
            return None
        chosen = names.get(value.lower())
        if chosen is None:
            self.fail(name, f"expected one of {', '.join(allowed)}, found {value!r}")
        return chosen

    def number(self, name: str) -> float | None:
        value = self.text(name)
        if value is None:
            return None
        match = NUMBER.fullmatch(value.replace("\u00a0", "").replace(" ", ""))
        if match is None:
            self.fail(name, f"expected a number of 0 or more, found {value!r}")
            return None
        return float(match.group(1).replace(",", "."))


def check_row(
    line: int, cells: Mapping[str, str], sources: Mapping[str, FieldSource], codes: ReferenceCodes
) -> CourseRecord | list[RowError]:
    """The checked course, or every problem of the row."""
    row = _Row(line, cells, sources)
    required = {name: row.text(name) for name in REQUIRED}
    for name, value in required.items():
        if value is None and not any(error.column == name for error in row.errors):
            row.fail(name, "a value is required")
    url = required["url"]
    if url is not None and not _is_web_link(url):
        row.fail("url", f"must be an http:// or https:// link, found {url[:80]!r}")
    noc_codes = split_list(row.text("noc_codes") or "")
    for code in noc_codes:
        known = codes.unit_groups if len(code) == 5 else codes.noc2016_successors
        if not NOC_CODE.fullmatch(code) or code not in known:
            row.fail("noc_codes", f"{code!r} is neither a NOC 2021 unit group nor a NOC 2016 code of the concordance")
    region_text = row.text("region")
    region = codes.regions.get(region_text.upper()) if region_text else None
    if region_text and region is None:
        row.fail("region", f"{region_text!r} is not a province, territory or economic region code (ON, 35, ER3530)")
    start_dates = split_list(row.text("start_dates") or "")
    for date in start_dates:
        try:
            dt.date.fromisoformat(date)
        except ValueError:
            row.fail("start_dates", f"expected dates as YYYY-MM-DD, found {date!r}")
    description = row.text("description")
    skills = split_list(row.text("skills") or "")
    language = row.choice("language", LANGUAGE_NAMES, LANGUAGES)
    delivery_mode = row.choice("delivery_mode", DELIVERY_NAMES, DELIVERY_MODES)
    duration_hours = row.number("duration_hours")
    cost_cad = row.number("cost_cad")
    credential = row.choice("credential", CREDENTIAL_NAMES, CREDENTIALS)
    provider = row.text("provider")
    financial_aid = canonical_aids(split_list(row.text("financial_aid") or ""))
    if row.errors:
        return row.errors
    assert required["course_id"] and required["title"] and url
    return CourseRecord(
        line=line,
        course_id=required["course_id"],
        title=required["title"],
        url=url,
        url_derived=sources["url"].derived,
        description=description,
        skills=skills,
        noc_codes=noc_codes,
        language=language,
        delivery_mode=delivery_mode,
        region=region,
        duration_hours=duration_hours,
        cost_cad=cost_cad,
        credential=credential,
        provider=provider,
        financial_aid=financial_aid,
        start_dates=start_dates,
    )


def _is_web_link(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and not any(c.isspace() for c in url)
