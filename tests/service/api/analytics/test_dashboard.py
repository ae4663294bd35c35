"""`/dashboard` in headless Chromium (Debian's chromium, driven by Playwright), after the scripted
session: an analyst signs in, every chart renders, and the charts, the cards and the data tables
show the numbers the API gives an analyst's key; with small rates (answers made up here), the axes'
ticks are distinct and as precise as the data, in English and in French."""

import datetime as dt
import json
import re
import urllib.parse
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from playwright.sync_api import Browser, Page, Route, sync_playwright

from tests.service.api.analytics.conftest import PLAN, Script
from tests.support.browser import CHROMIUM
from tests.support.live_server import live_server

pytestmark = pytest.mark.browser

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
# The value axes, and what they measure.
PERCENT_AXES = (
    ("chart-targets", "xaxis"),
    ("chart-time", "yaxis2"),
    ("chart-region", "yaxis"),
    ("chart-lang", "yaxis"),
    ("chart-variant", "yaxis"),
    ("chart-experiment", "xaxis"),
)
COUNT_AXES = (("chart-time", "yaxis"), ("chart-course", "xaxis"), ("chart-occupation", "xaxis"))
# The labels plotly drew on an axis, and the values they stand at.
TICKS = """([chart, axis]) => {
  const element = document.getElementById(chart);
  const shown = [...element.querySelectorAll(`.${axis.replace("axis", "")}tick text`)].map((text) => text.textContent);
  return { shown, values: element._fullLayout[axis]._vals.map((tick) => tick.x) };
}"""
# Numbers as Intl.NumberFormat writes them for en-CA and fr-CA (the tables' format).
NUMBER = {
    "en": re.compile(r"(?P<sign>-?)(?P<whole>\d{1,3}(?:,\d{3})*)(?:\.(?P<decimals>\d+))?(?P<percent>%?)"),
    "fr": re.compile(
        r"(?P<sign>[-\u2212]?)(?P<whole>\d{1,3}(?:[\u00a0\u202f]\d{3})*)(?:,(?P<decimals>\d+))?(?P<percent>(?:\u00a0%)?)"
    ),
}


@pytest.fixture(scope="module")
def server(reference_database_url: str, index_dir: Path) -> Iterator[tuple[str, Browser]]:
    """The service on a port of its own, and a browser."""
    with live_server(reference_database_url, index_dir) as (base, _), sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        yield base, browser
        browser.close()


def watch(page: Page) -> list[str]:
    """The script errors and failed loads the page reports, as they come."""
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return problems


def sign_in(page: Page, base: str, key: str) -> None:
    page.goto(f"{base}/dashboard")
    page.locator("#key").fill(key)
    page.locator("#sign-in button[type=submit]").click()
    page.wait_for_selector("body[data-loaded=true]", timeout=60_000)


@pytest.fixture(scope="module")
def dashboard(script: Script, client: TestClient, server: tuple[str, Browser]) -> Iterator[tuple[Page, list[str]]]:
    start = script.today - dt.timedelta(days=29)
    target = {"measure": "clicks", "from": start.isoformat(), "to": script.today.isoformat(), "value": 50}
    assert client.post("/v1/analytics/targets", json=target, headers=script.headers("analyst")).status_code == 201
    base, browser = server
    context = browser.new_context(locale="en-CA")
    page = context.new_page()
    problems = watch(page)
    sign_in(page, base, script.keys["analyst"])
    yield page, problems
    context.close()


def analyst_summary(client: TestClient, script: Script, **params: str) -> dict[str, Any]:
    response = client.get(
        "/v1/analytics/summary", params={**script.window(), **params}, headers=script.headers("analyst")
    )
    answer: dict[str, Any] = response.json()
    return answer


def ticks(page: Page, chart: str, axis: str) -> list[tuple[str, float]]:
    drawn: dict[str, list[Any]] = page.evaluate(TICKS, [chart, axis])
    assert len(drawn["shown"]) == len(drawn["values"]), (chart, axis, drawn)
    return list(zip(drawn["shown"], drawn["values"], strict=True))


def read_number(text: str, language: str) -> tuple[float, int, bool]:
    """A label's value (a percent as a fraction), its number of decimals, and whether it is a percent."""
    match = NUMBER[language].fullmatch(text)
    assert match, (text, language)
    decimals = match["decimals"] or ""
    whole = re.sub(r"\D", "", match["whole"])
    value = float(f"{whole}.{decimals or '0'}") * (-1 if match["sign"] else 1)
    is_percent = bool(match["percent"])
    return (value / 100 if is_percent else value), len(decimals), is_percent


