"""What the matcher searches: unit groups, their example titles (every gendered variant) and the
NOC 2016 → 2021 concordance.

Built once from plain reference rows; reading them (from the reference database, or from the
files in tests) is the caller's job, so this package needs no database.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from matching.aliases import TitleAlias, load_aliases
from matching.gender import gender_variants
from matching.query import normalize_query

# "Registered nurse (R.N.)" is also searchable as "registered nurse".
BRACKETED = re.compile(r"\s*[(\[][^)\]]*[)\]]")


ALIAS = "alias"


def _as_queried(title: str, lang: str) -> list[str]:
    """An alias as the matcher reads a query ("vet tech" → "vet technician", "UX designer" → "user
    experience designer"), when that removes none of its words as noise: aliases are written the
    way people type, abbreviations included."""
    normalized = normalize_query(title, lang)
    return [normalized.cleaned] if normalized.cleaned and not normalized.removed else []


@dataclass(frozen=True)
class UnitGroup:
    code: str
    title_en: str
    title_fr: str
    teer: int


@dataclass(frozen=True)
class IndexEntry:
    """One searchable form of a title: `folded` is a single gender variant, `title` as published."""

    noc_code: str
    lang: str
    title: str
    folded: str
    source: str  # "job_title", "unit_group_title" or "alias"


@dataclass(frozen=True)
class Lexicon:
    unit_groups: dict[str, UnitGroup]
    entries: list[IndexEntry]
    noc2016_successors: dict[str, list[str]] = field(default_factory=dict)


def build_lexicon(
    unit_groups: Iterable[UnitGroup],
    titles: Iterable[tuple[str, str, str]],
    concordance: Iterable[tuple[str, str]] = (),
    aliases: Iterable[TitleAlias] = (),
) -> Lexicon:
    """`titles` are (noc_code, lang, title); `concordance` is (noc2016_code, noc2021_code) pairs;
    `aliases` are titles people use that the index lacks (those of unknown unit groups are left out)."""
    groups = {group.code: group for group in unit_groups}
    entries: list[IndexEntry] = []
    seen: set[tuple[str, str]] = set()

    def add(noc_code: str, lang: str, title: str, source: str) -> None:
        without_brackets = BRACKETED.sub("", title).strip()
        variants = gender_variants(title)
        if without_brackets and without_brackets != title:
            variants += gender_variants(without_brackets)
        if source == ALIAS:
            variants += _as_queried(title, lang)
        for variant in variants:
            if variant and (variant, noc_code) not in seen:
                seen.add((variant, noc_code))
                entries.append(IndexEntry(noc_code, lang, title, variant, source))

    for group in groups.values():
        add(group.code, "en", group.title_en, "unit_group_title")
        add(group.code, "fr", group.title_fr, "unit_group_title")
    for noc_code, lang, title in titles:
        add(noc_code, lang, title, "job_title")
    for alias in aliases:
        if alias.noc_code in groups:
            add(alias.noc_code, alias.lang, alias.alias, ALIAS)
    successors: dict[str, list[str]] = {}
    for old, new in concordance:
        if new not in successors.setdefault(old, []):
            successors[old].append(new)
    return Lexicon(groups, entries, successors)


@dataclass(frozen=True)
class LexiconSources:
    """The reference rows a lexicon is built from, as the caller reads them from the database."""

    unit_groups: list[UnitGroup]
    titles: list[tuple[str, str, str]]  # (noc_code, lang, title)
    concordance: list[tuple[str, str]]  # (noc2016_code, noc2021_code)

    def build(self, aliases: Iterable[TitleAlias] | None = None) -> Lexicon:
        """The lexicon of these rows and the matcher's alias table (or the `aliases` given)."""
        return build_lexicon(
            self.unit_groups, self.titles, self.concordance, load_aliases() if aliases is None else aliases
        )
