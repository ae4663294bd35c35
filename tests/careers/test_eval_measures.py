"""The measures of scripts/eval_careers.py on small hand-made answers, and its judgments files."""

import math

import pytest

from scripts.eval_careers import (
    CUTOFF,
    SkillCase,
    ndcg_at,
    precision_at,
    read_move_cases,
    read_skill_cases,
    skill_hits,
)

CASE = SkillCase("en99", "en", "test", "list", ["welding"], "72106", frozenset({"72100"}), "test")


def test_skill_hits() -> None:
    assert skill_hits(CASE, ["72106", "72100"]) == {
        "first@1": 1.0,
        "acceptable@1": 1.0,
        "first@5": 1.0,
        "no_match": 0.0,
    }
    assert skill_hits(CASE, ["72100", "72106"])["first@1"] == 0.0
    assert skill_hits(CASE, ["72100", "72106"])["acceptable@1"] == 1.0
    assert skill_hits(CASE, ["1", "2", "3", "4", "5", "72106"])["first@5"] == 0.0
    assert skill_hits(CASE, [])["no_match"] == 1.0


def test_precision_and_ndcg_at_five() -> None:
    grades = {"a": 2, "b": 1, "c": 2}
    assert precision_at(grades, ["a", "x", "b", "y", "z"]) == pytest.approx(0.4)
    assert ndcg_at(grades, ["a", "c", "b"]) == pytest.approx(1.0)
    worse = ndcg_at(grades, ["b", "a", "c"])
    ideal = 2 + 2 / math.log2(3) + 1 / 2
    assert worse == pytest.approx((1 + 2 / math.log2(3) + 2 / 2) / ideal)
    assert ndcg_at({}, ["a"]) == 0.0 and CUTOFF == 5


def test_the_judgments_have_two_halves_in_both_languages_with_their_sources() -> None:
    skills, moves = read_skill_cases(), read_move_cases()
    assert len(skills) >= 80 and len(moves) >= 40
    for half in ("tune", "test"):
        for lang in ("en", "fr"):
            assert sum(c.half == half and c.lang == lang for c in skills) >= 20
        assert sum(c.half == half for c in moves) >= 20
    assert all(c.source and c.first.isdigit() and len(c.first) == 5 for c in skills)
    assert all(c.source not in c.grades and set(c.grades.values()) <= {1, 2} for c in moves)
    assert len({(c.source, c.half) for c in moves}) == len({c.source for c in moves})  # a source in one half