def assert_percent_axis(page: Page, chart: str, axis: str, language: str, least: int = 3) -> list[str]:
    """`least` ticks or more, each label a percent saying exactly the value it stands at (so as many
    decimals as the step needs), all with the same decimals, no two alike."""
    drawn = ticks(page, chart, axis)
    labels = [label for label, _ in drawn]
    assert len(drawn) >= least and len(set(labels)) == len(labels), (chart, axis, labels)
    read = [read_number(label, language) for label, _ in drawn]
    assert all(is_percent for _, _, is_percent in read), (chart, axis, labels)
    assert len({decimals for _, decimals, _ in read}) == 1, (chart, axis, labels)
    for (label, value), (shown, _, _) in zip(drawn, read, strict=True):
        assert shown == pytest.approx(value, abs=1e-12), (chart, axis, label, value)
    return labels


def assert_count_axis(page: Page, chart: str, axis: str, language: str) -> list[str]:
    """Two ticks or more, whole numbers each saying the value it stands at, no two alike."""
    drawn = ticks(page, chart, axis)
    labels = [label for label, _ in drawn]
    assert len(drawn) >= 2 and len(set(labels)) == len(labels), (chart, axis, labels)
    for label, value in drawn:
        shown, decimals, is_percent = read_number(label, language)
        assert not is_percent and decimals == 0 and shown == value == round(value), (chart, axis, label, value)
    return labels


def test_every_chart_renders_without_a_script_or_policy_error(
    dashboard: tuple[Page, list[str]], request: pytest.FixtureRequest
) -> None:
    page, problems = dashboard
    for chart in CHARTS:
        assert page.locator(f"#{chart} .main-svg").count() > 0, chart
    assert problems == []
    for chart, axis in PERCENT_AXES:
        # (The experiment's chart is not drawn when there is no arm to compare.)
        if page.evaluate("(chart) => Boolean(document.getElementById(chart)._fullLayout)", chart):
            assert_percent_axis(page, chart, axis, "en", least=2)
    for chart, axis in COUNT_AXES:
        assert_count_axis(page, chart, axis, "en")
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
    for measure in ("clicks", "referrals"):  # a few referrals per arm: suppressed, or rounded to 0 or 5
        cells = page.locator(f"#table-variant td[data-column={measure}]").all_text_contents()
        assert cells == [str(row[measure]) if row[measure] is not None else "suppressed" for row in groups]


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


def figures(template: dict[str, Any], key: str, label: str | None = None, **values: Any) -> dict[str, Any]:
    """A row of a breakdown, shaped as the API's: every measure suppressed (null) but those given."""
    return {**dict.fromkeys(template, None), "change": None, "key": key, "label": label, **values}


def rates(
    template: dict[str, Any], key: str, label: str | None, impressions: int, *counts: int | None
) -> dict[str, Any]:
    """A row with clicks and referrals, and their rates as the API computes them (null when suppressed)."""
    clicks, referrals = counts
    return figures(
        template,
        key,
        label,
        impressions=impressions,
        clicks=clicks,
        ctr=None if clicks is None else round(clicks / impressions, 4),
        referrals=referrals,
        referral_rate=None if referrals is None else round(referrals / impressions, 4),
    )


def target(key: int, measure: str, actual: float, goal: float, days: list[str]) -> dict[str, Any]:
    period = {"from": days[0], "to": days[-1]}
    return {
        "id": key,
        "measure": measure,
        "label": None,
        "period": period,
        "baseline_period": None,
        "change": None,
        "value": goal,
        "so_far": period,
        "actual": actual,
        "baseline": None,
        "goal": goal,
        "change_so_far": None,
        "progress": round(actual / goal, 4),
        "on_track": False,
    }


