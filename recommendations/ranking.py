"""Ranking the courses of a catalog snapshot for one occupation and one person: pure functions.

A course's score adds three parts:

* text: how far the course stands out in similarity to the occupation's titles, definition and
  duties, in standard deviations over all courses (a course only counts from 1 SD up), mixed with
  how far it stands out in similarity to the title the person typed; it counts only when the
  occupation also stands out among all occupations for the course (a microservices course stood
  out among the courses for dental assistants, but dental assistants do not stand out for it),
  unless the course is linked;
* link: the course's link to the occupation (1 when its institution gave the code, the inferred
  link's score otherwise);
* gap: the share of the person's skill gap (the occupation's important descriptors they lack,
  weighted by how much the occupation needs them) that the course covers.

Then: a course in the language of the request gains a little (a French request ranks a French
course above an equal English one); filters are applied exactly; an institution's title is shown
once; courses far weaker than the first are left out, so a short list of fitting programs is not
padded with noise; no institution takes more than `max_share` of the first ten places; ties break on the course
key, so the same input always gives the same output. The constants were chosen on the tune half of
`tests/data/recommendation_judgments.csv` (see `scripts/eval_recommendations.py`).
"""

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import numpy as np

from catalog.financial_aid import canonical_aid
from catalog.linking import GIVEN
from recommendations.catalog_snapshot import CatalogSnapshot, CourseEntry, Link

TEXT_Z_FLOOR = 1.0
TEXT_Z_SPAN = 3.0
MIN_SCORE = 0.2
SAME_LANGUAGE_BONUS = 0.03
COVERS_GAP = 0.5  # coverage from which a course is said to close a gap skill
TOP_PLACES = 10
FIT_Z_FLOOR = 1.5  # an occupation must stand this far out among all occupations for a course's text to count
QUERY_SHARE = 0.3  # of the text part: the title as typed, against the occupation's texts
RELATIVE_FLOOR = 0.65  # a course scoring under this share of the best one is left out: a short list over noise


@dataclass(frozen=True)
class Weights:
    """How much each part counts; the baselines of the evaluation set some to zero."""

    text: float = 0.4
    link: float = 0.3
    gap: float = 0.3
    same_language: float = SAME_LANGUAGE_BONUS


DEFAULT_WEIGHTS = Weights()
TEXT_ONLY = Weights(text=1.0, link=0.0, gap=0.0)
SKILLS_ONLY = Weights(text=0.0, link=0.0, gap=1.0)


@dataclass(frozen=True)
class Filters:
    delivery_mode: str | None = None
    max_cost_cad: float | None = None
    max_duration_hours: float | None = None
    language: str | None = None
    credential: str | None = None
    financial_aid: str | None = None

    def admit(self, course: CourseEntry) -> bool:
        """Exact: a course whose value is unknown does not pass a filter on that value. Aid is named as
        catalogs store it (« RAFEO » is OSAP)."""
        return (
            (self.delivery_mode is None or course.delivery_mode == self.delivery_mode)
            and (self.max_cost_cad is None or (course.cost_cad is not None and course.cost_cad <= self.max_cost_cad))
            and (
                self.max_duration_hours is None
                or (course.duration_hours is not None and course.duration_hours <= self.max_duration_hours)
            )
            and (self.language is None or course.language == self.language)
            and (self.credential is None or course.credential == self.credential)
            and (
                self.financial_aid is None
                or any(aid.casefold() == canonical_aid(self.financial_aid).casefold() for aid in course.financial_aid)
            )
        )


@dataclass(frozen=True)
class RankedCourse:
    row: int
    score: float
    text: float
    link: Link | None
    gap_covered: list[str] = field(default_factory=list)  # descriptor ids, most needed first


