"""Financial aid names: the French name of OSAP (« RAFEO ») is stored as OSAP; other names as given."""

import pytest

from catalog.fields import CourseRecord
from catalog.financial_aid import canonical_aid, canonical_aids
from catalog.mapping import compile_mapping
from catalog.validation import ReferenceCodes, check_row


@pytest.mark.parametrize(
    "name",
    [
        "RAFEO",
        "rafeo",
        "RAFÉO",
        " Rafeo ",
        "R.A.F.E.O.",
        "R A F E O",
        "Aide financière RAFEO",
        "aide financiere (rafeo)",
        "Régime d'aide financière aux étudiantes et étudiants de l'Ontario",
        "Régime d’aide financière aux étudiantes et étudiants de l’Ontario (RAFEO)",
        "Ontario Student Assistance Program (OSAP)",
        "osap",
        "O.S.A.P.",
    ],
)
def test_the_names_of_osap_are_osap(name: str) -> None:
    assert canonical_aid(name) == "OSAP"


@pytest.mark.parametrize(
    "name",
    ["Canada Student Grant", "Prêts et bourses (AFE Québec)", "StudentAid BC", "Carafeo bursary", "Ontario Bursary"],
)
def test_other_aid_is_kept_as_given(name: str) -> None:
    assert canonical_aid(name) == name


def test_each_aid_is_kept_once_in_order() -> None:
    assert canonical_aids(["RAFEO", "StudentAid BC", "OSAP", "Aide financière RAFEO"]) == ["OSAP", "StudentAid BC"]


def test_an_uploaded_row_saying_rafeo_is_stored_as_osap() -> None:
    codes = ReferenceCodes(unit_groups=frozenset(), noc2016_successors={}, regions={})
    cells = {
        "course_id": "INF1005",
        "title": "Programmation",
        "url": "https://www.polymtl.ca/inf1005",
        "financial_aid": "Aide financière RAFEO; Bourse de la Fondation",
    }
    record = check_row(2, cells, compile_mapping(None, list(cells)), codes)
    assert isinstance(record, CourseRecord)
    assert record.financial_aid == ["OSAP", "Bourse de la Fondation"]
