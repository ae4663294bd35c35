"""What the page tests share: reading the page's HTML as a person reads it, and, for the browser tests,
a page whose script errors are collected and axe-core's findings on it."""

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup, Tag
from playwright.sync_api import BrowserContext, Page

from tests.support.browser import AXE_CORE

ARTIFACTS = Path(__file__).resolve().parents[2] / "var" / "test-artifacts"  # screenshots, axe's findings
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
LOCALES = {"en": "en-CA", "fr": "fr-CA"}


def shown(element: Tag) -> str:
    """An element's text as read, spaces collapsed (the non-breaking ones kept)."""
    return re.sub(r"[ \t\r\n]+", " ", element.get_text(" ")).strip()


def text(soup: BeautifulSoup | Tag, selector: str) -> str:
    found = soup.select_one(selector)
    assert found is not None, selector
    return shown(found)


def watched(context: BrowserContext) -> tuple[Page, list[str]]:
    """A page whose script errors and policy violations are collected."""
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    return page, problems


def tab_until(
    page: Page, wanted: Callable[[dict[str, str]], bool], focus_of: Callable[[Page], dict[str, str]], limit: int
) -> list[dict[str, str]]:
    """Press Tab until `wanted(focus)` holds; every element focused on the way, each as `focus_of` describes it."""
    walked = []
    for _ in range(limit):
        page.keyboard.press("Tab")
        focus = focus_of(page)
        walked.append(focus)
        if wanted(focus):
            return walked
    raise AssertionError(f"not reached with the keyboard: {walked}")


def axe_findings(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations of WCAG 2.0/2.1 A and AA and of its best practices, after checking it ran."""
    page.add_script_tag(path=str(AXE_CORE))
    results: dict[str, Any] = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA
    )
    assert len(results["passes"]) >= 20  # the rules were applied, not skipped
    found: list[dict[str, Any]] = results["violations"]
    return found
