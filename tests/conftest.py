"""Shared fixtures: the real reference data imported once into SQLite and once into PostgreSQL.

PostgreSQL tests run in a schema of their own (dropped afterwards) of the database named by
``LMI_TEST_POSTGRES_URL`` (default: the local ``test`` database with trust auth).
"""

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from catalog.skill_space import SkillSpace, load_skill_space
from labour_market.importing.runner import import_reference
from matching.embeddings import create_embedder
from models.database import create_database_engine, create_session_factory
from service.app import create_app
from service.config import Settings
from tests.support.browser import missing_axe, missing_browser
from tests.support.source_data import DATA_DIR

POSTGRES_URL = os.environ.get("LMI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BACKENDS = ("sqlite", "postgresql")
UNLIMITED = "1000000/second"


# Fixtures that import the reference data into a database; tests using none of them may run without it.
REFERENCE_FIXTURES = {"reference_database_url", "reference_engine", "skill_space"}


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Stop at once, saying what is missing, rather than fail or skip test after test; but only for
    what the selected tests need (`pytest tests/matching/test_folding.py` needs none of it)."""
    fixtures = {name for item in items for name in getattr(item, "fixturenames", ())}
    if fixtures & REFERENCE_FIXTURES and not (DATA_DIR / "README.md").is_file():
        pytest.exit(f"reference data not found at {DATA_DIR}; set LMI_DATA_DIR", returncode=4)
    if any(item.get_closest_marker("browser") for item in items):
        if reason := missing_browser():
            pytest.exit(f"{reason}; the page tests run in it (see the README's prerequisites).", returncode=4)
        if reason := missing_axe():
            pytest.exit(f"{reason}; the page tests check accessibility with it (see the README).", returncode=4)
    if "database_factory" in fixtures:
        check_postgres()


def check_postgres() -> None:
    engine = create_database_engine(POSTGRES_URL, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except OperationalError as error:
        pytest.exit(
            f"PostgreSQL is not reachable at {make_url(POSTGRES_URL).render_as_string()}: the tests run on "
            "SQLite and PostgreSQL. Start it (see the README's prerequisites) or set LMI_TEST_POSTGRES_URL. "
            f"({type(error.orig).__name__})",
            returncode=4,
        )
    finally:
        engine.dispose()


class DatabaseFactory:
    """Creates empty databases of one backend and cleans them up at the end of the session."""

    def __init__(self, backend: str, tmp_dir: Path):
        self.backend = backend
        self.tmp_dir = tmp_dir
        self._schemas: list[str] = []

    def new_url(self) -> str:
        if self.backend == "sqlite":
            return f"sqlite:///{self.tmp_dir / f'{uuid.uuid4().hex[:8]}.sqlite3'}"
        schema = f"lmi_test_{uuid.uuid4().hex[:10]}"
        admin = create_database_engine(POSTGRES_URL)
        with admin.begin() as connection:
            connection.execute(text(f"CREATE SCHEMA {schema}"))
        admin.dispose()
        self._schemas.append(schema)
        url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
        return url.render_as_string(hide_password=False)

    def cleanup(self) -> None:
        if not self._schemas:
            return
        admin = create_database_engine(POSTGRES_URL)
        with admin.begin() as connection:
            for schema in self._schemas:
                connection.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        admin.dispose()


@pytest.fixture(scope="session", params=BACKENDS)
def database_factory(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DatabaseFactory]:
    factory = DatabaseFactory(request.param, tmp_path_factory.mktemp(request.param))
    yield factory
    factory.cleanup()


@pytest.fixture(scope="session")
def reference_database_url(database_factory: DatabaseFactory) -> str:
    """A database of the current backend holding all the real reference data."""
    url = database_factory.new_url()
    engine = create_database_engine(url)
    import_reference(engine, DATA_DIR, show_progress=False)
    engine.dispose()
    return url


@pytest.fixture(scope="session")
def reference_engine(reference_database_url: str) -> Iterator[Engine]:
    engine = create_database_engine(reference_database_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def session_factory(reference_engine: Engine) -> sessionmaker[Session]:
    """Sessions on the reference database, for domain functions that own their units of work."""
    return create_session_factory(reference_engine)


@pytest.fixture(scope="session")
def index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where test apps cache embeddings: they match job titles on words only, but tag courses and rank
    programs with e5 (the ESCO skills and the occupations are embedded once per session, unless
    `LMI_TEST_INDEX_DIR` names a folder that keeps them between runs)."""
    kept = os.environ.get("LMI_TEST_INDEX_DIR")
    return Path(kept) if kept else tmp_path_factory.mktemp("index")


@pytest.fixture(scope="session")
def app_settings(index_dir: Path) -> Callable[[str], Settings]:
    """Settings of a test app on a database: job titles matched on words only (embedding the 58k titles
    takes minutes); skills and courses are still embedded with e5."""

    def settings_for(database_url: str) -> Settings:
        return Settings(
            database_url=database_url,
            data_dir=DATA_DIR,
            matcher_backend="none",
            index_dir=index_dir,
            retag_on_startup=False,  # the shared test database holds untagged samples: tagging them takes minutes
            startup_wait_seconds=None,  # start whole: the skill space is loaded before the first test
            # Every test client shares one address: the rate limits have tests of their own.
            rate_limit_address=UNLIMITED,
            rate_limit_key=UNLIMITED,
            rate_limit_page=UNLIMITED,
            rate_limit_visit=UNLIMITED,
        )

    return settings_for


@pytest.fixture(scope="session")
def client(reference_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    with TestClient(create_app(app_settings(reference_database_url))) as test_client:
        yield test_client


@pytest.fixture
def empty_database_url(database_factory: DatabaseFactory) -> str:
    """A new database of the current backend, without tables."""
    return database_factory.new_url()


@pytest.fixture(scope="session")
def skill_space(session_factory: sessionmaker[Session], index_dir: Path) -> SkillSpace:
    """The service's skill space over the real reference data, embedded with e5 (cached in `index_dir`,
    which the test apps share: the first build takes two to three minutes)."""
    space = load_skill_space(session_factory, DATA_DIR, create_embedder("e5", index_dir), index_dir)
    assert space is not None
    return space
