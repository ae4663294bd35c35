"""Benchmark of the public page → reports/page.md: page weight, first render, the in-page search, and
axe-core's findings, in headless Chromium against a real `lmi serve`.

    .venv/bin/python scripts/bench_page.py [--runs 10]

Run after `make run` has imported the data, built the index and loaded the samples (it serves the
configured database and index with the e5 matcher, as `make run` does), and after `npm ci` (axe-core).
Each load is a new browser context (nothing cached). "A slow phone" is Chromium's emulation of a
1.6 Mbit/s link with 150 ms latency and a CPU four times slower. Targets: page weight under 200 KB,
first render under 1 s on localhost.
"""

import argparse
import os
import platform
import statistics
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, Page, sync_playwright

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the live-server and browser helpers the tests use

from service.config import Settings  # noqa: E402
from tests.support.browser import AXE_CORE, CHROMIUM  # noqa: E402
from tests.support.live_server import live_server  # noqa: E402

REPORT = REPO_ROOT / "reports" / "page.md"
VIEWS = {
    "home, English": "/?lang=en",
    "home, French": "/?lang=fr",
    "result, English (licensed practical nurse, Toronto)": "/?q=licensed+practical+nurse&region=ER3530&lang=en",
    "result, French (infirmière auxiliaire, Toronto)": "/?q=infirmi%C3%A8re+auxiliaire&region=ER3530&lang=fr",
}
SLOW_PHONE = {"offline": False, "latency": 150, "downloadThroughput": 1_600_000 / 8, "uploadThroughput": 750_000 / 8}
CPU_SLOWDOWN = 4
TIMINGS = """async () => {
  const navigation = performance.getEntriesByType('navigation')[0];
  const fcp = await new Promise((resolve) => {
    new PerformanceObserver((list) => {
      const paint = list.getEntriesByName('first-contentful-paint')[0];
      if (paint) resolve(paint.startTime);
    }).observe({type: 'paint', buffered: true});
    setTimeout(() => resolve(null), 5000);
  });
  const resources = performance.getEntriesByType('resource');
  return {
    ttfb: navigation.responseStart,
    fcp,
    dom: navigation.domContentLoadedEventEnd,
    load: navigation.loadEventEnd,
    html: navigation.decodedBodySize,
    transferred: navigation.transferSize + resources.reduce((sum, r) => sum + r.transferSize, 0),
    decoded: navigation.decodedBodySize + resources.reduce((sum, r) => sum + r.decodedBodySize, 0),
    requests: 1 + resources.length,
  };
}"""


def load(browser: Browser, url: str, slow: bool) -> dict[str, Any]:
    context = browser.new_context(viewport={"width": 360, "height": 740} if slow else {"width": 1280, "height": 900})
    page = context.new_page()
    if slow:
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.emulateNetworkConditions", SLOW_PHONE)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(url, wait_until="load")
    timings: dict[str, Any] = page.evaluate(TIMINGS)
    context.close()
    return timings


def in_page_search(browser: Browser, base: str, runs: int) -> list[float]:
    """Milliseconds from pressing "Find programs" to the results shown and focused (the script's path)."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(base + "/?lang=en")
    seconds = []
    titles = ["welder", "electrician", "early childhood educator", "licensed practical nurse", "carpenter", "cook"]
    for index in range(runs):
        page.fill("#q", titles[index % len(titles)])
        page.press("#q", "Escape")
        started = page.evaluate("performance.now()")
        page.click("button[type=submit]")
        page.wait_for_function(
            "(title) => document.activeElement?.id === 'result-heading' && !document.getElementById('results')"
            ".hasAttribute('aria-busy') && location.search.includes(encodeURIComponent(title).replace(/%20/g, '+'))",
            arg=titles[index % len(titles)],
        )
        seconds.append(page.evaluate("performance.now()") - started)
    context.close()
    return seconds


def axe(browser: Browser, url: str) -> Counter[str]:
    context = browser.new_context(bypass_csp=True)
    page: Page = context.new_page()
    page.goto(url, wait_until="load")
    page.add_script_tag(path=str(AXE_CORE))
    found = page.evaluate(
        "async () => (await axe.run(document, {runOnly: {type: 'tag', values: "
        "['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})).violations"
    )
    context.close()
    return Counter(f"{item['impact']}: {item['id']}" for item in found)


def median(values: list[float]) -> float:
    return statistics.median(values)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    settings = Settings()
    rows, slow_rows, findings = [], [], {}
    with (
        live_server(settings.database_url, settings.index_dir, LMI_MATCHER_BACKEND="e5") as (base, _),
        sync_playwright() as playwright,
    ):
        browser = playwright.chromium.launch(executable_path=CHROMIUM)
        for name, path in VIEWS.items():
            load(browser, base + path, slow=False)  # warm-up: the server's first search of a title
            fast = [load(browser, base + path, slow=False) for _ in range(args.runs)]
            slow = [load(browser, base + path, slow=True) for _ in range(max(3, args.runs // 3))]
            first = fast[0]
            rows.append(
                f"| {name} | {first['decoded'] / 1024:.1f} KB | {first['transferred'] / 1024:.1f} KB | "
                f"{first['requests']} | {median([t['ttfb'] for t in fast]):.0f} ms | "
                f"{median([t['fcp'] for t in fast]):.0f} ms | {max(t['fcp'] for t in fast):.0f} ms | "
                f"{median([t['load'] for t in fast]):.0f} ms |"
            )
            slow_rows.append(
                f"| {name} | {median([t['fcp'] for t in slow]):.0f} ms | {median([t['load'] for t in slow]):.0f} ms |"
            )
            findings[name] = axe(browser, base + path)
        searching = in_page_search(browser, base, args.runs)
        browser.close()
    axe_rows = [
        f"| {name} | {', '.join(f'{rule} ({count} places)' for rule, count in sorted(found.items())) or 'none'} |"
        for name, found in findings.items()
    ]
    lines = [
        "# The public page: weight, first render, accessibility",
        "",
        f"`scripts/bench_page.py --runs {args.runs}`, headless Chromium (Debian's chromium) on the same machine as "
        f"one `lmi serve` (e5 matcher, the four sample catalogs, SQLite); {platform.machine()}, "
        f"{os.cpu_count()} cores. Each load is a new browser context, so nothing comes from a cache.",
        "",
        "## On localhost, desktop window (target: under 200 KB, first render under 1 s)",
        "",
        "| view | page weight (decoded) | transferred | requests | server answer (TTFB), median | first contentful "
        "paint, median | slowest | load event, median |",
        "|---|---|---|---|---|---|---|---|",
        *rows,
        "",
        "The result views include the search: matching the title, the programs ranked for it, and the search and "
        "impressions logged before the page is sent.",
        "",
        f"## A slow phone (360 px, 1.6 Mbit/s with 150 ms latency, CPU {CPU_SLOWDOWN}× slower)",
        "",
        "| view | first contentful paint, median | load event, median |",
        "|---|---|---|",
        *slow_rows,
        "",
        "## A search in place (the page's script: results fetched, swapped in, focused and announced)",
        "",
        f"Median {median(searching):.0f} ms, slowest {max(searching):.0f} ms over {len(searching)} searches.",
        "",
        "## axe-core (WCAG 2.0/2.1 A and AA, and best practices), every finding by impact",
        "",
        "| view | findings |",
        "|---|---|",
        *axe_rows,
        "",
    ]
    REPORT.write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
