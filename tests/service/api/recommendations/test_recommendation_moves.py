"""`POST /v1/recommendations` with `moves: true`: from a person's current job alone, the best career
moves, each with the programs that close its gap, every program shown logged as an impression of
the move's occupation (real reference data, two real sample catalogs, both backends)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.events import Event


@pytest.mark.usefixtures("catalogs")
def test_moves_from_the_current_job_each_come_with_programs_and_are_logged(
    client: TestClient, reference_engine: Engine
) -> None:
    response = client.post(
        "/v1/recommendations",
        json={"current_job_title": "nurse aide", "moves": True, "session_id": "moves-test-1", "limit": 3},
    )
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    assert answer["no_match"] is False and answer["programs"] == []
    assert answer["current_occupation"]["noc_code"] == "33102"
    moves = answer["moves"]
    assert len(moves) == 3
    codes = [move["transition"]["noc_code"] for move in moves]
    assert "33102" not in codes and len(set(codes)) == 3
    shown = [program for move in moves for program in move["programs"]]
    assert shown, "some move has programs in the two sample catalogs"
    assert any(move["skills"] for move in moves)  # the important skills of a move's occupation, where it rates any
    for move in moves:
        assert all(program["tracked_url"].startswith("/r/") for program in move["programs"])
    with Session(reference_engine) as session:
        logged = {
            event.impression_id: event.noc_code
            for event in session.scalars(
                select(Event).where(Event.session_id == "moves-test-1", Event.type == "impression")
            )
        }
    by_move = {
        program["impression_id"]: move["transition"]["noc_code"] for move in moves for program in move["programs"]
    }
    assert logged == by_move


@pytest.mark.parametrize(
    "body",
    [
        {"moves": True},
        {"moves": True, "job_title": "nurse aide"},
        {"moves": True, "current_job_title": "nurse aide", "noc_code": "33102"},
        {"moves": "yes", "current_job_title": "nurse aide"},
        {"current_job_title": "nurse aide"},
    ],
)
def test_moves_need_the_current_job_alone(client: TestClient, body: dict[str, Any]) -> None:
    response = client.post("/v1/recommendations", json=body)
    assert response.status_code == 422
    assert response.json()["type"] == "/problems/invalid-request"
