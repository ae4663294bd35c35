"""Courses linked to NOC 2021 unit groups from the codes the institution gives."""

from catalog.linking import SPLIT_SCORE, given_links
from tests.support.source_data import noc2016_successors

SUCCESSORS = {"7514": ("74102", "75201"), "3012": ("31301",)}


def test_a_noc_2021_code_is_linked_as_given() -> None:
    (link,) = given_links(["31301"], SUCCESSORS)
    assert (link.noc_code, link.score, link.source) == ("31301", 1.0, "given")


def test_a_noc_2016_code_goes_through_the_concordance() -> None:
    assert [(link.noc_code, link.score) for link in given_links(["3012"], SUCCESSORS)] == [("31301", 1.0)]
    split = given_links(["7514"], SUCCESSORS)
    assert [(link.noc_code, link.score) for link in split] == [("74102", SPLIT_SCORE), ("75201", SPLIT_SCORE)]
    assert "74102, 75201" in split[0].evidence


def test_each_unit_group_once_with_its_best_evidence() -> None:
    links = given_links(["7514", "74102"], SUCCESSORS)
    assert [(link.noc_code, link.score) for link in links] == [("74102", 1.0), ("75201", SPLIT_SCORE)]
    assert links[0].evidence == "NOC 2021 74102, given by the institution"


def test_the_real_concordance_is_what_the_test_table_says() -> None:
    assert {code: set(successors) for code, successors in SUCCESSORS.items()} == {
        code: noc2016_successors(code) for code in SUCCESSORS
    }
