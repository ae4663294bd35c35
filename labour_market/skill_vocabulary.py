"""The canonical skills that course tags are normalized to, and the occupations' skill profiles.

Two vocabularies: the OaSIS descriptors (skills, knowledge, abilities, work activities), which
rate every NOC unit group and so can drive a person's skill gap, and the ESCO skills, 13,939
fine-grained skills that name what a course teaches more precisely but rate no Canadian
occupation. Everything is returned as plain values for the tagging and ranking code.
"""

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.datasets import OASIS_SCALES
from labour_market.oasis_descriptor_terms import DESCRIPTOR_TERMS
from labour_market.oasis_labels_fr import OASIS_LABELS_FR
from models.occupations import JobTitle, NocClass, UnitGroupElement
from models.skills import UnitGroupRating

ESCO_SKILLS_FILE = "esco/esco_skills_en.csv"
OASIS = "oasis"
ESCO = "esco"
SHOWN_DIMENSIONS = ("skill", "knowledge")  # what a person is shown; abilities and work activities only weigh
MAX_LABEL_WORDS = 7
EMBEDDED_LABEL_WORDS = 12  # the preferred label and the first alternatives: enough to place a tag
FIRST_WORD_MIN_COUNT = 15
JOINING = frozenset(
    ["a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the", "to", "with"]
)


@dataclass(frozen=True)
class CanonicalSkill:
    id: str  # "oasis:skill:Writing" or the ESCO URI
    vocabulary: str  # OASIS or ESCO
    label_en: str
    label_fr: str | None
    text: str  # what is embedded: the label, with the ESCO alternative labels
    dimension: str | None = None  # OaSIS only

    def label(self, lang: str) -> str:
        return (self.label_fr if lang == "fr" else None) or self.label_en


@dataclass(frozen=True)
class OccupationText:
    """What a unit group is, in the words embedded to compare courses with it."""

    noc_code: str
    title_en: str
    title_fr: str
    text: str  # titles, definition and duties (English: the mirror has no French definitions or duties)
    text_fr: str  # the French title and French job titles of the unit group


def oasis_descriptors(session: Session) -> list[CanonicalSkill]:
    """Every OaSIS descriptor that rates unit groups, in a stable order."""
    rows = session.execute(select(UnitGroupRating.dimension, UnitGroupRating.descriptor).distinct()).all()
    return [
        CanonicalSkill(
            id=f"{OASIS}:{dimension}:{descriptor}",
            vocabulary=OASIS,
            label_en=descriptor,
            label_fr=OASIS_LABELS_FR.get(descriptor) if dimension in SHOWN_DIMENSIONS else None,
            text=f"{descriptor}: {DESCRIPTOR_TERMS[descriptor]}" if descriptor in DESCRIPTOR_TERMS else descriptor,
            dimension=dimension,
        )
        for dimension, descriptor in sorted(rows)
    ]


def unit_group_ratings(session: Session) -> dict[str, dict[str, float]]:
    """Each unit group's OaSIS ratings, keyed by descriptor id, scaled to 0-1."""
    ratings: dict[str, dict[str, float]] = {}
    # Columns through the session's connection, not ORM objects: 86,000 rows load ten times faster.
    rows = session.connection().execute(
        select(UnitGroupRating.noc_code, UnitGroupRating.dimension, UnitGroupRating.descriptor, UnitGroupRating.rating)
    )
    for noc_code, dimension, descriptor, rating in rows:
        low, high = OASIS_SCALES[dimension]
        ratings.setdefault(noc_code, {})[f"{OASIS}:{dimension}:{descriptor}"] = (rating - low) / (high - low)
    return ratings


