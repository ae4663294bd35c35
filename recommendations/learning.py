"""The learning arm of the ranking: the base ranking's candidates re-ranked by what people chose.

For one occupation, each candidate program's chance of being chosen (clicked, asked about, or
referred to) when a person looks at it is estimated with a Beta-Bernoulli posterior, never from the
raw click-through rate, and the program's base score is multiplied by how much more (or less) often
than the occupation's programs on average it is chosen:

    value = base score × posterior chance / the occupation's rate

* Trials are impressions weighted by the chance a person looks that far down the list
  (`examination`: 1 at the first place, 1/log2(place + 1) below), so that a program shown tenth and
  passed over counts for less than one shown first and passed over.
* The occupation's rate is itself a posterior mean over its candidates' choices and looks (from
  `prior_rate`, worth `rate_strength` looks), so the estimates follow the occupation's own traffic.
* Each program's prior is the occupation's rate, worth `prior_choices` choices (prior_choices / rate
  looks): without observations, or when every program is chosen as often as the others, the base
  order stands; one choice more or less moves a program's value by about a tenth; many choices (or
  many looks and no choice) move it far.
* A program never shown for the occupation (a new one) starts at `optimism` times the occupation's
  rate: it is shown and then judged on its record. And while some candidate has had fewer than
  `explore_looks` looks, one of the first ten places (the last one the values leave) goes to the
  best placed of them in the base ranking, so every candidate is tried, whatever its base score.

The values use the posterior means (deterministic: what the service and the simulation use), or one
draw from each posterior (Thompson sampling) when given a random generator, which a seed makes
repeatable.

The first places keep the base ranking's institution rules and add a floor:

* no institution holds more than `max_share` of the first ten (as in the base ranking);
* the floor: an institution holding k places of the base ranking's first ten keeps at least
  ceil(floor × k) of them (its best programs by value), so that over any set of searches its
  impressions in this arm are at least `floor` times those the base ranking gives it. An institution
  with no place in the base first ten is guaranteed nothing (it had nothing), but its programs
  compete for the places on their values.

The list has as many programs as the base ranking shows; beyond the first ten, the remaining
candidates follow by value.
"""

import hashlib
import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from recommendations.catalog_snapshot import CatalogSnapshot
from recommendations.ranking import TOP_PLACES, RankedCourse

UNKNOWN_PLACE_LOOKS = 0.5  # an impression backfilled without its place: about the mean look over ten places
ESTIMATE_BOUNDS = (1e-3, 0.95)  # prior means are kept inside (0, 1)
EXPLORE_FROM = 5  # a list of fewer first places does not give one to a candidate being tried
MIN_BASE_SCORE = 1e-3  # a candidate scored 0 by the base ranking can still rise on its record


def examination(rank: int | None) -> float:
    """The chance a person looks at the program shown at `rank` (1-based); None: the place is unknown."""
    if rank is None or rank < 1:
        return UNKNOWN_PLACE_LOOKS
    return 1.0 / math.log2(rank + 1)


@dataclass(frozen=True)
class Observed:
    """What people did with one program shown for one occupation (trusted events only)."""

    impressions: int = 0
    looks: float = 0.0  # impressions weighted by `examination` of their place
    chosen: int = 0  # impressions followed by a click, an inquiry or a referral (once per impression)


NOTHING = Observed()


@dataclass(frozen=True)
class Tuning:
    pool: int = 30  # base candidates re-ranked
    prior_choices: float = 10.0  # what a program's prior is worth, in choices
    prior_rate: float = 0.1  # an occupation's choice rate per look before any observation
    rate_strength: float = 20.0  # looks that prior rate is worth
    optimism: float = 1.5  # a never-shown program starts at this times the occupation's rate
    explore_looks: float = 1.0  # while a candidate has fewer looks, one of the first ten places tries one (0: off)
    floor: float = 0.5  # share of its base first-ten places an institution keeps


DEFAULT_TUNING = Tuning()


@dataclass(frozen=True)
class Candidate:
    key: str
    institution_id: int
    score: float  # the base ranking's score


def choice_rate(observed: Sequence[Observed], tuning: Tuning = DEFAULT_TUNING) -> float:
    """The occupation's choice rate per look: a posterior mean over its candidates' observations."""
    chosen = sum(item.chosen for item in observed)
    looks = sum(item.looks for item in observed)
    return (chosen + tuning.prior_rate * tuning.rate_strength) / (looks + tuning.rate_strength)


def posteriors(
    candidates: Sequence[Candidate], observed: Mapping[str, Observed], tuning: Tuning = DEFAULT_TUNING
) -> tuple[np.ndarray, np.ndarray, float]:
    """Each candidate's Beta posterior (alpha, beta) of its chance of being chosen when looked at, and
    the occupation's rate they are measured against."""
    seen = [observed.get(candidate.key, NOTHING) for candidate in candidates]
    rate = choice_rate(seen, tuning)
    never_shown = np.array([item.impressions == 0 for item in seen], dtype=bool)
    prior = np.clip(np.where(never_shown, rate * tuning.optimism, rate), *ESTIMATE_BOUNDS)
    strength = tuning.prior_choices / rate  # in looks
    chosen = np.array([item.chosen for item in seen], dtype=np.float64)
    looks = np.array([item.looks for item in seen], dtype=np.float64)
    alpha = strength * prior + chosen
    beta = strength * (1 - prior) + np.maximum(looks - chosen, 0.0)
    return alpha, beta, rate


