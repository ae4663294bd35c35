"""Pure helpers for measuring the matcher: a stratified hold-out of index titles, ranking
metrics, a logistic fit of the fusion weights and a reliability table for calibration."""

import hashlib
import random
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from itertools import pairwise

import numpy as np

from matching.fusion import FEATURES, Calibration, Evidence, leads


def stratified_holdout(titles: Sequence[tuple[str, str, str]], share: float, seed: int) -> list[int]:
    """Indexes of a `share` of the (noc_code, lang, title) rows, stratified by language and unit group.

    Within a language the titles are shuffled inside each unit group, the groups are laid end to
    end in code order and every k-th title is taken (k = 1/share, from a random start): each
    unit group, and therefore each TEER and broad category, gives its proportional share, and a
    group with fewer than k titles gives one title or none.
    """
    if not 0 < share < 1:
        raise ValueError("share must be between 0 and 1")
    step = round(1 / share)
    rng = random.Random(seed)
    held: list[int] = []
    by_language: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(list))
    for index, (noc_code, lang, _title) in enumerate(titles):
        by_language[lang][noc_code].append(index)
    for lang in sorted(by_language):
        laid_out: list[int] = []
        for noc_code in sorted(by_language[lang]):
            group = list(by_language[lang][noc_code])
            rng.shuffle(group)
            laid_out.extend(group)
        start = rng.randrange(step)
        held.extend(laid_out[start::step])
    return sorted(held)


@dataclass(frozen=True)
class RankingScores:
    count: int
    top1: float
    top3: float
    top5: float
    mrr: float
    no_match_rate: float


def ranking_scores(rankings: Sequence[Sequence[str]], expected: Sequence[frozenset[str]]) -> RankingScores:
    """Top-k hit rates and mean reciprocal rank; an empty ranking (no match) is a miss."""
    if len(rankings) != len(expected):
        raise ValueError("one ranking per expected answer")
    count = len(rankings)
    if count == 0:
        return RankingScores(0, 0.0, 0.0, 0.0, 0.0, 0.0)
    first_hits = [_first_hit(ranking, answers) for ranking, answers in zip(rankings, expected, strict=True)]
    return RankingScores(
        count=count,
        top1=sum(rank is not None and rank < 1 for rank in first_hits) / count,
        top3=sum(rank is not None and rank < 3 for rank in first_hits) / count,
        top5=sum(rank is not None and rank < 5 for rank in first_hits) / count,
        mrr=sum(1.0 / (rank + 1) for rank in first_hits if rank is not None) / count,
        no_match_rate=sum(not ranking for ranking in rankings) / count,
    )


def _first_hit(ranking: Sequence[str], answers: frozenset[str]) -> int | None:
    return next((rank for rank, code in enumerate(ranking) if code in answers), None)


def fit_logistic(
    features: np.ndarray, labels: np.ndarray, l2: float = 1e-3, iterations: int = 50
) -> tuple[np.ndarray, float]:
    """(weights, bias) of an L2-regularized logistic regression, by Newton's method."""
    rows, columns = features.shape
    design = np.hstack([features, np.ones((rows, 1))])
    theta = np.zeros(columns + 1)
    penalty = np.full(columns + 1, l2 * rows)
    penalty[-1] = 0.0  # the bias is not shrunk
    for _ in range(iterations):
        z = np.clip(design @ theta, -30, 30)
        probability = 1.0 / (1.0 + np.exp(-z))
        gradient = design.T @ (probability - labels) + penalty * theta
        curvature = (design * (probability * (1 - probability))[:, None]).T @ design + np.diag(penalty + 1e-9)
        step = np.linalg.solve(curvature, gradient)
        theta -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    return theta[:-1], float(theta[-1])


@dataclass(frozen=True)
class Thresholds:
    no_match: float
    high: float
    medium: float


