"""`lmi events purge`: events older than a date, or than the retention period, are deleted."""

import datetime as dt

import pytest
from sqlalchemy import select

from analytics.store import event_row, insert_new
from models.database import create_database_engine, create_session_factory
from models.events import Event
from models.migrate import upgrade_to_head
from service.cli import main


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
