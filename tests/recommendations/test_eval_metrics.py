"""The measures of scripts/eval_recommendations.py on small hand-made lists."""

import math

import pytest

from scripts.eval_recommendations import (
    Query,
    Shown,
    found_at_10,
    has_repeated_reason,
    judged_at_10,
    measure,
    ndcg_at_10,
    occupation_right,
    parse_judgments,
    percentile,
    precision_at_1,
    precision_at_10,
    precision_shown,
    repeated_titles,
    summarise,
)

GRADES = {"a": 2, "b": 1, "c": 0, "d": 2}
NOTHING_RELEVANT = {"x": 0, "y": 0}


def test_precision_at_1_looks_at_the_first_program_only() -> None:
    assert precision_at_1(["a", "c"], GRADES) == 1.0
    assert precision_at_1(["b"], GRADES) == 1.0
    assert precision_at_1(["c", "a"], GRADES) == 0.0
    assert precision_at_1(["unjudged", "a"], GRADES) == 0.0


def test_an_empty_list_is_right_only_when_nothing_is_relevant() -> None:
    assert precision_at_1([], NOTHING_RELEVANT) == 1.0
    assert precision_at_1([], {}) == 1.0
    assert precision_at_1([], GRADES) == 0.0
    assert precision_at_1(["x"], NOTHING_RELEVANT) == 0.0
    assert precision_at_1(["unjudged"], {}) == 0.0
    assert precision_shown([], NOTHING_RELEVANT) == 1.0
    assert precision_shown([], GRADES) == 0.0
    assert precision_shown(["x", "y"], NOTHING_RELEVANT) == 0.0
    assert ndcg_at_10([], NOTHING_RELEVANT) == 1.0
    assert ndcg_at_10(["x"], NOTHING_RELEVANT) == 0.0
    assert ndcg_at_10([], GRADES) == 0.0


def test_precision_at_10_divides_by_ten_and_precision_shown_by_the_list() -> None:
    short = ["a", "b", "c"]
    assert precision_at_10(short, GRADES) == pytest.approx(0.2)
    assert precision_shown(short, GRADES) == pytest.approx(2 / 3)
    long = ["a", *[f"u{i}" for i in range(10)], "d"]  # "d" is 12th: beyond the cutoff
    assert precision_at_10(long, GRADES) == pytest.approx(0.1)
    assert precision_shown(long, GRADES) == pytest.approx(0.1)
    assert precision_at_10([], GRADES) == 0.0


def test_ndcg_is_one_for_the_ideal_order_and_lower_otherwise() -> None:
    assert ndcg_at_10(["a", "d", "b", "c"], GRADES) == pytest.approx(1.0)
    ideal = 3 + 3 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_10(["b", "a"], GRADES) == pytest.approx((1 + 3 / math.log2(3)) / ideal)
    assert ndcg_at_10(["c", "unjudged"], GRADES) == 0.0


def test_found_at_10_is_capped_by_the_number_of_relevant_programs() -> None:
    assert found_at_10(["a", "c"], GRADES) == pytest.approx(1 / 3)
    assert found_at_10(["a", "a", "b"], GRADES) == pytest.approx(2 / 3)  # a repeat is found once
    many = {f"r{i}": 1 for i in range(15)}
    assert found_at_10([f"r{i}" for i in range(10)], many) == 1.0
    assert found_at_10(["a"], NOTHING_RELEVANT) is None


def test_judged_at_10_is_the_share_of_the_shown_programs() -> None:
    assert judged_at_10(["a", "c", "unjudged", "other"], GRADES) == 0.5
    assert judged_at_10([], GRADES) == 1.0


def test_titles_repeat_when_equal_after_casefolding_and_spacing() -> None:
    assert repeated_titles(["Welding", "welding ", "WELDING  Basics", "welding basics", "Cooking"]) == 2
    assert repeated_titles(["Straße", "STRASSE"]) == 1  # casefold, not lower
    assert repeated_titles(["Welding I", "Welding II"]) == 0
    assert repeated_titles([]) == 0


def test_reasons_repeat_only_when_identical() -> None:
    assert has_repeated_reason(["Covers welding.", "Covers cooking.", "Covers welding."])
    assert not has_repeated_reason(["Covers welding.", "Covers welding and cutting."])
    assert not has_repeated_reason([])


def test_occupation_right_compares_codes_and_no_match() -> None:
    assert occupation_right("33102", "33102")
    assert not occupation_right("33102", "44101")
    assert not occupation_right("33102", "")
    assert occupation_right("none", "")
    assert not occupation_right("", "33102")


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 0.5) == 50.0
    assert percentile(values, 0.99) == 99.0
    assert percentile([7.0, 3.0], 0.99) == 7.0
    assert percentile([4.0], 0.5) == 4.0


def test_measure_and_summarise_a_list_with_a_duplicate() -> None:
    query = Query("welder", "en", "test", "72106", {"w1": 2, "w2": 1, "c1": 0})
    programs = [
        Shown("w1", "Welding", "College A", "Covers welding."),
        Shown("w2", "welding", "College B", "Covers welding."),
        Shown("c1", "Cooking", "College A", "Covers cooking."),
    ]
    one = measure(query, programs, "72106")
    assert (one.precision_at_1, one.length, one.repeated_titles, one.repeated_reason) == (1.0, 3, 1, True)
    assert one.precision_shown == pytest.approx(2 / 3)
    assert one.occupation_right
    empty = measure(Query("nonsense", "fr", "test", "none", {}), [], "")
    assert (empty.precision_at_1, empty.precision_shown, empty.found_at_10) == (1.0, 1.0, None)
    summary = summarise([one, empty])
    assert summary.queries == 2
    assert summary.precision_shown == pytest.approx((2 / 3 + 1) / 2)
    assert summary.found_at_10 == 1.0  # over the one query with relevant programs
    assert (summary.lists_with_repeated_title, summary.repeated_titles, summary.lists_with_repeated_reason) == (1, 1, 1)
    assert summary.mean_length == 1.5
    assert summary.occupation_right == 1.0


def test_judgments_without_a_half_column_are_all_tune() -> None:
    rows = [
        {"query": "PSW", "lang": "en", "noc_code": "33102", "course": "viu:217", "grade": "2", "note": ""},
        {"query": "PSW", "lang": "en", "noc_code": "33102", "course": "edx:x", "grade": "0", "note": ""},
        {"query": "comptable", "lang": "fr", "noc_code": "11100", "course": "viu:1", "grade": "1", "note": ""},
    ]
    queries = parse_judgments(rows)
    assert [(q.text, q.half, q.grades) for q in queries] == [
        ("PSW", "tune", {"viu:217": 2, "edx:x": 0}),
        ("comptable", "tune", {"viu:1": 1}),
    ]


def test_judgments_with_halves_keep_file_order_and_reject_unknown_halves() -> None:
    rows = [
        {"query": "soudeur", "lang": "fr", "half": "test", "noc_code": "72106", "course": "a", "grade": "2"},
        {"query": "PSW", "lang": "en", "half": "tune", "noc_code": "33102", "course": "b", "grade": "1"},
        {"query": "asdfgh", "lang": "en", "half": "test", "noc_code": "none", "course": "", "grade": ""},
    ]
    queries = parse_judgments(rows)
    assert [(q.text, q.half) for q in queries] == [("soudeur", "test"), ("PSW", "tune"), ("asdfgh", "test")]
    assert queries[2].grades == {}
    with pytest.raises(ValueError, match="half"):
        parse_judgments([{**rows[0], "half": "train"}])
