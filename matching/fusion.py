"""Turning lexical and semantic evidence about a unit group into one calibrated score.

Two logistic stages, fitted one set per embedding backend on held-out index titles by
`scripts/eval_matching.py` and stored in `matching/calibration.json`:

1. a linear evidence score `z` of each candidate's features (what ranks the candidates);
2. the probability of being right from `z` and the candidate's lead over its best competitor
   (`z` minus the best other `z`): the same evidence means more when nothing else comes close.
   Without this stage the top results were under-confident and the others over-confident.
3. an isotonic (monotone, piecewise-linear) correction of that probability, fitted on the results
   a search shows, for the bends a logistic curve cannot follow. A small share of the stage-2
   probability is kept so the mapping stays strictly increasing and never ties two results.

So that among results scored about 0.8, about 80% are right.
"""

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = (
    "lexical",
    "semantic",
    "exact",
    "lexical_first",
    "semantic_first",
    "agreement",
    "lexical_margin",
    "semantic_margin",
    "semantic_votes",
    "lexical_votes",
    "adds_rank",
)


@dataclass(frozen=True)
class Evidence:
    """What is known about one candidate unit group for one query."""

    lexical: float = 0.0  # best lexical score of the group's titles, [0, 1]
    semantic: float = 0.0  # best cosine similarity of the group's titles, [0, 1]
    exact: bool = False
    lexical_rank: int | None = None  # 0 = the best group lexically
    semantic_rank: int | None = None
    lexical_margin: float = 0.0  # own best lexical score minus the best other group's
    semantic_margin: float = 0.0
    semantic_votes: float = 0.0  # share of the query's nearest titles that belong to the group
    lexical_votes: float = 0.0  # share of the query's best lexical hits that belong to the group
    adds_rank: bool = False  # its best lexical title has a rank word the query lacks ("chef caissier")

    def features(self) -> list[float]:
        lexical_first = 1.0 if self.lexical_rank == 0 else 0.0
        semantic_first = 1.0 if self.semantic_rank == 0 else 0.0
        return [
            self.lexical,
            self.semantic,
            1.0 if self.exact else 0.0,
            lexical_first,
            semantic_first,
            lexical_first * semantic_first,
            self.lexical_margin,
            self.semantic_margin,
            self.semantic_votes,
            self.lexical_votes,
            1.0 if self.adds_rank else 0.0,
        ]


KEPT_SHARE = 0.02  # of the stage-2 probability in the final score (keeps it strictly increasing)
MARGIN_LIMIT = 10.0  # the lead of a lone candidate, which has no competitor


def sigmoid(z: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def leads(values: Sequence[float]) -> list[float]:
    """Each value minus the best of the others, within ±MARGIN_LIMIT."""
    if not values:
        return []
    order = sorted(range(len(values)), key=lambda index: -values[index])
    best = values[order[0]]
    runner_up = values[order[1]] if len(values) > 1 else best - MARGIN_LIMIT
    return [
        max(-MARGIN_LIMIT, min(MARGIN_LIMIT, value - (runner_up if index == order[0] else best)))
        for index, value in enumerate(values)
    ]


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]  # stage 1, one per FEATURES
    bias: float
    no_match_threshold: float
    high_threshold: float
    medium_threshold: float
    evidence_weight: float = 1.0  # stage 2: weight of z
    lead_weight: float = 0.0  # stage 2: weight of z minus the best other z
    stage2_bias: float = 0.0
    isotonic_x: tuple[float, ...] = ()  # stage 3 knots: stage-2 probability → observed accuracy
    isotonic_y: tuple[float, ...] = ()

    def evidence_score(self, evidence: Evidence) -> float:
        """Stage 1: the linear score that ranks candidates."""
        return self.bias + sum(w * x for w, x in zip(self.weights, evidence.features(), strict=True))

    def scores(self, candidates: Sequence[Evidence]) -> list[float]:
        """Calibrated probability that each candidate, among these competitors, is right."""
        return [self.corrected(probability) for probability in self.logistic_scores(candidates)]

    def logistic_scores(self, candidates: Sequence[Evidence]) -> list[float]:
        """Stages 1 and 2, before the isotonic correction."""
        z = [self.evidence_score(evidence) for evidence in candidates]
        return [
            sigmoid(self.stage2_bias + self.evidence_weight * value + self.lead_weight * lead)
            for value, lead in zip(z, leads(z), strict=True)
        ]

    def corrected(self, probability: float) -> float:
        """Stage 3."""
        if not self.isotonic_x:
            return probability
        mapped = float(np.interp(probability, self.isotonic_x, self.isotonic_y))
        return (1 - KEPT_SHARE) * mapped + KEPT_SHARE * probability

    def confidence(self, score: float) -> str:
        if score >= self.high_threshold:
            return "high"
        if score >= self.medium_threshold:
            return "medium"
        return "low"

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Calibration":
        return cls(
            weights=tuple(float(data["weights"].get(name, 0.0)) for name in FEATURES),
            bias=float(data["bias"]),
            no_match_threshold=float(data["no_match_threshold"]),
            high_threshold=float(data["high_threshold"]),
            medium_threshold=float(data["medium_threshold"]),
            evidence_weight=float(data.get("evidence_weight", 1.0)),
            lead_weight=float(data.get("lead_weight", 0.0)),
            stage2_bias=float(data.get("stage2_bias", 0.0)),
            isotonic_x=tuple(float(x) for x in data.get("isotonic_x", ())),
            isotonic_y=tuple(float(y) for y in data.get("isotonic_y", ())),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "weights": {name: round(weight, 6) for name, weight in zip(FEATURES, self.weights, strict=True)},
            "bias": round(self.bias, 6),
            "evidence_weight": round(self.evidence_weight, 6),
            "lead_weight": round(self.lead_weight, 6),
            "stage2_bias": round(self.stage2_bias, 6),
            "isotonic_x": [round(x, 6) for x in self.isotonic_x],
            "isotonic_y": [round(y, 6) for y in self.isotonic_y],
            "no_match_threshold": self.no_match_threshold,
            "high_threshold": self.high_threshold,
            "medium_threshold": self.medium_threshold,
        }

    @classmethod
    def load(cls, backend: str, path: Path = CALIBRATION_FILE) -> "Calibration":
        """The calibration fitted for `backend` ("e5", "minilm" or "none")."""
        calibrations = json.loads(path.read_text(encoding="utf-8"))
        if backend not in calibrations:
            raise ValueError(f"{path} has no calibration for backend {backend!r}")
        return cls.from_dict(calibrations[backend])


def save_calibrations(calibrations: dict[str, Calibration], path: Path = CALIBRATION_FILE) -> None:
    """Write these backends' calibrations into `path`, keeping those of other backends."""
    data = json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}
    data.update({backend: calibration.to_dict() for backend, calibration in calibrations.items()})
    data = dict(sorted(data.items()))
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
