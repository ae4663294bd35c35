"""The browser page tests run in: Debian's chromium, driven by Playwright."""

from pathlib import Path

CHROMIUM = "/usr/bin/chromium"


def missing_browser() -> str | None:
    """Why the browser tests cannot run, or None."""
    if not Path(CHROMIUM).is_file():
        return f"Chromium is not installed at {CHROMIUM}: install Debian's package (`apt-get install chromium`)"
    return None