def occupation_texts(session: Session, duties: int = 6, french_titles: int = 12) -> list[OccupationText]:
    """Each unit group in English (its titles, definition and first main duties) and in French (its
    title and first job titles: the mirror has no French definitions or duties)."""
    groups = session.scalars(select(NocClass).where(NocClass.level == 5).order_by(NocClass.code)).all()
    duty_rows = session.execute(
        select(UnitGroupElement.noc_code, UnitGroupElement.text)
        .where(UnitGroupElement.element_type == "Main duties", UnitGroupElement.position < duties)
        .order_by(UnitGroupElement.noc_code, UnitGroupElement.position)
    ).all()
    duties_by_code: dict[str, list[str]] = {}
    for code, text in duty_rows:
        duties_by_code.setdefault(code, []).append(text)
    titles_fr: dict[str, list[str]] = {}
    for code, title in session.execute(
        select(JobTitle.noc_code, JobTitle.title).where(JobTitle.lang == "fr").order_by(JobTitle.noc_code, JobTitle.id)
    ):
        found = titles_fr.setdefault(code, [])
        if len(found) < french_titles:
            found.append(title)
    texts = []
    for group in groups:
        parts = [group.title_en, group.title_fr or "", group.definition_en or "", *duties_by_code.get(group.code, [])]
        title_fr = group.title_fr or group.title_en
        text_fr = ". ".join([title_fr, *titles_fr.get(group.code, [])])
        texts.append(OccupationText(group.code, group.title_en, title_fr, ". ".join(p for p in parts if p), text_fr))
    return texts


def esco_skills(data_dir: Path) -> list[CanonicalSkill]:
    """The ESCO skills of the data directory (an empty list when the file is absent).

    The file joins each skill's labels and definition into one field with no separator; the
    definition is the part from its first capitalized word, and the preferred label is read off
    the start of the labels (see :func:`preferred_label`). Only the first labels are embedded.
    """
    path = data_dir / ESCO_SKILLS_FILE
    if not path.is_file():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        rows = [(row["id"], row["description"]) for row in csv.DictReader(handle)]
    first_words = _label_first_words(description for _, description in rows)
    skills = []
    for uri, description in rows:
        labels = _labels_part(description)
        skills.append(
            CanonicalSkill(
                id=uri,
                vocabulary=ESCO,
                label_en=preferred_label(labels, first_words),
                label_fr=None,
                text=" ".join(labels.split()[:EMBEDDED_LABEL_WORDS]),
            )
        )
    return skills


def _labels_part(description: str) -> str:
    """The labels before the definition: the words up to the first one that starts a sentence."""
    words = description.split()
    for position in range(1, len(words)):
        if words[position][:1].isupper() and not words[position - 1].startswith("("):
            return " ".join(words[:position])
    return " ".join(words[:MAX_LABEL_WORDS])


def _label_first_words(descriptions: Iterable[str]) -> frozenset[str]:
    """Words that begin some skill's labels ("manage", "apply", "tend"): where another label starts."""
    counts: dict[str, int] = {}
    for description in descriptions:
        first = description.split(maxsplit=1)[0].lower() if description.strip() else ""
        counts[first] = counts.get(first, 0) + 1
    return frozenset(
        word
        for word, count in counts.items()
        if count >= FIRST_WORD_MIN_COUNT and word.isalpha() and word not in JOINING
    )


def preferred_label(labels: str, first_words: frozenset[str]) -> str:
    """The first label of a run of labels, within MAX_LABEL_WORDS words. It ends before a word
    that repeats the first one, inflected or not ("carry out … | carrying out …"), or one of its
    other words ("operate rubber mixing machine | rubber mixing …"), or a word that begins many
    labels ("manage musical staff | coordinate duties …"), or after a closing bracket; never
    after a joining word ("bilge and")."""
    words = labels.split()
    stem = words[0][:5].lower() if words else ""
    for position in range(1, min(len(words), MAX_LABEL_WORDS + 1)):
        before = [word.lower() for word in words[:position]]
        if before[-1] in JOINING:
            continue
        word = words[position].lower()
        if (
            before[-1].endswith(")")
            or (len(stem) >= 4 and word.startswith(stem))
            or (position >= 2 and (word in first_words or word in before))
        ):
            return " ".join(words[:position])
    return " ".join(words[:MAX_LABEL_WORDS])
