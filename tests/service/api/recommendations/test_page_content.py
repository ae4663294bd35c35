"""The public page's sentences on pay and outlook, from a recommendation's labour-market summary:
each with its place, source and period, numbers written as the page's language writes them."""

from labour_market.profile import MarketSummary, NationalWageFigures, Outlook, RegionalWageFigures, Wages
from labour_market.regions import RegionInfo
from service.api.recommendations.page_content import outlook_lines, wage_lines
from service.api.recommendations.page_text import page_texts

NBSP = "\xa0"
TORONTO = RegionInfo("ER3530", "economic_region", "Toronto", "Toronto", "Toronto", "35", "ON", "3530")
ONTARIO = RegionInfo("35", "province", "Ontario", "Ontario", "Ontario", "35", "ON", "35")
NATIONAL = NationalWageFigures(20.0, 30.0, 45.0, "hour", "2023-2024", "Job Bank wages 2025, Canada", None, None)
OUTLOOK = Outlook(
    period="2024-2033",
    future_conditions="Strong risk of Shortage",
    future_conditions_en="Strong risk of Shortage",
    future_conditions_fr="Risque important de pénurie",
    recent_conditions=None,
    employment_2023=62600.0,
    employment_growth=14200.0,
    retirements=10200.0,
    job_openings=27900.0,
    job_seekers=27800.0,
    source="COPS",
)


def regional(region: RegionInfo, note: str | None) -> RegionalWageFigures:
    return RegionalWageFigures(TORONTO, region, note is not None, note, 28.0, 34.5, 41.25, "hour", "2024", "", [])


def summary(wages: Wages, outlook: Outlook | None = OUTLOOK) -> MarketSummary:
    return MarketSummary(teer=3, definition=None, outlook=outlook, wages=wages)


def test_the_median_wage_names_its_place_source_and_period_in_both_languages() -> None:
    market = summary(Wages(NATIONAL, regional(TORONTO, None)))
    english = wage_lines(market, page_texts("en"), "en")
    assert english == [
        "Median wage in Toronto: $34.50 an hour (Job Bank, 2024).",
        "Most wages are between $28.00 and $41.25 an hour.",
    ]
    french = wage_lines(market, page_texts("fr"), "fr")
    assert french[0] == f"Salaire médian, Toronto : 34,50{NBSP}$ l'heure (Guichet-Emplois, 2024)."


def test_without_a_region_the_national_wage_is_shown_and_a_fallback_says_so() -> None:
    national_only = wage_lines(summary(Wages(NATIONAL, None)), page_texts("en"), "en")
    assert national_only[0] == "Median wage in Canada: $30.00 an hour (Job Bank, 2023–2024)."
    note = "No wage is published for Toronto (economic region 3530); the figures are for Ontario."
    fallen_back = wage_lines(summary(Wages(NATIONAL, regional(ONTARIO, note))), page_texts("en"), "en")
    assert fallen_back[0].startswith("Median wage in Ontario:") and fallen_back[-1] == note
    yearly = NationalWageFigures(None, 81234.0, None, "year", "2021", None, None, None)
    assert wage_lines(summary(Wages(yearly, None)), page_texts("fr"), "fr") == [
        f"Salaire médian, Canada : 81{NBSP}234{NBSP}$ par année (Guichet-Emplois, 2021)."
    ]
    assert wage_lines(summary(Wages(None, None)), page_texts("en"), "en") == ["No wage is published for this job."]


def test_the_outlook_is_said_in_plain_words_with_its_numbers_and_source() -> None:
    english = outlook_lines(summary(Wages(NATIONAL, None)), page_texts("en"), "en")
    assert english[0] == (
        "Outlook in Canada, 2024 to 2033: strong risk of shortage: more jobs than people to fill them."
    )
    assert english[1] == "About 27,900 jobs are expected to open, for 27,800 people looking for work in it."
    assert english[2] == "Employment is expected to grow by 23% (62,600 people worked in it in 2023)."
    assert english[3] == "(Canadian Occupational Projection System, ESDC, 2024–2033.)"
    french = outlook_lines(summary(Wages(NATIONAL, None)), page_texts("fr"), "fr")
    assert french[2] == f"L'emploi devrait croître de 23{NBSP}% (62{NBSP}600 personnes l'exerçaient en 2023)."
    assert outlook_lines(summary(Wages(NATIONAL, None), None), page_texts("en"), "en") == [
        "No outlook is published for this job."
    ]
