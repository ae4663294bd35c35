"""Arms of an A/B test against the reference arm, with Newcombe 95% intervals."""

import pytest
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.disclosure import DisclosureRule
from analytics.experiments import compare_arms, reference_arm

EXACT = DisclosureRule(exact=True)


def arm(impressions: int, clicks: int, referrals: int) -> dict[str, int]:
    return {"impressions": impressions, "clicks": clicks, "referrals": referrals}


def test_the_reference_arm_is_control_when_there_is_one_else_the_first_by_name() -> None:
    assert reference_arm(["b", "Control", "a"], None) == "Control"
    assert reference_arm(["ranking-v2", "ranking-v1"], None) == "ranking-v1"
    assert reference_arm(["x", "y"], "y") == "y"
    assert reference_arm(["x", "y"], "z") is None


def test_a_better_arm_has_a_positive_difference_whose_interval_excludes_zero() -> None:
    arms = {"control": arm(2000, 100, 20), "new": arm(2000, 160, 22)}
    comparison = {item.variant: item for item in compare_arms(arms, "control", EXACT)}
    assert comparison["control"].reference and not comparison["control"].differences
    ctr, referral = comparison["new"].differences
    assert ctr.rate == "ctr" and ctr.difference == pytest.approx(0.03)
    assert 0 < ctr.low < 0.03 < ctr.high and ctr.significant
    low, high = confint_proportions_2indep(160, 2000, 100, 2000, method="newcomb", compare="diff")
    assert (ctr.low, ctr.high) == (round(low, 4), round(high, 4))
    assert referral.rate == "referral_rate" and referral.low < 0 < referral.high and not referral.significant


def test_arms_too_small_to_publish_are_not_compared_for_analysts() -> None:
    rule = DisclosureRule(exact=False)
    arms = {"control": arm(8, 1, 0), "new": arm(500, 40, 3)}
    new = next(item for item in compare_arms(arms, "control", rule) if item.variant == "new")
    assert new.differences == [] and new.note == "too few impressions to compare"
    assert next(item for item in compare_arms(arms, "control", EXACT) if item.variant == "new").differences
