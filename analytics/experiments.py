"""A/B comparison of ranking variants: each arm's click-through and referral rates, and the difference
from the reference arm with a 95% confidence interval (Newcombe's hybrid score interval, from
statsmodels, which behaves at small and extreme rates). Impressions are the trials; a portal that
assigns variants per session should read the intervals as slightly too narrow when sessions see
many programs.

statsmodels (with pandas and scipy.stats) takes about two seconds to import: it is imported by the
first comparison that needs an interval, not with the service.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.disclosure import DisclosureRule

REFERENCE_NAMES = ("control", "a", "baseline")


@dataclass(frozen=True)
class Difference:
    rate: str  # "ctr" or "referral_rate"
    difference: float  # this arm's rate minus the reference arm's
    low: float
    high: float

    @property
    def significant(self) -> bool:
        return self.low > 0 or self.high < 0


@dataclass(frozen=True)
class ArmComparison:
    variant: str
    reference: bool
    differences: list[Difference]
    note: str | None = None


def reference_arm(variants: list[str], asked: str | None) -> str | None:
    if asked is not None:
        return asked if asked in variants else None
    by_name = {variant.lower(): variant for variant in variants}
    named = next((by_name[name] for name in REFERENCE_NAMES if name in by_name), None)
    return named or (sorted(variants)[0] if variants else None)


def compare_arms(arms: Mapping[str, Mapping[str, int]], reference: str, rule: DisclosureRule) -> list[ArmComparison]:
    """Every arm against `reference`; arms (the reference included) with too few impressions to publish
    get no interval."""
    from statsmodels.stats.proportion import confint_proportions_2indep  # noqa: PLC0415 - slow import, rarely used

    base = arms[reference]
    comparisons = []
    for variant in sorted(arms):
        counts = arms[variant]
        if variant == reference:
            comparisons.append(ArmComparison(variant, True, []))
            continue
        if any(rule.is_small(arm["impressions"]) or arm["impressions"] == 0 for arm in (counts, base)):
            comparisons.append(ArmComparison(variant, False, [], "too few impressions to compare"))
            continue
        differences = []
        for rate, events in (("ctr", "clicks"), ("referral_rate", "referrals")):
            low, high = confint_proportions_2indep(
                min(counts[events], counts["impressions"]),
                counts["impressions"],
                min(base[events], base["impressions"]),
                base["impressions"],
                method="newcomb",
                compare="diff",
                alpha=0.05,
            )
            difference = counts[events] / counts["impressions"] - base[events] / base["impressions"]
            differences.append(Difference(rate, round(difference, 4), round(float(low), 4), round(float(high), 4)))
        comparisons.append(ArmComparison(variant, False, differences))
    return comparisons