def fit_calibration(
    queries: Sequence[tuple[Sequence[Evidence], Sequence[bool]]],
    features: Sequence[str],
    thresholds: Thresholds,
    shown: int = 10,
) -> Calibration:
    """The fusion stages from (candidates' evidence, which candidates are right) per query.

    Stage 1 weighs the named `features` (the others get weight 0); stage 2 maps each candidate's
    stage-1 score and its lead over its competitors to a probability; stage 3 corrects that
    probability isotonically on the `shown` best candidates of each query.
    """
    columns = [FEATURES.index(name) for name in features]
    rows = [[evidence.features()[c] for c in columns] for candidates, _ in queries for evidence in candidates]
    labels = np.asarray([float(right) for _, rights in queries for right in rights])
    weights, bias = fit_logistic(np.asarray(rows, dtype=float).reshape(-1, len(columns)), labels)
    by_name = dict(zip(features, weights, strict=True))
    stage1 = Calibration(
        tuple(float(by_name.get(name, 0.0)) for name in FEATURES),
        bias,
        thresholds.no_match,
        thresholds.high,
        thresholds.medium,
    )
    second: list[tuple[float, float]] = []
    for candidates, _ in queries:
        z = [stage1.evidence_score(evidence) for evidence in candidates]
        second.extend(zip(z, leads(z), strict=True))
    (evidence_weight, lead_weight), stage2_bias = fit_logistic(np.asarray(second, dtype=float).reshape(-1, 2), labels)
    stage2 = replace(
        stage1, evidence_weight=float(evidence_weight), lead_weight=float(lead_weight), stage2_bias=stage2_bias
    )
    shown_scores: list[float] = []
    shown_labels: list[float] = []
    for candidates, rights in queries:
        scored = sorted(zip(stage2.logistic_scores(candidates), rights, strict=True), key=lambda pair: -pair[0])
        for probability, right in scored[:shown]:
            shown_scores.append(probability)
            shown_labels.append(float(right))
    knots_x, knots_y = isotonic_knots(shown_scores, shown_labels)
    return replace(stage2, isotonic_x=knots_x, isotonic_y=knots_y)


def isotonic_knots(scores: Sequence[float], labels: Sequence[float]) -> tuple[tuple[float, ...], tuple[float, ...]]:
    """Pool-adjacent-violators: the nondecreasing step fit of labels on scores, as (mean score,
    mean label) knots, one per block, for piecewise-linear interpolation; the ends are pinned at
    (0, lowest block) and (1, highest block)."""
    order = np.argsort(np.asarray(scores, dtype=float), kind="stable")
    blocks: list[list[float]] = []  # [sum of scores, sum of labels, count]
    for index in order:
        blocks.append([float(scores[index]), float(labels[index]), 1.0])
        while len(blocks) > 1 and blocks[-2][1] / blocks[-2][2] >= blocks[-1][1] / blocks[-1][2]:
            last = blocks.pop()
            blocks[-1] = [blocks[-1][0] + last[0], blocks[-1][1] + last[1], blocks[-1][2] + last[2]]
    if not blocks:
        return (), ()
    xs = [0.0] + [total / count for total, _, count in blocks] + [1.0]
    ys = [blocks[0][1] / blocks[0][2]] + [hits / count for _, hits, count in blocks] + [blocks[-1][1] / blocks[-1][2]]
    return tuple(xs), tuple(ys)


@dataclass(frozen=True)
class ReliabilityBin:
    low: float
    high: float
    count: int
    mean_score: float
    accuracy: float


def reliability(scores: Sequence[float], correct: Sequence[bool], edges: Sequence[float]) -> list[ReliabilityBin]:
    """Observed accuracy against mean predicted score, per score interval [edges[i], edges[i+1])."""
    bins = []
    for low, high in pairwise(edges):
        inside = [
            (score, hit)
            for score, hit in zip(scores, correct, strict=True)
            if low <= score < high or (high == edges[-1] and score == high)
        ]
        if inside:
            bins.append(
                ReliabilityBin(
                    low,
                    high,
                    len(inside),
                    sum(score for score, _ in inside) / len(inside),
                    sum(hit for _, hit in inside) / len(inside),
                )
            )
    return bins


def expected_calibration_error(bins: Sequence[ReliabilityBin]) -> float:
    total = sum(b.count for b in bins)
    return sum(b.count * abs(b.mean_score - b.accuracy) for b in bins) / total if total else 0.0


def percentile(values: Sequence[float], q: float) -> float:
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else float("nan")


TUNE, TEST = "tune", "test"


def split_halves(rows: Sequence[tuple[str, str, str]]) -> list[str]:
    """TUNE or TEST for each (lang, category, query) row: within each language and category, the
    rows ordered by a hash of their text alternate between the halves. The split depends only on
    the rows' own text, so adding rows never moves an old one to the other half."""
    halves = [""] * len(rows)
    groups: dict[tuple[str, str], list[int]] = defaultdict(list)
    for index, (lang, category, _) in enumerate(rows):
        groups[(lang, category)].append(index)
    for indexes in groups.values():
        ordered = sorted(indexes, key=lambda index: hashlib.sha256(rows[index][2].encode("utf-8")).hexdigest())
        for position, index in enumerate(ordered):
            halves[index] = TUNE if position % 2 == 0 else TEST
    return halves
