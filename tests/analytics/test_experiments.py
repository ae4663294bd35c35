"""Arms of an A/B test against the reference arm, with Newcombe 95% intervals, from published counts."""

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.disclosure import DisclosureRule
from analytics.experiments import compare_arms, reference_arm
from analytics.figures import Figures, group_figures
from analytics.queries import COUNTS

EXACT = DisclosureRule(exact=True)
ANALYST = DisclosureRule(exact=False, key=b"the service's secret")


def arms(rule: DisclosureRule, **counts: tuple[int, int, int]) -> dict[str, Figures]:
    """The arms as a breakdown by variant publishes them for `rule`, their counts all of one day."""
    groups = {
        variant: {
            "2026-12-03": {**dict.fromkeys(COUNTS, 0), "impressions": shown, "clicks": clicks, "referrals": referrals}
        }
        for variant, (shown, clicks, referrals) in counts.items()
    }
    return {row.key: row for row in group_figures(groups, rule, {}, "variant", ()) if row.key}


def test_the_reference_arm_is_control_when_there_is_one_else_the_first_by_name() -> None:
    assert reference_arm(["b", "Control", "a"], None) == "Control"
    assert reference_arm(["ranking-v2", "ranking-v1"], None) == "ranking-v1"
    assert reference_arm(["x", "y"], "y") == "y"
    assert reference_arm(["x", "y"], "z") is None


def test_a_better_arm_has_a_positive_difference_whose_interval_excludes_zero() -> None:
    comparison = {
        item.variant: item
        for item in compare_arms(arms(EXACT, control=(2000, 100, 20), new=(2000, 160, 22)), "control")
    }
    assert comparison["control"].reference and not comparison["control"].differences
    ctr, referral = comparison["new"].differences
    assert ctr.rate == "ctr" and ctr.difference == pytest.approx(0.03)
    assert 0 < ctr.low < 0.03 < ctr.high and ctr.significant
    low, high = confint_proportions_2indep(160, 2000, 100, 2000, method="newcomb", compare="diff")
    assert (ctr.low, ctr.high) == (round(low, 4), round(high, 4))
    assert referral.rate == "referral_rate" and referral.low < 0 < referral.high and not referral.significant


def test_arms_too_small_to_publish_are_not_compared_for_analysts() -> None:
    counts = {"control": (4, 1, 0), "new": (500, 40, 3)}
    new = next(item for item in compare_arms(arms(ANALYST, **counts), "control") if item.variant == "new")
    assert new.differences == [] and new.note == "too few impressions to compare"
    assert next(item for item in compare_arms(arms(EXACT, **counts), "control") if item.variant == "new").differences


def test_a_rate_whose_count_is_suppressed_is_not_compared() -> None:
    """The cells an attacker recovered from the intervals: 12 impressions, 3 clicks and 2 referrals
    against 20, 10 and 0. When the new arm's clicks and referrals are suppressed, no interval is given."""

    def published(impressions: int, clicks: int | None, referrals: int | None) -> Figures:
        counts: dict[str, int | None] = {"impressions": impressions, "clicks": clicks, "referrals": referrals}
        return Figures(None, None, counts, {})

    comparison = compare_arms({"control": published(20, 10, 0), "new": published(10, None, None)}, "control")
    new = next(item for item in comparison if item.variant == "new")
    assert new.differences == [] and new.note is not None and "suppressed" in new.note
    partly = compare_arms({"control": published(20, 10, 0), "new": published(10, 5, None)}, "control")
    assert [difference.rate for difference in partly[1].differences] == ["ctr"]


def test_intervals_are_those_of_the_published_counts() -> None:
    published = arms(ANALYST, control=(203, 41, 12), new=(198, 57, 11))
    new, control = published["new"].counts, published["control"].counts
    assert all(value is not None and value % 5 == 0 for value in (*new.values(), *control.values()))
    assert abs(new["impressions"] - 198) < 5 and abs(new["clicks"] - 57) < 5  # type: ignore[operator]
    ctr, referral = next(item for item in compare_arms(published, "control") if item.variant == "new").differences
    low, high = confint_proportions_2indep(
        new["clicks"], new["impressions"], control["clicks"], control["impressions"], method="newcomb", compare="diff"
    )
    assert (ctr.low, ctr.high) == (round(low, 4), round(high, 4))
    assert ctr.difference == round(new["clicks"] / new["impressions"] - control["clicks"] / control["impressions"], 4)  # type: ignore[operator]
    assert referral.difference == round(
        new["referrals"] / new["impressions"] - control["referrals"] / control["impressions"], 4
    )  # type: ignore[operator]
