"""The learning arm's re-ranking on hand-built candidate lists: without observations it keeps the base
order, a few observations barely move it, a much-chosen program rises and a program shown often and
never chosen sinks, a never-shown program gets shown, the institution floor and cap hold on every
draw, and the same seed gives the same list."""

import math
import random
from collections import Counter

import numpy as np
import pytest

from recommendations.learning import (
    Candidate,
    LearningArm,
    Observed,
    Tuning,
    examination,
    floor_places,
    in_share,
    rerank,
    session_seed,
    values,
)


def base_list(count: int = 30, institutions: tuple[int, ...] = (1, 2, 3)) -> list[Candidate]:
    """`count` candidates, best first, their scores falling from 1.0 to 0.42, institutions taking turns."""
    return [
        Candidate(f"c{place}", institutions[place % len(institutions)], round(1.0 - 0.02 * place, 4))
        for place in range(count)
    ]


def shown_at(place: int, impressions: int, chosen: int) -> Observed:
    """`impressions` at one place (1-based), `chosen` of them followed by a click, inquiry or referral."""
    return Observed(impressions, impressions * examination(place), chosen)


def neutral(candidates: list[Candidate]) -> dict[str, Observed]:
    """Every candidate looked at 50 times and chosen 5 times: as often as any other."""
    return {item.key: Observed(100, 50.0, 5) for item in candidates}


def keys(candidates: list[Candidate], order: list[int]) -> list[str]:
    return [candidates[index].key for index in order]


def test_the_place_a_person_looks_at_counts_less_further_down() -> None:
    assert examination(1) == 1.0
    assert examination(3) == pytest.approx(0.5)
    assert [examination(place) > examination(place + 1) for place in range(1, 20)] == [True] * 19
    assert 0 < examination(None) < 1


def test_without_observations_or_with_even_ones_the_base_order_is_kept() -> None:
    candidates = base_list()
    assert rerank(candidates, {}, 10, 0.5) == list(range(10))
    assert rerank(candidates, {}, 20, 0.5) == list(range(20))
    assert rerank(candidates, {}, 3, 0.5) == [0, 1, 2]
    assert rerank(candidates, neutral(candidates), 10, 0.5) == list(range(10))
    assert rerank(candidates[:7], neutral(candidates), 10, 0.5) == list(range(7))
    assert rerank([], {}, 10, 0.5) == []


def test_a_few_observations_do_not_swing_the_ranking() -> None:
    candidates = base_list()
    observed = neutral(candidates)
    observed["c9"] = Observed(100, 50.0, 6)  # the tenth: one choice more than the others
    observed["c25"] = shown_at(5, 3, 1)  # shown three times (by the learning arm), chosen once: a raw CTR of 33%
    order = keys(candidates, rerank(candidates, observed, 10, 0.5))
    assert order[:6] == ["c0", "c1", "c2", "c3", "c4", "c5"]
    assert 6 <= order.index("c9") <= 8  # up a place or two
    assert "c25" not in order
    # A raw CTR would put the program chosen once in three showings first, far above the others' 5%.
    raw = {key: seen.chosen / seen.impressions for key, seen in observed.items()}
    assert max(raw, key=lambda key: raw[key]) == "c25"


def test_a_much_chosen_program_rises() -> None:
    candidates = base_list()
    observed = neutral(candidates)
    observed["c7"] = Observed(100, 50.0, 25)  # chosen on half of its looks, the others on a tenth
    observed["c20"] = shown_at(1, 2, 1)  # chosen in one of two showings at the first place: a raw CTR of 50%
    order = keys(candidates, rerank(candidates, observed, 10, 0.5))
    assert order[0] == "c7"
    assert "c20" not in order


def test_a_program_shown_often_and_never_chosen_sinks() -> None:
    candidates = base_list()
    observed = neutral(candidates)
    observed["c0"] = shown_at(1, 300, 0)  # the base ranking's first, passed over 300 times
    order = keys(candidates, rerank(candidates, observed, 10, 0.5))
    assert "c0" not in order and order[0] == "c1"
    value = values(candidates, observed)
    assert value[0] < value[29]  # below the last candidate, which is chosen as often as the others


def test_a_program_never_shown_gets_shown() -> None:
    """A new program far down the base list starts above the occupation's rate (optimism) and is
    tried among the first ten; without optimism the place kept for programs not tried yet shows it;
    once tried and not chosen it goes back to its base place."""
    candidates = base_list()
    observed = neutral(candidates)
    del observed["c19"]  # new: never shown
    assert "c19" in keys(candidates, rerank(candidates, observed, 10, 0.5))
    plain = Tuning(optimism=1.0)
    assert keys(candidates, rerank(candidates, observed, 10, 0.5, plain))[-1] == "c19"
    assert "c19" not in keys(candidates, rerank(candidates, observed, 10, 0.5, Tuning(optimism=1.0, explore_looks=0)))
    observed["c19"] = shown_at(8, 10, 0)  # tried ten times at the eighth place, not chosen
    assert "c19" not in keys(candidates, rerank(candidates, observed, 10, 0.5))


