"""Analysts' targets ("+20% clicks against the baseline") and their progress."""

import datetime as dt

from fastapi.testclient import TestClient

from tests.service.api.analytics.conftest import BASELINE, Script
from tests.support.problems import assert_problem


def test_a_target_against_a_baseline_shows_its_progress(client: TestClient, script: Script) -> None:
    start = script.today - dt.timedelta(days=29)
    body = {
        "measure": "clicks",
        "from": start.isoformat(),
        "to": (start + dt.timedelta(days=59)).isoformat(),
        "change": 0.2,
        "baseline_from": (script.today - dt.timedelta(days=60)).isoformat(),
        "baseline_to": (script.today - dt.timedelta(days=1)).isoformat(),
        "label": "+20% clicks to institutions",
    }
    response = client.post("/v1/analytics/targets", json=body, headers=script.headers("analyst"))
    assert response.status_code == 201, response.text
    target = response.json()
    # 30 days of the 60 have passed: compared with the first 30 days of the baseline (the scripted 10 clicks).
    assert target["so_far"]["to"] == script.today.isoformat()
    assert target["baseline"] == BASELINE["clicks"] and target["goal"] == BASELINE["clicks"] * 1.2
    # The analyst's rounding: the scripted day's cell, a multiple of 5 within 4 of the count.
    assert target["actual"] % 5 == 0 and abs(target["actual"] - script.expected["clicks"]) <= 4
    assert target["progress"] == round(target["actual"] / target["goal"], 4) and target["on_track"] is True
    summary = client.get("/v1/analytics/summary", params=script.window(), headers=script.headers("admin")).json()
    shown = next(item for item in summary["targets"] if item["id"] == target["id"])
    assert shown["actual"] == script.expected["clicks"] and shown["label"] == body["label"]
    listed = client.get("/v1/analytics/targets", headers=script.headers("analyst")).json()
    assert [item["id"] for item in listed] == [target["id"]]
    assert client.delete(f"/v1/analytics/targets/{target['id']}", headers=script.headers("analyst")).status_code == 204
    assert_problem(
        client.delete(f"/v1/analytics/targets/{target['id']}", headers=script.headers("analyst")), 404, "unknown-target"
    )


def test_an_absolute_target_over_a_past_period(client: TestClient, script: Script) -> None:
    start = script.today - dt.timedelta(days=60)
    body = {
        "measure": "searches",
        "from": start.isoformat(),
        "to": (start + dt.timedelta(days=29)).isoformat(),
        "value": 4,
    }
    target = client.post("/v1/analytics/targets", json=body, headers=script.headers("admin")).json()
    assert (target["actual"], target["goal"], target["on_track"]) == (BASELINE["searches"], 4, True)
    client.delete(f"/v1/analytics/targets/{target['id']}", headers=script.headers("admin"))


def test_bad_targets_are_refused(client: TestClient, script: Script) -> None:
    headers = script.headers("analyst")
    base = {"measure": "clicks", "from": "2026-01-01", "to": "2026-01-31"}
    assert_problem(
        client.post("/v1/analytics/targets", json={**base, "change": 0.2, "value": 3}, headers=headers),
        422,
        "invalid-target",
    )
    assert_problem(client.post("/v1/analytics/targets", json=base, headers=headers), 422, "invalid-target")
    assert_problem(
        client.post("/v1/analytics/targets", json={**base, "measure": "salaries", "value": 1}, headers=headers),
        422,
        "invalid-request",
    )
    assert_problem(
        client.post(
            "/v1/analytics/targets", json={**base, "change": 0.1, "baseline_from": "2025-01-01"}, headers=headers
        ),
        422,
        "invalid-target",
    )
    assert_problem(
        client.post("/v1/analytics/targets", json={**base, "value": 3}, headers=script.headers("institution")),
        403,
        "forbidden",
    )
    assert_problem(client.get("/v1/analytics/targets", headers=script.headers("institution")), 403, "forbidden")
    assert_problem(client.post("/v1/analytics/targets", content="x", headers=headers), 415, "unsupported-media-type")


def test_a_wrong_method_names_every_method_of_the_path(client: TestClient) -> None:
    response = client.put("/v1/analytics/targets", json={})
    assert response.status_code == 405 and response.headers["allow"] == "GET, HEAD, POST"