def rank_courses(
    snapshot: CatalogSnapshot,
    occupation_vectors: np.ndarray,
    noc_code: str,
    gap: Mapping[str, float],
    lang: str,
    filters: Filters,
    limit: int,
    max_share: float,
    weights: Weights = DEFAULT_WEIGHTS,
    fit: np.ndarray | None = None,
    query_vector: np.ndarray | None = None,
    relative_floor: float | None = None,
) -> list[RankedCourse]:
    """`fit`: for each course, how far this occupation stands out among all occupations in similarity to
    the course, in standard deviations (see `catalog_snapshot.occupation_fit`); a course for which this
    occupation does not stand out only shares a few words with it and is left out unless it is linked
    to the occupation. `query_vector`, the title as
    the person typed it, embedded: how far a course stands out in similarity to it makes
    `QUERY_SHARE` of the text part of a course already close to the occupation (a pastry cook and a
    baker share a unit group, not their programs). `relative_floor` (default `RELATIVE_FLOOR`; 0 keeps
    every candidate, as the learning arm's pool does)."""
    if not snapshot.courses:
        return []
    text = _text_part(np.max(snapshot.vectors @ np.atleast_2d(occupation_vectors).T, axis=1), snapshot.tagged)
    links = {link.row: link for link in snapshot.links.get(noc_code, [])}
    link_part = np.zeros(len(snapshot.courses), dtype=np.float32)
    given = np.zeros(len(snapshot.courses), dtype=bool)
    for row, link in links.items():
        link_part[row] = link.score
        given[row] = link.source == GIVEN
    if query_vector is not None:
        query_text = _text_part(snapshot.vectors @ query_vector, snapshot.tagged)
        text = np.where(text > 0, QUERY_SHARE * query_text + (1 - QUERY_SHARE) * text, 0.0)
    if fit is not None:
        text = text * ((fit >= FIT_Z_FLOOR) | (link_part > 0))
    gap_columns = [(snapshot.descriptor_columns[d], d, w) for d, w in gap.items() if d in snapshot.descriptor_columns]
    gap_total = sum(weight for _, _, weight in gap_columns)
    gap_part = np.zeros(len(snapshot.courses), dtype=np.float32)
    if gap_total:
        columns = [column for column, _, _ in gap_columns]
        needs = np.array([weight for _, _, weight in gap_columns], dtype=np.float32)
        gap_part = (snapshot.coverage[:, columns] @ needs) / gap_total
    relevant = (text > 0) | (link_part > 0) if weights.text or weights.link else gap_part > 0
    language = snapshot.languages == lang
    scores = weights.text * text + weights.link * link_part + weights.gap * gap_part * relevant
    scores = scores + weights.same_language * language * relevant
    floor = MIN_SCORE * (weights.text + weights.link + weights.gap)
    candidates = [
        int(row) for row in np.flatnonzero(relevant & (scores >= floor)) if filters.admit(snapshot.courses[int(row)])
    ]
    candidates.sort(key=lambda row: (-round(float(scores[row]), 6), snapshot.courses[row].key))
    least = RELATIVE_FLOOR if relative_floor is None else relative_floor
    candidates = _without_weak(candidates, scores - weights.link * link_part * given, least)
    chosen = _capped(snapshot, _distinct_titles(snapshot, candidates), limit, max_share)
    return [
        RankedCourse(
            row,
            round(float(scores[row]), 4),
            round(float(text[row]), 4),
            links.get(row),
            [
                descriptor
                for column, descriptor, _ in sorted(gap_columns, key=lambda item: -item[2])
                if snapshot.coverage[row, column] >= COVERS_GAP
            ],
        )
        for row in chosen
    ]


def _without_weak(ordered: list[int], content: np.ndarray, relative_floor: float) -> list[int]:
    """The courses whose score, but for a link their institution gave, reaches `relative_floor` of the
    best such score: an institution's own link lifts its program to the top without pushing the
    programs that are as close to the occupation out of the list."""
    if not ordered:
        return ordered
    least = relative_floor * max(float(content[row]) for row in ordered)
    return [row for row in ordered if content[row] >= least]


def _distinct_titles(snapshot: CatalogSnapshot, ordered: list[int]) -> list[int]:
    """The best-placed course of each title of each institution: a catalog lists one course several
    times (other sessions, other providers), and a person should see it once; two colleges' programs
    of one name are two programs."""
    seen: set[tuple[int, str]] = set()
    distinct = []
    for row in ordered:
        course = snapshot.courses[row]
        title = (course.institution_id, " ".join(course.title.casefold().split()))
        if title not in seen:
            seen.add(title)
            distinct.append(row)
    return distinct


def _text_part(similarity: np.ndarray, tagged: np.ndarray) -> np.ndarray:
    """How far each course stands out, in standard deviations over the tagged courses (a course not
    tagged yet has no vector and does not count), as 0-1."""
    part = np.zeros_like(similarity, dtype=np.float32)
    if tagged.sum() < 2 or similarity[tagged].std() == 0:
        return part
    z_scores = (similarity - similarity[tagged].mean()) / similarity[tagged].std()
    part[tagged] = np.clip((z_scores[tagged] - TEXT_Z_FLOOR) / TEXT_Z_SPAN, 0.0, 1.0)
    return part


def _capped(snapshot: CatalogSnapshot, ordered: list[int], limit: int, max_share: float) -> list[int]:
    """The first `limit` rows such that no institution holds more than `max_share` of the first ten
    places. Courses over the cap come only after a full first ten; with too few other courses the
    answer is shorter rather than over the cap."""
    cap = max(1, math.floor(max_share * TOP_PLACES + 1e-9))
    chosen: list[int] = []
    deferred: list[int] = []
    per_institution: dict[int, int] = {}
    for row in ordered:
        if len(chosen) >= min(limit, TOP_PLACES):
            deferred.append(row)
            continue
        institution = snapshot.courses[row].institution_id
        if per_institution.get(institution, 0) >= cap:
            deferred.append(row)
            continue
        per_institution[institution] = per_institution.get(institution, 0) + 1
        chosen.append(row)
    if len(chosen) == TOP_PLACES:
        chosen.extend(deferred[: limit - len(chosen)])
    return chosen
