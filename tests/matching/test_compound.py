"""Splitting multi-job answers into their jobs."""

import pytest

from matching.compound import compound_parts


@pytest.mark.parametrize(
    ("answer", "parts"),
    [
        ("office clerk, dispatcher, operator", ["office clerk", "dispatcher", "operator"]),
        ("cashier and stocker", ["cashier", "stocker"]),
        ("serveuse / barmaid", ["serveuse", "barmaid"]),
        ("cuisinier et plongeur dans un casse-croûte", ["cuisinier", "plongeur dans un casse-croûte"]),
    ],
)
def test_a_multi_job_answer_is_split_into_its_jobs(answer: str, parts: list[str]) -> None:
    assert compound_parts(answer) == parts


@pytest.mark.parametrize(
    "title",
    [
        "Infirmier/infirmière",  # a gender pair
        "Restaurateur/restauratrice d'objets en bois et de meubles",  # the second piece starts with "de"
        "inspector of bridges and of tunnels",
        "registered nurse",
    ],
)
def test_one_job_stays_whole(title: str) -> None:
    assert compound_parts(title) == [title]


def test_a_piece_that_continues_a_title_stays_with_it() -> None:
    answer = "Contremaître/contremaîtresse de contrôleurs, de trieurs, d'échantillonneurs et de peseurs - fabrication"
    assert compound_parts(answer) == [
        "Contremaître de contrôleurs, de trieurs, d'échantillonneurs et de peseurs",
        "fabrication",
    ]
