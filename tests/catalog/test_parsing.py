"""Costs and durations read from the text of listings: every price, effort, length and duration the
edX and Coursera sample files write, and the forms other catalogs use."""

import re

import pytest

from catalog.parsing import USD_TO_CAD, parse_cost_cad, parse_duration_hours
from tests.support.source_data import csv_rows

EDX = "catalogs/edx_courses.csv"
COURSERA = "catalogs/coursera_courses_with_skills.csv"


def distinct(path: str, column: str) -> list[str]:
    return sorted({row[column] for row in csv_rows(path)})


@pytest.mark.parametrize(
    ("text", "cad"),
    [
        ("FREE-Add a Verified Certificate for $49 USD", 67.12),  # 49 x 1.3698 = 67.1202
        ("FREE-Add a Verified Certificate for $49.99 USD", 68.48),
        ("FREE-Add a Verified Certificate for $299.70 USD", 410.53),
        ("FREE-Add a Verified Certificate for $5 USD", 6.85),
        ("FREE", 0.0),
        ("Gratuit", 0.0),
        ("1 250,50 $", 1250.5),
        ("$1,200", 1200.0),
        ("250 CAD", 250.0),
        ("US$ 20", 27.4),
        ("C$49; prices elsewhere in USD", 49.0),
        ("bonus $50", 50.0),  # "us" ending a word is not a currency
        ("450", 450.0),
        ("$300 per term, $1,200 in all", 1200.0),  # the most a person pays
    ],
)
def test_costs_in_canadian_dollars(text: str, cad: float) -> None:
    assert parse_cost_cad(text) == cad


@pytest.mark.parametrize("text", ["", "Bachelor's", "contact us", "2 Weeks"])
def test_text_without_a_price_has_no_cost(text: str) -> None:
    assert parse_cost_cad(text) is None


def test_every_edx_price_is_its_certificate_in_canadian_dollars() -> None:
    prices = distinct(EDX, "price")
    assert len(prices) == 47
    for text in prices:
        usd = re.fullmatch(r"FREE-Add a Verified Certificate for \$([0-9.]+) USD", text)
        assert usd is not None, text
        assert parse_cost_cad(text) == round(float(usd[1]) * USD_TO_CAD, 2), text


def test_the_exchange_rate_is_the_bank_of_canada_2024_average() -> None:
    assert USD_TO_CAD == 1.3698


def test_every_edx_effort_and_length_give_the_most_hours() -> None:
    efforts, lengths = distinct(EDX, "course_effort"), distinct(EDX, "course_length")
    assert (len(efforts), len(lengths)) == (53, 18)
    for effort in efforts:
        most = re.fullmatch(r"([0-9]+)–([0-9]+) hours per week", effort)
        assert most is not None, effort
        for length in lengths:
            weeks = re.fullmatch(r"([0-9]+) Weeks", length)
            assert weeks is not None, length
            assert parse_duration_hours(f"{effort} | {length}") == int(most[2]) * int(weeks[1]), (effort, length)


def test_the_coursera_durations_at_ten_hours_a_week() -> None:
    expected = {
        "Less Than 2 Hours": 2.0,
        "1 - 4 Weeks": 40.0,
        "1 - 3 Months": 130.0,  # 3 months = 13 weeks
        "3 - 6 Months": 260.0,
    }
    assert distinct(COURSERA, "Duration") == sorted(expected)
    assert {text: parse_duration_hours(text, hours_per_week=10) for text in expected} == expected


@pytest.mark.parametrize(
    ("text", "hours_per_week", "hours"),
    [
        ("8 months", 30, 1040.0),  # 8 x 52/12 weeks
        ("1 year", 30, 1040.0),  # an academic year: 8 months
        ("2 years", 30, 2080.0),
        ("2 ans", 30, 2080.0),
        ("2 semesters", 30, 1040.0),
        ("12 semaines", 5, 60.0),
        ("3 h par semaine pendant 10 semaines", None, 30.0),
        ("3 to 5 hrs/week for 4 weeks", None, 20.0),
        ("40 hours over 4 weeks", 30, 40.0),  # a total wins over a length
        ("1,5 heures", None, 1.5),
        ("6 Weeks", 10, 60.0),
    ],
)
def test_durations_of_other_catalogs(text: str, hours_per_week: float | None, hours: float) -> None:
    assert parse_duration_hours(text, hours_per_week) == hours


@pytest.mark.parametrize(
    ("text", "hours_per_week"),
    [
        ("1 - 4 Weeks", None),  # a length without a pace
        ("3–5 hours per week", 10),  # a pace without a length
        ("Bachelor's", 30),
        ("Master's", 30),
        ("2 hours per day", 10),
        ("", 10),
    ],
)
def test_what_does_not_say_how_long_has_no_duration(text: str, hours_per_week: float | None) -> None:
    assert parse_duration_hours(text, hours_per_week) is None
