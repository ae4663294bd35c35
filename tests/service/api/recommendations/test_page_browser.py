"""The public page in headless Chromium (Debian's chromium, driven by Playwright) against a real
`lmi serve`: axe-core (from npm) finds no serious or critical WCAG 2.1 A/AA violation in either
language; a keyboard-only person goes from the title box to a program's page and answers "was this
helpful?"; without JavaScript the form still answers; the back button and a shared address give the
same results; the page fits a 360 px phone and 200% zoom. Screenshots and axe's full findings are
kept in var/test-artifacts (not committed)."""

import html
import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Route
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.events import Event
from tests.support.pages import ARTIFACTS, LOCALES, axe_findings, watched
from tests.support.pages import tab_until as tab_until_focused

PHONE = {"width": 360, "height": 740}
DESKTOP = {"width": 1280, "height": 900}
ZOOMED = {"width": 640, "height": 450}  # a 1280 × 900 window at 200% zoom
TRACKED_LINK = re.compile(r"/r/[^/?]+$")
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("catalogs")]


def program_site(route: Route) -> None:
    """A tracked link goes to the service (which logs the click and redirects), but the program's own
    site is not reached from the tests: a page saying where the redirect led stands in for it."""
    answer = route.fetch(max_redirects=0)
    target = html.escape(answer.headers.get("location", ""))
    route.fulfill(
        status=200,
        content_type="text/html",
        body=f"<!doctype html><title>Program page</title><p id=target>{answer.status} {target}</p>",
    )


def open_context(browser: Browser, lang: str, **options: Any) -> BrowserContext:
    context = browser.new_context(locale=LOCALES[lang], viewport=options.pop("viewport", DESKTOP), **options)
    context.route(TRACKED_LINK, program_site)
    return context


