"""The page's career answers in headless Chromium against a real `lmi serve` (as test_page_browser.py):
axe-core finds no serious or critical violation on "What can you do?"'s answer and on a result with
"Jobs you could move to", in both languages; a keyboard-only person types skills, submits them and
opens a job; without JavaScript the skills form still answers."""

import json
import re
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from tests.support.pages import ARTIFACTS, LOCALES, axe_findings, watched
from tests.support.pages import tab_until as tab_until_focused

SKILLS = {"en": "pruning fruit trees, driving a tractor", "fr": "montage vidéo; sous-titrage"}
NURSE = {"en": "licensed practical nurse", "fr": "infirmière auxiliaire"}
pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("catalogs")]


def open_context(browser: Browser, lang: str, **options: Any) -> BrowserContext:
    return browser.new_context(locale=LOCALES[lang], viewport={"width": 1280, "height": 900}, **options)


def axe_serious(page: Page, name: str) -> list[tuple[str, str, int]]:
    findings = axe_findings(page)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"axe-careers-{name}.json").write_text(json.dumps(findings, indent=1, ensure_ascii=False))
    return [
        (item["id"], item["impact"], len(item["nodes"]))
        for item in findings
        if item["impact"] in ("serious", "critical")
    ]


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("view", ["skills", "moves"])
def test_axe_finds_no_serious_or_critical_violation(browser: Browser, base: str, lang: str, view: str) -> None:
    context = open_context(browser, lang, bypass_csp=True)  # axe is injected as an inline script
    page = context.new_page()
    if view == "skills":
        page.goto(base + "/", wait_until="load")
        page.fill("#can", SKILLS[lang])
        page.click("#can-search button[type=submit]")
        page.wait_for_selector("ol.occupations a")
    else:
        page.goto(f"{base}/?q={NURSE[lang]}&region=ER3530&lang={lang}", wait_until="load")
        page.wait_for_selector("#h-moves")
    assert axe_serious(page, f"{view}-{lang}") == []
    context.close()


def focus_of(page: Page) -> dict[str, str]:
    described: dict[str, str] = page.evaluate(
        """() => { const e = document.activeElement; const style = getComputedStyle(e);
            return {tag: e.tagName.toLowerCase(), id: e.id, text: (e.textContent || '').trim().slice(0, 120),
                    in: e.closest('ol.occupations') ? 'occupations' : (e.closest('#can-search') ? 'can' : ''),
                    outline: style.outlineStyle}; }"""
    )
    return described


def tab_until(page: Page, wanted: Callable[[dict[str, str]], bool]) -> list[dict[str, str]]:
    return tab_until_focused(page, wanted, focus_of, limit=60)


def test_a_keyboard_user_lists_what_they_can_do_and_opens_a_job(browser: Browser, base: str) -> None:
    context = open_context(browser, "en")
    page, problems = watched(context)
    page.goto(base + "/")
    tab_until(page, lambda focus: focus["id"] == "can")
    described = page.evaluate(
        "() => document.getElementById('can').getAttribute('aria-describedby').split(' ')"
        ".map((id) => document.getElementById(id).textContent)"
    )
    assert described and described[0].startswith("One per line, or separated by commas or semicolons")
    page.keyboard.type("pruning fruit trees")
    page.keyboard.press("Enter")  # a new line: one skill per line
    page.keyboard.type("driving a tractor")
    walked = tab_until(page, lambda focus: focus["tag"] == "button")
    assert walked[-1]["in"] == "can" and walked[-1]["text"] == "Find jobs"
    page.keyboard.press("Enter")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'result-heading'")
    assert page.inner_text("#result-heading") == "Jobs that use what you can do"
    page.wait_for_function("() => document.getElementById('announce').textContent.includes('jobs that use')")
    asked = dict(parse_qsl(urlsplit(page.url).query))
    assert sorted(asked) == ["can", "lang"] and asked["lang"] == "en"
    assert asked["can"].splitlines() == ["pruning fruit trees", "driving a tractor"]
    walked = tab_until(page, lambda focus: focus["in"] == "occupations" and focus["tag"] == "a")
    assert all(focus["outline"] != "none" for focus in walked)  # the focus is always visible
    job = focus_of(page)["text"]
    page.keyboard.press("Enter")
    page.wait_for_function(
        "(job) => document.activeElement && document.activeElement.id === 'result-heading'"
        " && document.activeElement.textContent.startsWith(job + ' (NOC ')",
        arg=job,
    )
    assert "noc=" in page.url and "can=" not in page.url
    page.wait_for_selector("#h-programs")
    page.go_back()  # the list again, from what was shown
    page.wait_for_function("() => document.getElementById('result-heading')?.textContent.startsWith('Jobs that use')")
    assert page.input_value("#can").splitlines() == ["pruning fruit trees", "driving a tractor"]
    assert problems == []
    context.close()


def test_without_javascript_the_skills_form_answers(browser: Browser, base: str) -> None:
    context = open_context(browser, "fr", java_script_enabled=False)
    page = context.new_page()
    page.goto(base + "/")
    page.fill("#can", SKILLS["fr"])
    page.click("#can-search button[type=submit]")
    page.wait_for_url(re.compile(r"can=montage"))
    assert page.inner_text("#result-heading") == "Emplois qui font appel à ce que vous savez faire"
    link = page.locator("ol.occupations a").first
    job = link.inner_text()
    link.click()
    page.wait_for_url(re.compile(r"noc=[0-9]{5}"))
    assert page.inner_text("#result-heading").startswith(job + " (CNP ")
    assert page.locator("#h-moves").count() == 1  # its own moves, server-rendered
    context.close()
