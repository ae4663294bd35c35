"""Small-cell suppression and rounding: what an analyst's key may see."""

from analytics.disclosure import DisclosureRule, publish_column, ratio, relative_change

RULE = DisclosureRule(exact=False, min_count=10, round_to=5)


def test_counts_under_ten_are_suppressed_and_the_others_rounded_to_five() -> None:
    assert [RULE.count(value) for value in (0, 1, 9, 10, 12, 13, 1234)] == [0, None, None, 10, 10, 15, 1235]


def test_a_lone_suppressed_cell_takes_the_smallest_other_cell_with_it() -> None:
    # Without the second suppression, 47 - (22 + 18) would give the hidden 7 back.
    values = [22, 7, 18]
    published = publish_column(values, RULE)
    assert published == [20, None, None]
    total = sum(values)
    # What a reader can bound the hidden cells by: their sum, not each one.
    assert RULE.count(total) == 45


def test_two_small_cells_need_no_more_suppression_and_zeros_stay() -> None:
    assert publish_column([3, 4, 50, 0], RULE) == [None, None, 50, 0]
    assert publish_column([0, 0, 50], RULE) == [0, 0, 50]


def test_the_admin_rule_is_exact() -> None:
    exact = DisclosureRule(exact=True)
    assert publish_column([22, 7, 18], exact) == [22, 7, 18]
    assert exact.count(3) == 3 and exact.name == "exact"
    assert RULE.name == "suppressed-under-10-rounded-to-5"


def test_the_thresholds_are_configurable() -> None:
    strict = DisclosureRule(exact=False, min_count=20, round_to=10)
    assert [strict.count(value) for value in (19, 20, 24, 25)] == [None, 20, 20, 30]


def test_rates_and_changes_need_both_figures() -> None:
    assert ratio(5, 20) == 0.25 and ratio(None, 20) is None and ratio(5, 0) is None
    assert relative_change(132, 100) == 0.32 and relative_change(5, 0) is None and relative_change(None, 3) is None
