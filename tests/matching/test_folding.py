"""Folding (matching.folding), checked on the real NOC titles."""

import pytest

from matching.folding import fold
from tests.support.source_data import JOB_TITLES, csv_rows


@pytest.mark.parametrize(
    ("text", "folded"),
    [
        ("Infirmière auxiliaire", "infirmiere auxiliaire"),
        ("Centre d'appel", "centre d appel"),
        ("Centre d’appel", "centre d appel"),
        ("Chasse-neige / Déneigeuse", "chasse neige deneigeuse"),
        ("Sœur ŒUVRE Æsthetics Straße", "soeur oeuvre aesthetics strasse"),
        ("  Préposé(e)   aux bénéficiaires, PAB!  ", "prepose e aux beneficiaires pab"),
        ("Guide_touristique", "guide touristique"),
        ("", ""),
        ("¿?!", ""),
    ],
)
def test_fold(text: str, folded: str) -> None:
    assert fold(text) == folded


def test_fold_is_idempotent() -> None:
    for row in csv_rows(JOB_TITLES)[::50]:
        title = row["job_title"]
        assert fold(fold(title)) == fold(title)
