"""The occupations' words weighed as a search engine weighs them, on three small occupations."""

import numpy as np

from careers.skill_lexicon import occupation_lexicon

LEXICON = occupation_lexicon(
    [
        ["Bookkeepers", "Post journal entries and reconcile bank accounts", "Teneur de livres"],
        ["Journalists", "Write news stories for newspapers and journals"],
        ["Welders", "Operate welding machines", "Soudeur"],
    ]
)


def test_a_word_scores_the_occupations_that_use_it_and_rarer_words_weigh_more() -> None:
    scores = LEXICON.scores(["journal entries", "reconciliation", "soudeurs"])
    assert scores.shape == (3, 3)
    assert scores[0, 0] > scores[0, 1] > 0 and scores[0, 2] == 0  # "entries" only for the bookkeepers
    assert scores[1, 0] > 0 and not scores[1, 1:].any()  # reconcile / reconciliation share five letters
    assert np.flatnonzero(scores[2]).tolist() == [2]  # soudeurs, soudeur


def test_no_shared_word_scores_nothing() -> None:
    assert not LEXICON.scores(["asdf", "the of and"]).any()