def values(
    candidates: Sequence[Candidate],
    observed: Mapping[str, Observed],
    tuning: Tuning = DEFAULT_TUNING,
    rng: np.random.Generator | None = None,
) -> np.ndarray:
    """Each candidate's base score times its posterior chance of being chosen over the occupation's
    rate: the posterior mean, or with `rng` one draw from the posterior (Thompson sampling)."""
    if not candidates:
        return np.zeros(0)
    alpha, beta, rate = posteriors(candidates, observed, tuning)
    chance = alpha / (alpha + beta) if rng is None else rng.beta(alpha, beta)
    scores = np.array([max(candidate.score, MIN_BASE_SCORE) for candidate in candidates], dtype=np.float64)
    return np.asarray(scores * chance / rate)


def floor_places(base_first: Sequence[Candidate], floor: float) -> dict[int, int]:
    """The places of the first ten each institution keeps: ceil(floor × its places in the base first ten)."""
    held = Counter(candidate.institution_id for candidate in base_first)
    return {institution: math.ceil(floor * count - 1e-9) for institution, count in held.items()}


def rerank(
    candidates: Sequence[Candidate],
    observed: Mapping[str, Observed],
    limit: int,
    max_share: float,
    tuning: Tuning = DEFAULT_TUNING,
    rng: np.random.Generator | None = None,
) -> list[int]:
    """The candidates (the base ranking's list, best first, longer than `limit`) in the learning
    arm's order, as indices into `candidates`: as many as the base ranking shows for `limit`."""
    shown = len(candidates[:limit])
    if not shown:
        return []
    value = values(candidates, observed, tuning, rng)
    order = sorted(range(len(candidates)), key=lambda index: (-float(value[index]), index))
    top = min(shown, TOP_PLACES)
    unexplored = [
        index
        for index, candidate in enumerate(candidates)
        if observed.get(candidate.key, NOTHING).looks < tuning.explore_looks
    ]
    places = _Places(candidates, max_share)
    places.keep_floor(order, floor_places(candidates[:top], tuning.floor))
    if unexplored and tuning.explore_looks > 0 and top >= EXPLORE_FROM:
        places.fill(order, top - 1)
        if not places.chosen & set(unexplored):
            places.fill(unexplored, top)  # the best-placed in the base ranking of those not tried enough
    places.fill(order, top)
    rest = [index for index in order if index not in places.chosen][: shown - top]
    return [index for index in order if index in places.chosen] + rest


class _Places:
    """The first places being chosen: no institution over the cap (the floor never exceeds it: an
    institution's base places respect it)."""

    def __init__(self, candidates: Sequence[Candidate], max_share: float):
        self.candidates = candidates
        self.cap = max(1, math.floor(max_share * TOP_PLACES + 1e-9))
        self.held: Counter[int] = Counter()
        self.chosen: set[int] = set()

    def take(self, index: int) -> None:
        self.chosen.add(index)
        self.held[self.candidates[index].institution_id] += 1

    def keep_floor(self, order: Sequence[int], kept: Mapping[int, int]) -> None:
        """Each institution's best, by `order`, up to the places its floor keeps."""
        for index in order:
            if self.held[self.candidates[index].institution_id] < kept.get(self.candidates[index].institution_id, 0):
                self.take(index)

    def fill(self, order: Sequence[int], up_to: int) -> None:
        """The next of `order` whose institution is under the cap, until `up_to` places are taken."""
        for index in order:
            if len(self.chosen) >= up_to:
                return
            if index not in self.chosen and self.held[self.candidates[index].institution_id] < self.cap:
                self.take(index)


def session_seed(session_id: str | None, noc_code: str) -> int | None:
    """A seed for one session's draws for one occupation (the same list on a reload); None without a session."""
    if session_id is None:
        return None
    digest = hashlib.sha256(f"{session_id}\x1f{noc_code}".encode()).digest()
    return int.from_bytes(digest[:8], "big")


def in_share(session_id: str | None, share: float) -> bool:
    """Whether a session falls in the first `share` of sessions (a stable hash of its id)."""
    if session_id is None or share <= 0:
        return False
    digest = hashlib.sha256(f"learning-arm\x1f{session_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < share


ObservedFor = Callable[[str], Mapping[str, Observed]]


class LearningArm:
    """The experiment arm `name`: requests carrying it as their variant, and (when the portal gives
    no variant) the share `share` of sessions, are re-ranked from `observed_for(noc_code)`, the
    trusted observations of the occupation (recommendations.feedback keeps them, refreshed
    periodically). `thompson`: draw from the posteriors, seeded per session and occupation, rather
    than order by the posterior means (which did better in scripts/simulate_learning.py)."""

    def __init__(
        self,
        name: str,
        observed_for: ObservedFor,
        share: float = 0.0,
        tuning: Tuning = DEFAULT_TUNING,
        thompson: bool = False,
    ):
        self.name = name
        self.observed_for = observed_for
        self.share = share
        self.tuning = tuning
        self.thompson = thompson

    def variant_for(self, variant: str | None, session_id: str | None) -> str | None:
        """The request's arm: the one it carries, else this arm for the sessions in its share."""
        if variant is not None:
            return variant
        return self.name if in_share(session_id, self.share) else None

    def pool(self, limit: int) -> int:
        """How many base candidates to ask the ranking for."""
        return max(limit, self.tuning.pool)

    def rerank(
        self,
        snapshot: CatalogSnapshot,
        noc_code: str,
        ranked: Sequence[RankedCourse],
        limit: int,
        max_share: float,
        session_id: str | None,
    ) -> list[RankedCourse]:
        """The base ranking's candidates in this arm's order (their scores stay the base ranking's)."""
        candidates = [
            Candidate(snapshot.courses[item.row].key, snapshot.courses[item.row].institution_id, item.score)
            for item in ranked
        ]
        rng = np.random.default_rng(session_seed(session_id, noc_code)) if self.thompson else None
        order = rerank(candidates, self.observed_for(noc_code), limit, max_share, self.tuning, rng)
        return [ranked[index] for index in order]