def searches(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Event).where(Event.type == "search")) or 0)


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize(
    "view",
    [{}, {"q": "infirmière auxiliaire", "region": "ER3530"}, {"q": "PSW"}, {"q": "student"}, {"q": "x" * 201}],
    ids=["home", "result", "did-you-mean", "no-match", "errors"],
)
def test_axe_finds_no_serious_or_critical_violation(
    browser: Browser, base: str, lang: str, view: dict[str, str], request: pytest.FixtureRequest
) -> None:
    context = open_context(browser, lang, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    page.goto(base + "/", wait_until="load")
    if view:
        page.fill("#q", view["q"]) if len(view["q"]) <= 200 else page.evaluate(
            "(text) => { const q = document.getElementById('q'); q.removeAttribute('maxlength'); q.value = text; }",
            view["q"],
        )
        page.press("#q", "Escape")  # close the suggestions, which may cover the button
        if "region" in view:
            page.select_option("#region", view["region"])
        page.click("button[type=submit]")
        page.wait_for_selector("#result-heading, #errors")
    findings = axe_findings(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    name = request.node.callspec.id.replace("/", "-")
    (ARTIFACTS / f"axe-{name}.json").write_text(json.dumps(findings, indent=1, ensure_ascii=False))
    serious = [
        (item["id"], item["impact"], len(item["nodes"]))
        for item in findings
        if item["impact"] in ("serious", "critical")
    ]
    assert serious == []
    context.close()


def focus_of(page: Page) -> dict[str, str]:
    described: dict[str, str] = page.evaluate(
        """() => { const e = document.activeElement; const style = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || '').trim().slice(0, 80),
                    cls: e.closest('li.card') ? 'card' : (e.closest('form.feedback') ? 'feedback' : ''),
                    outline: style.outlineStyle + ' ' + style.outlineWidth}; }"""
    )
    return described


def tab_until(page: Page, wanted: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    return tab_until_focused(page, wanted, focus_of, limit=80)


def test_a_keyboard_user_finds_programs_in_french_follows_one_and_answers_feedback(
    browser: Browser, base: str, reference_engine: Engine
) -> None:
    context = open_context(browser, "fr")
    page, problems = watched(context)
    page.goto(base + "/")
    walked = tab_until(page, lambda focus: focus["id"] == "q")
    assert [focus["text"] for focus in walked[:2]] == ["Passer aux résultats", "English version"]
    page.keyboard.type("infirmière aux")
    page.wait_for_selector("#q-suggestions [role=option]")
    assert page.get_attribute("#q", "aria-expanded") == "true"
    page.keyboard.press("ArrowDown")
    active = page.get_attribute("#q", "aria-activedescendant")
    chosen = page.get_attribute(f"#{active}", "data-title")
    assert chosen is not None and "infirmière auxiliaire" in chosen.casefold()
    page.keyboard.press("Enter")
    assert page.input_value("#q") == chosen and page.get_attribute("#q", "aria-expanded") == "false"
    page.keyboard.press("Tab")
    assert focus_of(page)["id"] == "region"
    page.keyboard.type("Toronto")
    assert page.input_value("#region") == "ER3530"
    walked = tab_until(page, lambda focus: focus["tag"] == "button")
    assert [focus["tag"] for focus in walked] == ["summary", "summary", "button"]
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'result-heading'")
    heading = page.inner_text("#result-heading")
    assert heading.startswith("Infirmiers auxiliaires/infirmières auxiliaires")
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('formations pour')")
    assert re.fullmatch(
        r"\d+ formations pour Infirmiers auxiliaires/infirmières auxiliaires\.", page.inner_text("#announce")
    )
    assert dict(parse_qsl(urlsplit(page.url).query)) == {"q": chosen, "region": "ER3530", "lang": "fr"}
    assert page.url.endswith("&lang=fr")  # in the server's order: the same search has one address
    walked = tab_until(page, lambda focus: focus["cls"] == "card")
    assert all(focus["outline"].split()[0] != "none" for focus in walked)  # the focus is always visible
    program = focus_of(page)["text"]
    impression = page.evaluate("() => document.activeElement.closest('li.card').dataset.impression")
    page.keyboard.press("Enter")
    page.wait_for_url(TRACKED_LINK)
    with Session(reference_engine) as session:
        shown = session.scalar(
            select(Event.target_url).where(Event.impression_id == impression, Event.type == "impression")
        )
    assert shown and page.inner_text("#target") == f"302 {shown}"  # the program's page, through the service
    page.go_back()
    page.wait_for_selector("#result-heading")
    page.locator("li.card a", has_text=program).first.focus()
    tab_until(page, lambda focus: focus["cls"] == "feedback" and focus["text"] == "Oui")
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.classList.contains('thanks')")
    assert page.inner_text(".thanks") == "Merci de votre réponse."
    visit = next(cookie["value"] for cookie in context.cookies() if cookie["name"] == "lmi_session")
    with Session(reference_engine) as session:
        kinds = list(session.scalars(select(Event.type).where(Event.session_id == visit).order_by(Event.id)))
    assert kinds[:3] == ["page_view", "page_view", "search"] and "click" in kinds and kinds[-1] == "feedback"
    assert problems == []
    context.close()


def test_without_javascript_the_server_answers_the_form(browser: Browser, base: str) -> None:
    context = open_context(browser, "en", java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/")
    assert page.get_attribute("#q", "role") is None  # a plain text box
    page.fill("#q", "infirmière auxiliaire")
    page.select_option("#region", "ER3530")
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(r"q=infirmi%C3%A8re\+auxiliaire"))
    assert page.inner_text("#result-heading").startswith("Licensed practical nurses")
    assert page.locator("ul.facts li").first.inner_text().startswith("Median wage in Toronto: $")
    viu = page.locator("li.card", has_text="Offered by Vancouver Island University")
    viu.locator("h4 a", has_text="Practical Nursing").first.click()  # linked to the occupation by VIU
    page.wait_for_url(TRACKED_LINK)
    assert page.inner_text("#target").startswith("302 https://www.viu.ca/")
    page.go_back()
    page.click("form.feedback button[value=yes]")
    assert page.inner_text(".thanks") == "Thank you for your answer."
    context.close()


def test_the_back_button_and_a_shared_address_give_the_same_results(
    browser: Browser, base: str, reference_engine: Engine
) -> None:
    context = open_context(browser, "en")
    page, problems = watched(context)
    page.goto(base + "/")
    page.fill("#q", "welder")
    page.press("#q", "Escape")
    page.click("button[type=submit]")
    page.wait_for_function("() => document.getElementById('result-heading')?.textContent.startsWith('Welders')")
    page.fill("#q", "PSW")
    page.press("#q", "Escape")
    page.click("button[type=submit]")
    page.wait_for_selector(".did-you-mean a")
    alternative = page.inner_text(".did-you-mean a >> nth=0")
    page.click(".did-you-mean a >> nth=0")
    page.wait_for_function(
        "(title) => document.getElementById('result-heading')?.textContent.trim() === title", arg=alternative
    )
    assert "noc=" in page.url and page.input_value("#q") == "PSW"
    shared = page.url
    before = searches(reference_engine)
    page.go_back()
    page.wait_for_selector(".did-you-mean")
    assert "q=PSW" in page.url and "noc=" not in page.url
    page.go_back()
    page.wait_for_function("() => document.getElementById('result-heading')?.textContent.startsWith('Welders')")
    assert page.input_value("#q") == "welder"
    assert searches(reference_engine) == before  # going back shows what was shown, no new search
    page.go_forward()
    page.wait_for_selector(".did-you-mean")
    assert problems == []
    elsewhere = open_context(browser, "en").new_page()
    elsewhere.goto(shared)
    assert elsewhere.inner_text("#result-heading") == alternative
    context.close()


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_page_fits_a_phone_and_200_percent_zoom(browser: Browser, base: str, lang: str) -> None:
    address = f"{base}/?q=infirmi%C3%A8re+auxiliaire&region=ER3530&lang={lang}"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for device, viewport in (("phone", PHONE), ("zoomed", ZOOMED), ("desktop", DESKTOP)):
        context = open_context(browser, lang, viewport=viewport)
        page = context.new_page()
        page.goto(address)
        page.wait_for_selector("li.card")
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, device  # no sideways scrolling
        page.screenshot(path=ARTIFACTS / f"page-{lang}-{device}.png", full_page=True)
        context.close()
