"""Answers that name no job (matching.non_occupations), checked against every real index title."""

import pytest

from matching.non_occupations import looks_like_code, names_a_worker_class, names_no_occupation, without_time
from tests.support.source_data import JOB_TITLES, csv_rows


def test_no_index_title_is_taken_for_a_non_answer() -> None:
    flagged = sorted({row["job_title"] for row in csv_rows(JOB_TITLES) if names_no_occupation(row["job_title"])})
    assert flagged == ["Homemaker"]  # a home support worker's title (44101) that is also a situation


@pytest.mark.parametrize(
    "answer",
    [
        "pas de travail en ce moment",
        "rien pour l'instant",
        "à la retraite depuis 2020",
        "en congé de maternité",
        "sur l'aide sociale",
        "élève au secondaire",
        "étudiante à temps plein à l'université",
        "je ne travaille pas présentement",
        "retired since 2019",
        "unemployed since covid",
        "not currently working",
        "don't have a job",
        "student at the college",
        "see resume",
        "prefer not to say",
        "asdf jkl",
        "azerty",
        "or",
        "The",
        "' OR 1=1--",
        "' or 'a'='a",
        "<script>alert(1)</script>",
        "SELECT name FROM users",
        "1=1",
    ],
)
def test_non_answers(answer: str) -> None:
    assert names_no_occupation(answer)


@pytest.mark.parametrize(
    "title",
    [
        "student nurse",
        "retirement home manager",
        "Not-for-profit employment counsellor",
        "no-fault claims adjuster",
        "Stationary engineer ''A'' and refrigeration plant operator",
        "employment counsellor",
        "conseiller en emploi",
        "travailleur social",
        "Table games dealer",
        "Script writer",
    ],
)
def test_titles_with_the_same_words_are_searched(title: str) -> None:
    assert not names_no_occupation(title)


def test_time_expressions_are_set_aside() -> None:
    assert without_time("retraite depuis 2020") == "retraite"
    assert without_time("retired since march 2021") == "retired"
    assert without_time("rien pour l instant") == "rien"


def test_code_is_told_from_titles() -> None:
    assert looks_like_code("<b>cook</b>") and looks_like_code("DROP TABLE titles;--")
    assert not looks_like_code("Cook - line (days)") and not looks_like_code("C++ developer")


def test_classes_of_worker() -> None:
    assert names_a_worker_class("self employed") and names_a_worker_class("proprietaire")
    assert not names_a_worker_class("restaurant owner") and not names_a_worker_class("cook")
