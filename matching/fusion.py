"""Turning lexical and semantic evidence about a unit group into one calibrated score.

The score is a logistic function of a few features; its weights are fitted on held-out index
titles by `scripts/eval_matching.py` (so that among results scored about 0.8, about 80% are right)
and stored in `matching/calibration.json`.
"""

import json
import math
from dataclasses import dataclass
from pathlib import Path

CALIBRATION_FILE = Path(__file__).with_name("calibration.json")
FEATURES = ("lexical", "semantic", "exact", "lexical_first", "semantic_first", "agreement")


@dataclass(frozen=True)
class Evidence:
    """What is known about one candidate unit group for one query."""

    lexical: float = 0.0  # best lexical score of the group's titles, [0, 1]
    semantic: float = 0.0  # best cosine similarity of the group's titles, [0, 1]
    exact: bool = False
    lexical_rank: int | None = None  # 0 = the best group lexically
    semantic_rank: int | None = None

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
        ]


@dataclass(frozen=True)
class Calibration:
    weights: tuple[float, ...]
    bias: float
    no_match_threshold: float
    high_threshold: float
    medium_threshold: float

    def score(self, evidence: Evidence) -> float:
        z = self.bias + sum(w * x for w, x in zip(self.weights, evidence.features(), strict=True))
        return 1.0 / (1.0 + math.exp(-z))

    def confidence(self, score: float) -> str:
        if score >= self.high_threshold:
            return "high"
        if score >= self.medium_threshold:
            return "medium"
        return "low"

    @classmethod
    def load(cls, path: Path = CALIBRATION_FILE) -> "Calibration":
        data = json.loads(path.read_text())
        return cls(
            weights=tuple(float(data["weights"][name]) for name in FEATURES),
            bias=float(data["bias"]),
            no_match_threshold=float(data["no_match_threshold"]),
            high_threshold=float(data["high_threshold"]),
            medium_threshold=float(data["medium_threshold"]),
        )

    def to_json(self) -> str:
        return json.dumps(
            {
                "weights": dict(zip(FEATURES, self.weights, strict=True)),
                "bias": self.bias,
                "no_match_threshold": self.no_match_threshold,
                "high_threshold": self.high_threshold,
                "medium_threshold": self.medium_threshold,
            },
            indent=2,
        ) + "\n"
