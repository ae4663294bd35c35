"""An accepted event is never lost: `kill -9` of the server while portals are sending batches (with
their keys) loses none of the events it answered 202 for (on SQLite in WAL mode and on PostgreSQL)."""

import datetime as dt
import os
import signal
import threading
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.keys import create_key
from accounts.portals import portal_named
from models.database import create_database_engine
from models.events import Event
from models.migrate import upgrade_to_head
from tests.support.live_server import live_server


def test_kill_9_during_ingest_loses_no_acknowledged_event(empty_database_url: str, tmp_path: Path) -> None:
    engine = create_database_engine(empty_database_url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        portal = portal_named(session, "Durable portal")
        _, key = create_key(session, "portal", portal_id=portal.id)
        session.commit()
    acknowledged: list[str] = []
    sent_after_kill = threading.Event()

    def send(base: str) -> None:
        with httpx.Client(base_url=base, timeout=10, headers={"Authorization": f"Bearer {key}"}) as http:
            while not sent_after_kill.is_set():
                batch = [
                    {
                        "event_id": uuid.uuid4().hex,
                        "type": "page_view",
                        "session_id": f"s{index}",
                        "occurred_at": dt.datetime.now(dt.UTC).isoformat(),
                    }
                    for index in range(100)
                ]
                try:
                    response = http.post("/v1/events", json={"events": batch})
                except httpx.TransportError:
                    return  # the server is gone: what it did not answer was never acknowledged
                assert response.status_code == 202
                assert response.json()["accepted"] == len(batch)
                acknowledged.extend(item["event_id"] for item in batch)

    with live_server(empty_database_url, tmp_path) as (base, process):
        senders = [threading.Thread(target=send, args=(base,)) for _ in range(3)]
        for sender in senders:
            sender.start()
        deadline = time.monotonic() + 60
        while len(acknowledged) < 2000 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(process.pid, signal.SIGKILL)  # in the middle of batches being written
        process.wait()
        sent_after_kill.set()
        for sender in senders:
            sender.join()
    assert len(acknowledged) >= 2000
    with engine.connect() as connection:
        stored = set(connection.scalars(select(Event.event_id)))
    engine.dispose()
    missing = set(acknowledged) - stored
    assert not missing, f"{len(missing)} acknowledged events lost"
