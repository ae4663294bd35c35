"""`lmi events purge`: events older than a date, or than the retention period, are deleted; an
operator's purge by portal, variant, institution or period is recorded and shown by the analytics."""

import datetime as dt
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from accounts.portals import find_portal
from analytics.store import event_row, insert_new
from models.database import create_database_engine, create_session_factory
from models.events import Event
from models.migrate import upgrade_to_head
from service.app import create_app
from service.cli import main
from service.config import Settings


def page_view(event_id: str, occurred_at: dt.datetime) -> dict[str, object]:
    return event_row(f"event:{event_id}", event_id, "page_view", "client", occurred_at, False, session_id="s")


def test_purge_deletes_what_is_older_than_the_date_or_the_retention_period(
    empty_database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    engine = create_database_engine(empty_database_url)
    upgrade_to_head(engine)
    now = dt.datetime.now(dt.UTC)
    with create_session_factory(engine)() as session:
        insert_new(session, [page_view(f"e{days}", now - dt.timedelta(days=days)) for days in (1, 20, 100, 500)])
        session.commit()
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    monkeypatch.setenv("LMI_EVENT_RETENTION_DAYS", "400")
    assert main(["events", "purge"]) == 0
    assert "deleted 1 events" in capsys.readouterr().out
    assert main(["events", "purge", "--before", (now - dt.timedelta(days=10)).date().isoformat()]) == 0
    assert "deleted 2 events" in capsys.readouterr().out
    with engine.connect() as connection:
        assert list(connection.scalars(select(Event.event_id))) == ["e1"]
    engine.dispose()


def test_an_operator_undoes_a_flood_and_the_analytics_say_so(
    empty_database_url: str,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    app_settings: Callable[[str], Settings],
) -> None:
    """A portal's flood, an institution's, a variant's and a period's events are purged by name; what
    the operator did is recorded and shown by the analytics of the periods it touched."""
    monkeypatch.setenv("DATABASE_URL", empty_database_url)
    assert main(["keys", "create", "--role", "portal", "--name", "Flooding portal"]) == 0
    assert "portal 1 (flooding-portal)" in capsys.readouterr().out
    assert main(["keys", "create", "--role", "portal"]) == 2
    assert "--institution or --name" in capsys.readouterr().err
    assert main(["keys", "create", "--role", "admin"]) == 0
    admin = capsys.readouterr().out.split("API key: ")[1].strip()
    engine = create_database_engine(empty_database_url)
    now = dt.datetime.now(dt.UTC)
    with create_session_factory(engine)() as session:
        portal_id = find_portal(session, "flooding-portal").id
        rows = [
            event_row(f"event:p{n}", f"p{n}", "page_view", "client", now, False, session_id="s", portal_id=portal_id)
            for n in range(30)
        ]
        rows += [
            event_row(f"event:v{n}", f"v{n}", "search", "server", now, False, session_id="t", variant="X")
            for n in range(4)
        ]
        rows += [
            event_row(f"event:o{n}", f"o{n}", "search", "server", now - dt.timedelta(days=3), False, session_id="u")
            for n in range(5)
        ]
        insert_new(session, rows)
        session.commit()
    assert main(["events", "purge", "--portal", "flooding-portal", "--dry-run"]) == 0
    assert "30 events match; nothing deleted" in capsys.readouterr().out
    assert main(["events", "purge", "--portal", "flooding-portal"]) == 0
    assert "deleted 30 events (portal flooding-portal)" in capsys.readouterr().out
    assert main(["events", "purge", "--variant", "X"]) == 0
    assert "deleted 4 events" in capsys.readouterr().out
    day = (now - dt.timedelta(days=3)).date().isoformat()
    assert main(["events", "purge", "--from", day, "--to", day]) == 0
    assert "deleted 5 events" in capsys.readouterr().out
    assert main(["events", "purge", "--institution", "nowhere"]) == 2
    with engine.connect() as connection:
        assert list(connection.scalars(select(Event.event_id))) == []
    with TestClient(create_app(app_settings(empty_database_url))) as client:
        today = now.date().isoformat()
        answer = client.get(
            "/v1/analytics/summary", params={"from": today, "to": today}, headers={"Authorization": f"Bearer {admin}"}
        ).json()
    purges = answer["purges"]
    assert [(item["portal_id"], item["variant"], item["events"]) for item in purges] == [
        (portal_id, None, 30),
        (None, "X", 4),
    ]  # the purge of three days ago does not touch today
    engine.dispose()
