"""Two real sample catalogs for the recommendation tests: Vancouver Island University's programs (some
with NOC codes) and Polytechnique Montréal's French courses, uploaded and tagged through the sample
loader (a catalog already loaded from the same file is left as it is); and, for the page's browser tests,
a real `lmi serve` and a browser, one of each per test module."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog.samples import SAMPLES, load_sample
from catalog.skill_space import SkillSpace
from tests.support.browser import CHROMIUM
from tests.support.live_server import live_server
from tests.support.source_data import DATA_DIR

LOADED = ("viu", "polytechnique-montreal")


@pytest.fixture(scope="session")
def catalogs(reference_engine: Engine, skill_space: SkillSpace) -> None:
    with Session(reference_engine) as session:
        for sample in SAMPLES:
            if sample.slug in LOADED:
                load_sample(sessionmaker(reference_engine), DATA_DIR, sample, skill_space=skill_space)
                session.commit()


@pytest.fixture(scope="module")
def base(reference_database_url: str, index_dir: Path) -> Iterator[str]:
    """The address of a real `lmi serve` on the shared reference database, for a module's browser tests."""
    with live_server(reference_database_url, index_dir) as (address, _):
        yield address


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright."""
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM)
        yield launched
        launched.close()