def test_the_floor_keeps_an_institution_s_places() -> None:
    """Institution 2 holds 4 of the base first ten and none of its programs is ever chosen;
    institution 1's further down are chosen far more: institution 2 keeps ceil(0.5 × 4) = 2 places,
    and no institution takes more than half the first ten."""
    candidates = base_list(institutions=(1, 2, 3, 2, 1))
    assert Counter(item.institution_id for item in candidates[:10]) == {1: 4, 2: 4, 3: 2}
    assert floor_places(candidates[:10], 0.5) == {1: 2, 2: 2, 3: 1}
    observed = neutral(candidates)
    for place, item in enumerate(candidates, start=1):
        if item.institution_id == 2:
            observed[item.key] = shown_at(min(place, 10), 400, 0)
        elif item.institution_id == 1 and place > 10:
            observed[item.key] = Observed(100, 50.0, 20)
    for rng in (None, np.random.default_rng(1), np.random.default_rng(2)):
        order = rerank(candidates, observed, 10, 0.5, rng=rng)
        assert Counter(candidates[index].institution_id for index in order) == {1: 5, 2: 2, 3: 3}
    # Without a floor institution 2 is gone.
    order = rerank(candidates, observed, 10, 0.5, Tuning(floor=0.0))
    assert 2 not in {candidates[index].institution_id for index in order}


def test_floor_cap_and_length_hold_on_random_lists() -> None:
    generator = random.Random(7)
    for trial in range(300):
        count = generator.randint(1, 35)
        institutions = generator.randint(1, 6)
        candidates = [
            Candidate(f"k{index}", generator.randint(1, institutions), 1.0 - index / 50) for index in range(count)
        ]
        observed = {
            item.key: Observed(shown, shown * generator.uniform(0.3, 1.0), generator.randint(0, shown // 3))
            for item in candidates
            if (shown := generator.choice((0, 0, 5, 50, 500)))
        }
        limit = generator.choice((3, 10, 20))
        max_share = generator.choice((0.3, 0.5, 1.0))
        cap = max(1, math.floor(max_share * 10 + 1e-9))
        # The base list as the ranking makes it: capped first ten.
        base = _capped(candidates, cap)
        rng = np.random.default_rng(trial) if trial % 2 else None
        order = rerank(base, observed, limit, max_share, rng=rng)
        assert len(order) == len(base[:limit]) and len(set(order)) == len(order)
        first = [base[index].institution_id for index in order[:10]]
        assert max(Counter(first).values(), default=0) <= cap
        shown_base = Counter(item.institution_id for item in base[: min(limit, 10)])
        for institution, places in shown_base.items():
            assert first.count(institution) >= math.ceil(0.5 * places), (trial, institution)


def _capped(candidates: list[Candidate], cap: int) -> list[Candidate]:
    """The base ranking's order: no institution over the cap in the first ten, the others after it."""
    first: list[Candidate] = []
    later: list[Candidate] = []
    for item in candidates:
        if len(first) < 10 and sum(chosen.institution_id == item.institution_id for chosen in first) < cap:
            first.append(item)
        else:
            later.append(item)
    return first + later if len(first) == 10 else first


def test_the_same_seed_gives_the_same_list() -> None:
    candidates = base_list()
    observed = {item.key: Observed(30, 10.0, 1) for item in candidates}
    lists = [rerank(candidates, observed, 10, 0.5, rng=np.random.default_rng(42)) for _ in range(3)]
    assert lists[0] == lists[1] == lists[2]
    others = {tuple(rerank(candidates, observed, 10, 0.5, rng=np.random.default_rng(seed))) for seed in range(20)}
    assert len(others) > 1
    assert session_seed("s-1", "21232") == session_seed("s-1", "21232") != session_seed("s-2", "21232")
    assert session_seed(None, "21232") is None


def test_the_arm_takes_its_variant_and_its_share_of_sessions() -> None:
    arm = LearningArm("learning", lambda noc_code: {}, share=0.3)
    assert arm.variant_for("learning", "s1") == "learning"
    assert arm.variant_for("control", "s1") == "control"  # a portal's own assignment is kept
    assert arm.variant_for(None, None) is None
    assigned = [arm.variant_for(None, f"session-{index}") for index in range(4000)]
    assert set(assigned) == {"learning", None}
    assert 0.27 < assigned.count("learning") / 4000 < 0.33
    assert assigned == [arm.variant_for(None, f"session-{index}") for index in range(4000)]  # stable
    assert not any(in_share(f"session-{index}", 0.0) for index in range(100))
    assert arm.pool(10) == 30 and arm.pool(40) == 40
