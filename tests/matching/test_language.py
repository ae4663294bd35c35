"""English/French query detection (matching.language), trained and evaluated on the real NOC titles."""

import random
from functools import cache

import pytest

from matching.language import LanguageDetector
from tests.support.source_data import JOB_TITLES, csv_rows

HELD_OUT_PER_LANGUAGE = 2_000


def labelled_titles() -> list[tuple[str, str]]:
    return [(row["lang"], row["job_title"]) for row in csv_rows(JOB_TITLES)]


@cache
def detector() -> LanguageDetector:
    return LanguageDetector.from_titles(labelled_titles())


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("infirmière auxiliaire", "fr"),
        ("infirmiere auxiliaire", "fr"),
        ("educatrice petite enfance", "fr"),
        ("chauffeur de taxi", "fr"),
        ("préposée aux bénéficiaires", "fr"),
        ("PAB", "fr"),
        ("Sr. backend dev II - Toronto", "en"),
        ("registered nurse", "en"),
        ("PSW (casual)", "en"),
        ("taxi driver", "en"),
        ("plombier", "fr"),
        ("plumber", "en"),
        ("mécanicien", "fr"),
        ("Technicien(ne) en informatique", "fr"),
        ("Agent/e de sécurité - Montréal", "fr"),
        ("Senior Software Engineer @ Shopify", "en"),
    ],
)
def test_detect(text: str, language: str) -> None:
    assert detector().detect(text) == language


@pytest.mark.parametrize("text", ["", "   ", "!!!", "xqzt", "12345"])
def test_no_evidence_is_english_with_even_odds(text: str) -> None:
    assert detector().detect_with_confidence(text) == ("en", 0.5)


def test_confidence_is_a_probability_of_the_returned_language() -> None:
    for text in ("infirmière auxiliaire", "registered nurse", "agent", "Toronto", "PAB", "de"):
        language, probability = detector().detect_with_confidence(text)
        assert language == detector().detect(text)
        assert 0.5 <= probability <= 1.0
    assert detector().detect_with_confidence("préposée aux bénéficiaires")[1] > 0.99
    assert detector().detect_with_confidence("registered nurse")[1] > 0.99


def test_cues_push_the_expected_way() -> None:
    """Accents, function words and Canadian abbreviations override neutral words."""
    neutral = "xqzt"
    assert detector().detect(f"{neutral} é") == "fr"
    assert detector().detect(f"{neutral} de") == "fr"
    assert detector().detect(f"{neutral} of") == "en"
    assert detector().detect(f"{neutral} pab") == "fr"
    assert detector().detect(f"{neutral} psw") == "en"


def test_other_languages_in_training_data_are_ignored() -> None:
    model = LanguageDetector.from_titles([("en", "nurse"), ("fr", "infirmière"), ("de", "Krankenschwester")])
    assert model.detect("nurse") == "en"
    assert model.detect("infirmiere") == "fr"
    assert "krankenschwester" not in model.token_log_odds


def test_held_out_accuracy() -> None:
    """Titles never seen in training are classified correctly; the floor only catches a broken model."""
    titles = labelled_titles()
    generator = random.Random(2021)
    held_out: dict[str, list[str]] = {}
    training: list[tuple[str, str]] = []
    for language in ("en", "fr"):
        own = [title for lang, title in titles if lang == language]
        chosen = set(generator.sample(range(len(own)), HELD_OUT_PER_LANGUAGE))
        held_out[language] = [title for i, title in enumerate(own) if i in chosen]
        training += [(language, title) for i, title in enumerate(own) if i not in chosen]
    model = LanguageDetector.from_titles(training)
    for language, sample in held_out.items():
        wrong = [title for title in sample if model.detect(title) != language]
        accuracy = 1 - len(wrong) / len(sample)
        print(f"held-out {language}: accuracy {accuracy:.4f} ({len(wrong)} of {len(sample)} wrong), e.g. {wrong[:5]}")
        assert accuracy >= 0.9
