"""`/dashboard` in headless Chromium (Debian's chromium, driven by Playwright), after the scripted
session: an analyst signs in, every chart renders, and the charts, the cards and the data tables
show the numbers the API gives an analyst's key."""

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Page, sync_playwright

from tests.service.api.analytics.conftest import PLAN, Script
from tests.support.browser import CHROMIUM
from tests.support.live_server import live_server

ARTIFACTS = Path(__file__).resolve().parents[4] / "var" / "test-artifacts"
CHARTS = (
    "chart-time",
    "chart-funnel",
    "chart-course",
    "chart-occupation",
    "chart-region",
    "chart-lang",
    "chart-variant",
)


@pytest.fixture(scope="module")
def dashboard(
    script: Script, client: TestClient, reference_database_url: str, index_dir: Path
) -> Iterator[tuple[Page, list[str]]]:
    start = script.today - dt.timedelta(days=29)
    target = {"measure": "clicks", "from": start.isoformat(), "to": script.today.isoformat(), "value": 50}
    assert client.post("/v1/analytics/targets", json=target, headers=script.headers("analyst")).status_code == 201
    with live_server(reference_database_url, index_dir) as (base, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        page = browser.new_page(locale="en-CA")
        problems: list[str] = []
        page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
        page.on("pageerror", lambda error: problems.append(str(error)))
        page.goto(f"{base}/dashboard")
        page.get_by_label("API key").fill(script.keys["analyst"])
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_selector("body[data-loaded=true]", timeout=30_000)
        yield page, problems
        browser.close()


def analyst_summary(client: TestClient, script: Script, **params: str) -> dict[str, Any]:
    response = client.get(
        "/v1/analytics/summary", params={**script.window(), **params}, headers=script.headers("analyst")
    )
    answer: dict[str, Any] = response.json()
    return answer


def test_every_chart_renders_without_a_script_or_policy_error(
    dashboard: tuple[Page, list[str]], request: pytest.FixtureRequest
) -> None:
    page, problems = dashboard
    for chart in CHARTS:
        assert page.locator(f"#{chart} .main-svg").count() > 0, chart
    assert problems == []
    assert page.get_by_role("status").inner_text().startswith("Figures loaded")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)  # kept for a look, not committed
    page.screenshot(path=ARTIFACTS / f"dashboard-{request.node.callspec.id}.png", full_page=True)


def test_the_cards_show_the_analysts_totals(
    dashboard: tuple[Page, list[str]], client: TestClient, script: Script
) -> None:
    page, _ = dashboard
    totals = analyst_summary(client, script)["current"]["totals"]
    for measure in ("searches", "impressions", "clicks", "referrals"):
        shown = page.locator(f"dd[data-measure={measure}]").inner_text()
        assert shown == (f"{totals[measure]:,}" if totals[measure] is not None else "suppressed"), measure


def test_the_variant_chart_and_its_table_show_the_api_numbers(
    dashboard: tuple[Page, list[str]], client: TestClient, script: Script
) -> None:
    page, _ = dashboard
    groups = [row for row in analyst_summary(client, script, group_by="variant")["current"]["groups"] if row["key"]]
    drawn = page.evaluate("() => document.getElementById('chart-variant').data.map((trace) => trace.y)")
    assert drawn == [[row["ctr"] for row in groups], [row["referral_rate"] for row in groups]]
    texts = page.locator("#chart-variant .bartext").all_text_contents()
    labels = page.evaluate("() => document.getElementById('chart-variant').data.flatMap((trace) => trace.text)")
    drawn_texts = [text for text in labels if text != "suppressed"]
    assert sorted(text for text in texts if text != "suppressed") == sorted(drawn_texts) and drawn_texts
    cells = page.locator("#table-variant td[data-column=clicks]").all_text_contents()
    assert cells == [str(row["clicks"]) if row["clicks"] is not None else "suppressed" for row in groups]
    assert "suppressed" in page.locator("#table-variant td[data-column=referrals]").all_text_contents()


def test_the_funnel_and_the_top_programs_match_the_api(
    dashboard: tuple[Page, list[str]], client: TestClient, script: Script
) -> None:
    page, _ = dashboard
    funnel = client.get("/v1/analytics/funnel", params=script.window(), headers=script.headers("analyst")).json()
    drawn = page.evaluate("() => document.getElementById('chart-funnel').data[0].x")
    assert drawn == [step["sessions"] for step in funnel["steps"]]
    courses = analyst_summary(client, script, group_by="course")["current"]["groups"]
    top = sorted((row for row in courses if row["key"] and row["clicks"] is not None), key=lambda row: -row["clicks"])[
        :10
    ]
    drawn_clicks = page.evaluate("() => document.getElementById('chart-course').data[0].x")
    assert sorted(drawn_clicks, reverse=True) == [row["clicks"] for row in top]


def test_the_targets_progress_is_shown(dashboard: tuple[Page, list[str]], client: TestClient, script: Script) -> None:
    page, _ = dashboard
    targets = client.get("/v1/analytics/targets", headers=script.headers("analyst")).json()
    assert page.locator("#targets-section").is_visible()
    assert page.evaluate("() => document.getElementById('chart-targets').data[0].x") == [
        target["progress"] for target in targets
    ]
    actual = page.locator("#table-targets td[data-column=actual]").all_text_contents()
    assert actual == [f"{target['actual']:,.0f}" for target in targets]


def test_an_admin_sees_the_scripted_counts_exactly(dashboard: tuple[Page, list[str]], script: Script) -> None:
    page, _ = dashboard
    page.get_by_role("button", name="Sign out").click()
    page.get_by_label("API key").fill(script.keys["admin"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("() => document.getElementById('disclosure').textContent === 'Exact counts.'")
    for measure in ("searches", "impressions", "clicks", "inquiries", "referrals"):
        assert page.locator(f"dd[data-measure={measure}]").inner_text() == f"{script.expected[measure]:,}", measure
    rows = page.locator("#table-variant tbody tr")
    shown = {
        rows.nth(index).locator("th").text_content(): rows.nth(index).locator("td[data-column=clicks]").text_content()
        for index in range(rows.count())
    }
    assert shown == {variant: str(counts["clicks"]) for variant, counts in script.by_variant.items()}
    funnel = page.evaluate("() => document.getElementById('chart-funnel').data[0].x")
    clicked = sum(1 for plan in PLAN.values() if plan[2])
    converted = sum(1 for plan in PLAN.values() if plan[3] or plan[4])
    assert funnel == [len(PLAN), len(PLAN), clicked, converted]


def test_the_page_switches_to_french(dashboard: tuple[Page, list[str]]) -> None:
    page, _ = dashboard
    page.get_by_role("button", name="Français").click()
    page.wait_for_selector("html[lang=fr]")
    assert page.get_by_role("heading", level=1).inner_text() == "Tableau de bord analytique"
    page.wait_for_function("() => document.getElementById('status').textContent.startsWith('Chiffres chargés')")
    page.get_by_role("button", name="English").click()
