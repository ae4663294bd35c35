"""`negotiate_language`: the supported language an Accept-Language header prefers most, else English."""

import pytest

from service.http.language import negotiate_language


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (None, "en"),
        ("", "en"),
        ("   ", "en"),
        ("fr", "fr"),
        ("en", "en"),
        ("fr-CA,fr;q=0.9", "fr"),
        ("fr-CA,fr;q=0.9,en;q=0.8", "fr"),
        ("en-CA,en;q=0.9,fr;q=0.8", "en"),
        ("FR-ca", "fr"),
        ("fr-Latn-CA", "fr"),
    ],
)
def test_tags_and_regional_variants(header: str | None, expected: str) -> None:
    assert negotiate_language(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en;q=0.5,fr;q=0.8", "fr"),
        ("en-GB;q=0.2, fr-FR;q=0.1", "en"),
        ("en,fr;q=0.9", "en"),
        ("fr;q=0.5,en", "en"),  # no q means 1
        ("en;q=0.5,fr;q=0.5", "en"),  # a tie goes to the first listed
        ("fr;q=0.5,en;q=0.5", "fr"),
        (" fr-CA ; q=0.7 , en ; q=0.3 ", "fr"),
        ("fr-CA;level=1;q=0.2,en;q=0.1", "fr"),
    ],
)
def test_quality_values(header: str, expected: str) -> None:
    assert negotiate_language(header) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("de-DE,de;q=0.9", "en"),
        ("de-DE,de;q=0.9,fr;q=0.5", "fr"),
        ("es,it;q=0.8,fr-CA;q=0.3", "fr"),
        ("*", "en"),
        ("fr;q=0", "en"),  # q=0 means "not acceptable"
        ("fr;q=0,en;q=0", "en"),
        ("fr;q=0,de", "en"),
        ("fr;q=abc", "en"),  # an unreadable weight does not make French acceptable
        ("fr;q=nan", "en"),  # nor does a float that is not a weight
        ("fr;q=inf,en;q=0.5", "en"),
        ("fr;q=2,en;q=0.5", "en"),  # weights are at most 1
        ("fr;q=-1", "en"),
        ("fr;q=0.1234,en;q=0.5", "en"),  # at most three decimals
        ("fr;q=1.000,en;q=0.5", "fr"),
        ("fre,english", "en"),  # not language tags of a supported language
    ],
)
def test_unsupported_or_unacceptable_languages(header: str, expected: str) -> None:
    assert negotiate_language(header) == expected


def test_weight_parameter_name_is_case_insensitive() -> None:
    """RFC 9110 §12.4.2: the "q=" of a weight is case-insensitive."""
    assert negotiate_language("en;Q=0.1,fr;Q=0.9") == "fr"
