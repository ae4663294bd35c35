"""A database that cannot answer just now (PostgreSQL restarting, a full disk under SQLite) is a
`503 database-unavailable` problem with `Retry-After`, never a `500`, and never a `202` for events
that were not stored; a mistake in a statement is still a `500`. Each test serves a new, empty SQLite
database (migrated, no reference data), so they run in seconds."""

import datetime as dt
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from accounts.keys import create_key
from accounts.portals import portal_named
from models.database import create_database_engine, create_session_factory
from models.events import Event
from models.migrate import upgrade_to_head
from service.app import create_app
from service.config import UNLIMITED_RATES, Settings
from service.problems import database_unavailable, install_problem_handlers

UNLIMITED = UNLIMITED_RATES["LMI_RATE_LIMIT_ADDRESS"]


@pytest.fixture
def database_url(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'service.sqlite3'}"
    engine = create_database_engine(url)
    upgrade_to_head(engine)
    engine.dispose()
    return url


@pytest.fixture
def portal_key(database_url: str) -> str:
    engine = create_database_engine(database_url)
    with Session(engine) as session:
        portal = portal_named(session, "Outage portal")
        _, key = create_key(session, "portal", portal_id=portal.id)
        session.commit()
    engine.dispose()
    return key


@pytest.fixture
def client(database_url: str, tmp_path: Path) -> Iterator[TestClient]:
    settings = Settings(
        database_url=database_url,
        data_dir=tmp_path,
        index_dir=tmp_path / "index",
        matcher_backend="none",
        retag_on_startup=False,
        startup_wait_seconds=None,
        rate_limit_address=UNLIMITED,
        rate_limit_key=UNLIMITED,
    )
    with TestClient(create_app(settings)) as test_client:
        yield test_client


def unreachable_postgresql() -> str:
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused at once
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/lmi"


def assert_database_unavailable(response: Any) -> None:
    assert response.status_code == 503, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["Retry-After"] == "5"
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert body["retry_after"] == 5


def feedback_batch(count: int) -> list[dict[str, Any]]:
    """Events large enough that storing them needs new pages of the database file."""
    now = dt.datetime.now(dt.UTC).isoformat()
    return [
        {
            "event_id": f"e-{uuid.uuid4().hex}",
            "type": "feedback",
            "session_id": f"s{index}",
            "occurred_at": now,
            "helpful": True,
            "comment": "x" * 500,
            "noc_code": "31301",
        }
        for index in range(count)
    ]


def stored_ids(database_url: str, ids: list[str]) -> set[str]:
    engine = create_database_engine(database_url)
    with engine.connect() as connection:
        found = set(connection.scalars(select(Event.event_id).where(Event.event_id.in_(ids))))
    engine.dispose()
    return found


def fill_the_file(engine: Engine) -> Any:
    """Every new connection may not grow the file (SQLite answers SQLITE_FULL, as on a full disk)."""

    def no_growth(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.execute("PRAGMA max_page_count = 1")  # never below the current size: exactly full

    event.listen(engine, "connect", no_growth)
    engine.dispose()  # the pooled connections go: the next ones are full
    return no_growth


def test_events_on_a_full_disk_are_a_503_and_stored_once_there_is_room(
    client: TestClient, database_url: str, portal_key: str
) -> None:
    engine: Engine = client.app.state.engine  # type: ignore[attr-defined]
    batch = feedback_batch(200)
    headers = {"Authorization": f"Bearer {portal_key}"}
    client.get("/v1/regions", headers=headers)  # the key is checked (and remembered) before the disk fills
    listener = fill_the_file(engine)

    refused = client.post("/v1/events", json={"events": batch}, headers=headers)

    assert_database_unavailable(refused)
    ids = [item["event_id"] for item in batch]
    assert stored_ids(database_url, ids) == set()
    event.remove(engine, "connect", listener)
    engine.dispose()
    again = client.post("/v1/events", json={"events": batch}, headers=headers)  # the same ids: counted once
    assert again.status_code == 202
    assert again.json()["accepted"] == len(batch)
    assert stored_ids(database_url, ids) == set(ids)


def test_an_unreachable_postgresql_is_a_503_problem_and_readiness_says_so(client: TestClient) -> None:
    client.app.state.session_factory = create_session_factory(  # type: ignore[attr-defined]
        create_database_engine(unreachable_postgresql())
    )

    assert_database_unavailable(client.get("/v1/occupations/31301"))
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["checks"]["database"] == "unreachable or not migrated"


def test_a_key_the_database_cannot_check_just_now_is_counted_per_address(client: TestClient) -> None:
    """The rate limits check a key in the database before any route: with the database down, the request
    goes on, counted per address (a route needing the database answers database-unavailable itself)."""
    client.app.state.session_factory = create_session_factory(  # type: ignore[attr-defined]
        create_database_engine(unreachable_postgresql())
    )
    headers = {"Authorization": "Bearer lmi_00000000_not-checked-yet"}

    assert client.get("/problems/database-unavailable", headers=headers).status_code == 200
    assert_database_unavailable(client.post("/v1/events", json={"events": feedback_batch(1)}, headers=headers))


def test_a_mistake_in_a_statement_is_not_taken_for_an_unavailable_database(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'mistake.sqlite3'}")
    with engine.connect() as connection:
        connection.execute(text("CREATE TABLE t (x TEXT)"))
        connection.commit()
        with pytest.raises(OperationalError) as missing:
            connection.execute(text("SELECT x FROM no_such_table"))
        assert not database_unavailable(missing.value)
        connection.rollback()
        connection.execute(text("PRAGMA max_page_count = 1"))
        with pytest.raises(OperationalError) as full:
            connection.execute(text("INSERT INTO t VALUES (:x)"), [{"x": "y" * 4000}] * 50)
        assert database_unavailable(full.value)
    engine.dispose()


def test_other_database_errors_are_still_internal_errors(tmp_path: Path) -> None:
    engine = create_database_engine(f"sqlite:///{tmp_path / 'broken.sqlite3'}")
    app = FastAPI()
    install_problem_handlers(app)

    @app.get("/broken")
    def broken() -> None:
        with engine.connect() as connection:
            connection.execute(text("SELECT x FROM no_such_table"))

    response = TestClient(app, raise_server_exceptions=False).get("/broken")
    engine.dispose()
    assert response.status_code == 500
    assert "Retry-After" not in response.headers
    assert response.json()["title"] == "Internal server error"
