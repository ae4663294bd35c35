"""Ranking on small hand-built snapshots: filters are exact, one institution cannot fill the first
ten, French requests prefer French courses over equal English ones, the gap drives the order, and
the same input gives the same output."""

import dataclasses

import numpy as np
import pytest

from recommendations import ranking
from recommendations.catalog_snapshot import CatalogSnapshot, CourseEntry, Link
from recommendations.ranking import Filters, rank_courses

DIMENSION = 4
OCCUPATION = np.array([1.0, 0.0, 0.0, 0.0], dtype=np.float32)
DESCRIPTORS = ["oasis:knowledge:Accounting", "oasis:knowledge:Law"]


def course(key: str, institution: int = 1, **fields: object) -> CourseEntry:
    base = CourseEntry(
        key=key,
        course_id=key.split(":")[1],
        title=key,
        url=f"https://example.ca/{key}",
        url_derived=False,
        institution_id=institution,
        institution_slug=f"inst{institution}",
        institution_name=f"Institution {institution}",
        provider=None,
        language="en",
        delivery_mode="online",
        region=None,
        cost_cad=None,
        duration_hours=None,
        credential=None,
        financial_aid=(),
    )
    return dataclasses.replace(base, **fields)  # type: ignore[arg-type]


def snapshot(
    courses: list[CourseEntry], similarity: list[float], coverage: list[list[float]] | None = None
) -> CatalogSnapshot:
    """Courses whose cosine with the occupation is `similarity`, padded with 300 unrelated ones so
    that the relevant ones stand out (the text part is a z-score over all courses)."""
    filler = [course(f"filler:{n}", institution=99) for n in range(300)]
    vectors = []
    for cosine in [*similarity, *([0.0] * len(filler))]:
        vectors.append([cosine, float(np.sqrt(1 - cosine**2)), 0.0, 0.0])
    cover = np.zeros((len(courses) + len(filler), len(DESCRIPTORS)), dtype=np.float32)
    if coverage:
        cover[: len(coverage)] = coverage
    return CatalogSnapshot((), [*courses, *filler], np.array(vectors, dtype=np.float32), cover, {}, DESCRIPTORS)


def keys(ranked: list, snap: CatalogSnapshot) -> list[str]:
    return [snap.courses[item.row].key for item in ranked]


def test_unrelated_courses_are_not_recommended() -> None:
    snap = snapshot([course("a:1"), course("a:2")], [0.95, 0.9])
    ranked = rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0)
    assert keys(ranked, snap) == ["a:1", "a:2"]


def test_filters_are_exact_and_unknown_values_do_not_pass() -> None:
    courses = [
        course("a:cheap", cost_cad=100.0, duration_hours=10.0, credential="certificate", financial_aid=("OSAP",)),
        course("a:dear", cost_cad=900.0, duration_hours=10.0, credential="certificate"),
        course("a:unknown-cost"),
        course("a:fr", language="fr", cost_cad=50.0, delivery_mode="in_person"),
    ]
    snap = snapshot(courses, [0.95, 0.94, 0.93, 0.92])

    def ranked(filters: Filters) -> list[str]:
        return keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", filters, 10, 1.0), snap)

    assert ranked(Filters(max_cost_cad=500)) == ["a:cheap", "a:fr"]
    assert ranked(Filters(max_duration_hours=10)) == ["a:cheap", "a:dear"]
    assert ranked(Filters(language="fr")) == ["a:fr"]
    assert ranked(Filters(delivery_mode="in_person")) == ["a:fr"]
    assert ranked(Filters(credential="certificate")) == ["a:cheap", "a:dear"]
    assert ranked(Filters(financial_aid="osap")) == ["a:cheap"]


def test_no_institution_takes_more_than_its_share_of_the_first_ten() -> None:
    courses = [course(f"big:{n}", institution=1) for n in range(12)] + [
        course(f"small:{n}", institution=2) for n in range(8)
    ]
    similarity = [0.99 - n * 0.001 for n in range(12)] + [0.97 - n * 0.001 for n in range(8)]
    snap = snapshot(courses, similarity)
    ranked = keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 20, 0.5), snap)
    first_ten = ranked[:10]
    assert sum(key.startswith("big:") for key in first_ten) == 5
    assert first_ten[:5] == [f"big:{n}" for n in range(5)]
    assert ranked[10:15] == [f"big:{n}" for n in range(5, 10)]  # after a full first ten, in their order
    only_one = snapshot([course(f"big:{n}") for n in range(12)], [0.99 - n * 0.001 for n in range(12)])
    assert len(rank_courses(only_one, OCCUPATION, "11100", {}, "en", Filters(), 10, 0.3)) == 3


def test_a_french_request_ranks_a_french_course_above_an_equal_english_one() -> None:
    snap = snapshot([course("a:en"), course("a:fr", language="fr")], [0.95, 0.95])
    assert keys(rank_courses(snap, OCCUPATION, "11100", {}, "fr", Filters(), 10, 1.0), snap) == ["a:fr", "a:en"]
    assert keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap) == ["a:en", "a:fr"]


def test_the_gap_decides_between_equally_close_courses_and_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "RELATIVE_FLOOR", 0.0)  # the course not covering the gap is kept, below
    snap = snapshot([course("a:law"), course("a:accounting")], [0.95, 0.95], [[0.0, 0.9], [0.9, 0.0]])
    gap = {"oasis:knowledge:Accounting": 0.9}
    ranked = rank_courses(snap, OCCUPATION, "11100", gap, "en", Filters(), 10, 1.0)
    assert keys(ranked, snap) == ["a:accounting", "a:law"]
    assert ranked[0].gap_covered == ["oasis:knowledge:Accounting"]
    assert ranked[1].gap_covered == []
    law_gap = rank_courses(snap, OCCUPATION, "11100", {"oasis:knowledge:Law": 0.9}, "en", Filters(), 10, 1.0)
    assert keys(law_gap, snap) == ["a:law", "a:accounting"]


def test_a_given_link_lifts_a_course_and_is_kept_as_its_evidence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ranking, "RELATIVE_FLOOR", 0.0)  # the unlinked course is kept, below
    snap = snapshot([course("a:text"), course("a:linked")], [0.95, 0.93])
    snap.links["11100"] = [Link(1, 1.0, "given", "NOC 2021 11100, given by the institution")]
    ranked = rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0)
    assert keys(ranked, snap) == ["a:linked", "a:text"]
    assert ranked[0].link is not None and ranked[0].link.source == "given"


def test_the_same_input_gives_the_same_output() -> None:
    courses = [course(f"a:{n}", institution=n % 3) for n in range(12)]
    snap = snapshot(courses, [0.99] * 12)
    first = rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 0.2)
    again = rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 0.2)
    assert first == again
    # equal scores: ties break on the course key, each institution keeping to its two places
    assert keys(first, snap) == ["a:0", "a:1", "a:10", "a:11", "a:2", "a:3"]
