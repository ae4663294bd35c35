"""What a person sees in one list: each title once, no course that only shares words with the
occupation, and no tail of programs far weaker than the first."""

import numpy as np
import pytest

from recommendations import ranking
from recommendations.catalog_snapshot import Link, occupation_fit
from recommendations.ranking import Filters, rank_courses
from tests.recommendations.test_ranking import OCCUPATION, course, keys, snapshot


def test_a_title_an_institution_lists_twice_is_shown_once_at_its_better_place() -> None:
    snap = snapshot(
        [
            course("a:1", title="Science & Cooking"),
            course("a:2", title="science  &  cooking"),
            course("a:3"),
            course("b:1", 2, title="Science & Cooking"),
        ],
        [0.95, 0.93, 0.9, 0.9],
    )
    ranked = keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap)
    assert ranked == ["a:1", "a:3", "b:1"]  # another college's program of the same name is another program


def test_a_course_that_fits_other_occupations_far_better_is_left_out_unless_linked(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(ranking, "RELATIVE_FLOOR", 0.0)  # the linked course scores far above the others
    snap = snapshot([course("a:fits"), course("a:other-sense"), course("a:linked")], [0.95, 0.95, 0.95])
    fit = np.zeros(len(snap.courses), dtype=np.float32)
    fit[0] = 3.0  # this occupation stands out for the course
    fit[1] = fit[2] = -0.5  # the course is about something else that shares words with it
    snap.links["11100"] = [Link(2, 1.0, "given", "NOC 2021 11100, given by the institution")]
    ranked = keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0, fit=fit), snap)
    assert ranked == ["a:linked", "a:fits"]
    assert "a:other-sense" in keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap)


def test_the_fit_of_an_occupation_is_how_far_it_stands_out_for_the_course() -> None:
    occupations = np.eye(4, dtype=np.float32)[None, :3, :]  # one text per occupation
    courses = np.array([[0.9, 0.1, 0.1, 0.4], [0.1, 0.1, 0.9, 0.4]], dtype=np.float32)
    fit = occupation_fit(courses, occupations)
    assert fit.shape == (2, 3)
    assert int(np.argmax(fit[0])) == 0 and int(np.argmax(fit[1])) == 2
    assert fit[0, 0] > 1.0 > fit[0, 2]


def test_programs_far_weaker_than_the_first_are_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    snap = snapshot([course("a:strong"), course("b:weak", 2), course("b:close", 2)], [0.99, 0.19, 0.9])
    assert keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap) == [
        "a:strong",
        "b:close",
    ]
    monkeypatch.setattr(ranking, "RELATIVE_FLOOR", 0.0)
    every = keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap)
    assert every == ["a:strong", "b:close", "b:weak"]


def test_a_program_its_institution_links_does_not_push_equally_close_ones_out() -> None:
    snap = snapshot([course("a:linked"), course("b:close", 2), course("b:weak", 2)], [0.95, 0.95, 0.19])
    snap.links["11100"] = [Link(0, 1.0, "given", "NOC 2021 11100, given by the institution")]
    ranked = keys(rank_courses(snap, OCCUPATION, "11100", {}, "en", Filters(), 10, 1.0), snap)
    assert ranked == ["a:linked", "b:close"]
