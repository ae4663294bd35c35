"""How the measures of two occupations are weighed into a move's score, on three occupations."""

import numpy as np

from careers.career_space import PROFILE_DIMENSIONS, MoveMeasures
from careers.moves import MoveWeights, move_scores

ALIKE = np.array([[1.0, 0.5, 0.5], [0.5, 1.0, 0.5], [0.5, 0.5, 1.0]], dtype=np.float32)


def measures(cited: list[tuple[int, int]] = (), teer: tuple[int, int, int] = (2, 2, 2)) -> MoveMeasures:  # type: ignore[assignment]
    cited_matrix = np.zeros((3, 3), dtype=np.float32)
    for a, b in cited:
        cited_matrix[a, b] = cited_matrix[b, a] = 1.0
    return MoveMeasures(
        profile=dict.fromkeys(PROFILE_DIMENSIONS, ALIKE),
        duties=ALIKE,
        text=ALIKE,
        shared_levels=np.array([[4, 1, 1], [1, 4, 1], [1, 1, 4]], dtype=np.int8),
        cited=cited_matrix,
        teer=np.array(teer, dtype=np.int8),
    )


def test_staying_is_not_a_move_and_alike_occupations_score_alike() -> None:
    scores = move_scores(measures())
    assert np.isneginf(np.diag(scores)).all()
    assert scores[0, 1] == scores[0, 2] == scores[1, 0]


def test_a_profile_citing_the_other_and_a_shared_group_raise_a_move() -> None:
    cited = move_scores(measures(cited=[(0, 2)]))
    assert cited[0, 2] > cited[0, 1] and cited[2, 0] > cited[2, 1]
    grouped = measures()
    levels = grouped.shared_levels.copy()
    levels[0, 1] = levels[1, 0] = 4
    assert move_scores(MoveMeasures(**{**grouped.__dict__, "shared_levels": levels}))[0, 1] > move_scores(grouped)[0, 1]


def test_each_teer_level_apart_costs_its_step() -> None:
    weights = MoveWeights(teer_step=0.05)
    scores = move_scores(measures(teer=(1, 1, 4)), weights)
    assert scores[0, 1] - scores[0, 2] == np.float32(0.15)