def small_rates(client: TestClient, script: Script) -> dict[str, dict[str, Any]]:
    """The API's answers to the page's requests with their figures replaced: rates from 0.04 % to 1.3 % and
    few clicks, some suppressed, as a portal with many impressions and few clicks gets."""
    answers = {group: analyst_summary(client, script, group_by=group) for group in ("day", "course", "occupation")}
    answers |= {group: analyst_summary(client, script, group_by=group) for group in ("region", "lang", "variant")}
    answers["totals"] = analyst_summary(client, script)
    answers["funnel"] = client.get(
        "/v1/analytics/funnel", params=script.window(), headers=script.headers("analyst")
    ).json()
    row = answers["totals"]["current"]["totals"]
    days = [(script.today - dt.timedelta(days=4 - index)).isoformat() for index in range(5)]
    groups = {
        "day": [
            rates(row, day, None, 2000, clicks, referrals)
            for day, clicks, referrals in zip(days, (10, 15, 20, 15, 25), (2, None, 3, 1, None), strict=True)
        ],
        # Two programs of the same name (at two institutions) are two bars.
        "course": [
            figures(row, "viu:PN", "Practical Nursing", impressions=900, clicks=3),
            figures(row, "cnc:PN", "Practical Nursing", impressions=800, clicks=2),
            figures(row, "viu:ELEC", "Electrician Foundation", impressions=700, clicks=1),
        ],
        "occupation": [figures(row, "32101", "Licensed practical nurses", impressions=5)],
        "region": [rates(row, "59", "British Columbia", 60000, 530, 150), rates(row, "35", "Ontario", 40000, 245, 50)],
        "lang": [rates(row, "en", None, 50000, 600, 200), rates(row, "fr", None, 40000, 180, None)],
        "variant": [rates(row, "control", None, 50000, 520, 210), rates(row, "ranking-v2", None, 50000, 590, None)],
    }
    for group, rows in groups.items():
        answers[group]["current"]["groups"] = rows
    # The referral rate's difference is withheld: ranking-v2's referrals are suppressed.
    difference = {"rate": "ctr", "difference": 0.0014, "ci_low": -0.0003, "ci_high": 0.0031, "significant": False}
    answers["variant"]["experiment"] = {
        "reference_variant": "control",
        "arms": [
            {"variant": "control", "reference": True, "differences": [], "note": None},
            {"variant": "ranking-v2", "reference": False, "differences": [difference], "note": "a count is suppressed"},
        ],
    }
    answers["totals"]["targets"] = [target(1, "clicks", 65, 5000, days), target(2, "ctr", 0.0004, 0.1, days)]
    return answers


def local(text: str, language: str) -> str:
    """An English percent (0.4%) as the page writes it in `language`."""
    return text if language == "en" else text.replace(".", ",").replace("%", "\u00a0%")


@pytest.mark.parametrize(("locale", "language"), [("en-CA", "en"), ("fr-CA", "fr")])
def test_small_rates_get_distinct_precise_ticks(
    server: tuple[str, Browser], client: TestClient, script: Script, locale: str, language: str
) -> None:
    """With made-up answers (page.route) of small rates and few clicks, each percent axis labels its ticks
    with the decimals they need (0.2 %, 0.4 %…, not 0 %, 0 %, 1 %), each count axis with whole numbers, as
    the tables write numbers; the charts draw the answers' figures, a suppressed one as missing."""
    answers = small_rates(client, script)

    def answer(route: Route) -> None:
        url = urllib.parse.urlsplit(route.request.url)
        group = dict(urllib.parse.parse_qsl(url.query)).get("group_by", "totals")
        body = answers["funnel" if url.path.endswith("/funnel") else group]
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    base, browser = server
    context = browser.new_context(locale=locale)
    try:
        page = context.new_page()
        problems = watch(page)
        page.route("**/v1/analytics/**", answer)
        sign_in(page, base, script.keys["analyst"])
        assert page.evaluate("() => document.documentElement.lang") == language
        labels = {(chart, axis): assert_percent_axis(page, chart, axis, language) for chart, axis in PERCENT_AXES}
        for chart, axis in COUNT_AXES:
            assert_count_axis(page, chart, axis, language)
        assert labels[("chart-lang", "yaxis")] == [local(f"{tenth / 10:.1f}%", language) for tenth in range(0, 13, 2)]
        suppressed = {"en": "suppressed", "fr": "supprimé"}[language]
        drawn = page.evaluate("() => document.getElementById('chart-lang').data.map((trace) => trace.y)")
        assert drawn == [[0.012, 0.0045], [0.004, None]]
        cells = page.locator("#table-lang td[data-column=referral_rate]").all_text_contents()
        assert cells == [local("0.4%", language), suppressed]
        assert page.evaluate("() => document.getElementById('chart-time').data[0].y") == [2, None, 3, 1, None]
        assert page.locator("#table-time td[data-column=referrals]").all_text_contents()[1] == suppressed
        # The withheld difference is not drawn, and said suppressed.
        assert page.evaluate("() => document.getElementById('chart-experiment').data[0].x") == [0.0014, None]
        assert page.locator("#table-experiment td[data-column=difference]").all_text_contents()[1] == suppressed
        # The two programs named alike are two bars; a rate's target is in percent.
        assert page.evaluate("() => document.getElementById('chart-course').data[0].x") == [1, 2, 3]
        assert len(ticks(page, "chart-course", "yaxis")) == 3
        actual = page.locator("#table-targets td[data-column=actual]").all_text_contents()
        assert actual == ["65", local("0.04%", language)]
        assert problems == []
    finally:
        context.close()
