"""A/B comparison of ranking variants: each arm's click-through and referral rates, and the difference
from the reference arm with a 95% confidence interval (Newcombe's hybrid score interval, from
statsmodels, which behaves at small and extreme rates). Impressions are the trials; a portal that
assigns variants per session should read the intervals as slightly too narrow when sessions see
many programs.

The arms' counts are the published ones (rounded, for analyst and institution keys): an interval
computed from exact counts would give them away. A difference needing a suppressed count is withheld.

statsmodels (with pandas and scipy.stats) takes about two seconds to import: it is imported by the
first comparison that needs an interval, not with the service.
"""

from collections.abc import Mapping
from dataclasses import dataclass

from analytics.figures import Figures

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


def compare_arms(arms: Mapping[str, Figures], reference: str) -> list[ArmComparison]:
    """Every arm against `reference`, from the arms' published counts. Without published impressions
    (suppressed or none) in an arm or the reference there is no comparison; a rate whose count is
    suppressed in either has no difference."""
    from statsmodels.stats.proportion import confint_proportions_2indep  # noqa: PLC0415 - slow import, rarely used

    base = arms[reference].counts
    comparisons = []
    for variant in sorted(arms):
        counts = arms[variant].counts
        if variant == reference:
            comparisons.append(ArmComparison(variant, True, []))
            continue
        if not counts["impressions"] or not base["impressions"]:
            comparisons.append(ArmComparison(variant, False, [], "too few impressions to compare"))
            continue
        differences = []
        for rate, events in (("ctr", "clicks"), ("referral_rate", "referrals")):
            mine, theirs = counts[events], base[events]
            if mine is None or theirs is None:
                continue
            low, high = confint_proportions_2indep(
                min(mine, counts["impressions"]),
                counts["impressions"],
                min(theirs, base["impressions"]),
                base["impressions"],
                method="newcomb",
                compare="diff",
                alpha=0.05,
            )
            difference = mine / counts["impressions"] - theirs / base["impressions"]
            differences.append(Difference(rate, round(difference, 4), round(float(low), 4), round(float(high), 4)))
        note = None if len(differences) == 2 else "a count is suppressed: too few events to compare a rate"
        comparisons.append(ArmComparison(variant, False, differences, note))
    return comparisons
