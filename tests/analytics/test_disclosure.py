"""Small cells: each day's cell randomly rounded to a multiple of 5, consistently; a period the sum of
its days; a sum under 10 suppressed; admin keys exact."""

import hashlib
import hmac
import random
from collections import Counter

from analytics.disclosure import DisclosureRule, cell_name, ratio, relative_change

RULE = DisclosureRule(exact=False, key=b"a secret of the service")


def test_a_count_is_rounded_up_or_down_as_often_as_its_remainder_says() -> None:
    # 13 is 10 two times in five and 15 three times in five, over many cells: the rounding is unbiased.
    drawn = Counter(RULE.rounded(13, f"clicks|2026-12-0{day % 9 + 1}|course={day}") for day in range(4000))
    assert set(drawn) == {10, 15}
    assert abs(drawn[15] / 4000 - 0.6) < 0.03
    assert RULE.rounded(0, "clicks|x") == 0 and RULE.rounded(35, "clicks|x") == 35


def test_the_same_cell_always_rounds_the_same_way_and_only_the_key_decides() -> None:
    cell = cell_name("clicks", "2026-12-03", (("variant", "B"), ("institution", "3")))
    assert cell == cell_name("clicks", "2026-12-03", (("institution", "3"), ("variant", "B")))
    assert len({RULE.rounded(13, cell) for _ in range(50)}) == 1
    others = {DisclosureRule(exact=False, key=bytes([n])).rounded(13, cell) for n in range(40)}
    assert others == {10, 15}  # without the key, nobody can tell which way a count rounds


def test_a_period_is_the_sum_of_its_days_and_a_small_sum_is_suppressed() -> None:
    days = {"2026-12-01": 3, "2026-12-02": 0, "2026-12-03": 38}
    rounded = [RULE.rounded(value, cell_name("clicks", day, ())) for day, value in days.items() if value]
    assert RULE.rounded_sum("clicks", days) == sum(rounded)
    assert RULE.published("clicks", days) == sum(rounded)
    assert RULE.published("clicks", {"2026-12-01": 3, "2026-12-02": 4}) in (None, 10)
    assert RULE.published("clicks", {"2026-12-01": 0}) == 0


def test_the_admin_rule_is_exact() -> None:
    exact = DisclosureRule(exact=True)
    assert exact.published("clicks", {None: 3}) == 3 and exact.name == "exact"
    assert RULE.name == "daily-cells-randomly-rounded-to-5-suppressed-under-10"


def test_the_thresholds_are_configurable() -> None:
    strict = DisclosureRule(exact=False, min_count=20, round_to=10, key=b"k")
    assert strict.published("clicks", {"d": 19}) in (None, 20)
    assert strict.published("clicks", {"d": 20}) == 20
    assert strict.published("clicks", {"d": 25}) in (20, 30)


def test_rates_and_changes_need_both_figures() -> None:
    assert ratio(5, 20) == 0.25 and ratio(None, 20) is None and ratio(5, 0) is None
    assert relative_change(132, 100) == 0.32 and relative_change(5, 0) is None and relative_change(None, 3) is None


def test_a_sum_rounds_each_day_cell_under_its_name() -> None:
    """The sum of a measure's day cells rounds each cell as `rounded` does under the name `cell_name`
    gives it, with the same keyed draw as an HMAC-SHA256 of the name and the count."""
    rule = DisclosureRule(exact=False, key=b"the service's secret")
    rng = random.Random(5)
    for _ in range(200):
        by_day: dict[str | None, int] = {f"2026-12-{day:02d}": rng.randrange(40) for day in range(1, 29)}
        filters = tuple(rng.sample([("institution", "3"), ("course", "a:1"), ("variant", "B")], rng.randrange(3)))
        expected = sum(rule.rounded(value, cell_name("clicks", day, filters)) for day, value in by_day.items() if value)
        assert rule.rounded_sum("clicks", by_day, filters) == expected
    digest = hmac.new(rule.key, b"clicks|2026-12-03|13", hashlib.sha256).digest()
    up = int.from_bytes(digest[:8], "big") / 2**64 < 3 / 5
    assert rule.rounded(13, "clicks|2026-12-03") == (15 if up else 10)
