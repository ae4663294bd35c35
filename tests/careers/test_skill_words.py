"""Which typed skills count, over a small vocabulary: no database, no model."""

import pytest

from careers.skill_words import skill_words

VOCABULARY = skill_words(
    [
        "Prune fruit trees and operate tractors",
        "Keep financial records; reconcile accounts; post journal entries",
        "Nettoyeur de bureaux; conducteur de chariot élévateur; préposé à la paie",
        "Welders operate welding equipment",
    ]
)


@pytest.mark.parametrize(
    "skill",
    [
        "pruning fruit trees",  # a known word, an inflection by its first five letters
        "driving a tractor",
        "bank recs and reconciling",
        "nettoyer les bureaux",  # « nettoyer » and « nettoyeur » share five letters
        "la paie",  # a four-letter word some known word begins with (« paie », paiement)
        "weldng",  # a typo of a known word
        "PSW cert",  # an acronym typed in capitals
        "ROEs",
        "433A",  # a trade's code
    ],
)
def test_skills_made_of_known_words_count(skill: str) -> None:
    assert VOCABULARY.knows(skill)


@pytest.mark.parametrize(
    "skill",
    [
        "hello",
        "asdf",
        "n/a",
        "N/A",
        "idk",
        "lol",
        "bonjour",
        "je sais pas",
        "hi there",
        "123",
        "  ",
        "the and",
        "b",
        "x y",
    ],
)
def test_what_people_type_instead_of_a_skill_does_not_count(skill: str) -> None:
    assert not VOCABULARY.knows(skill)
