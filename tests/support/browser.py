"""The browser page tests run in: Debian's chromium, driven by Playwright, and axe-core (from npm),
which checks the pages' accessibility."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
AXE_CORE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"


def missing_browser() -> str | None:
    """Why the browser tests cannot run, or None."""
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed at {CHROMIUM}: install Debian's package (`apt-get install chromium`)"
    return None


def missing_axe() -> str | None:
    """Why the accessibility checks cannot run, or None."""
    if not AXE_CORE.is_file():
        return f"axe-core is not installed at {AXE_CORE}: run `npm ci` (make test does)"
    return None
