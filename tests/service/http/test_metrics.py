"""/metrics: requests by route template, method and status, latency histograms, the embedding queue,
upload jobs, events stored and readiness; who may read it; and one scrape summing the worker processes
of a host (prometheus_client's multiprocess mode)."""

import os
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from prometheus_client import REGISTRY
from prometheus_client.parser import text_string_to_metric_families

from service.app import create_app
from service.config import Settings
from service.metrics import (
    MULTIPROC_ENV,
    observe_request,
    prepare_multiprocess_dir,
    render,
    worker_exited,
)
from tests.support.problems import assert_problem

LOOPBACK = ("127.0.0.1", 40000)
TOKEN = "a-scraper-token-of-some-length"


def sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


def samples(exposition: str) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    return {
        (found.name, tuple(sorted(found.labels.items()))): found.value
        for family in text_string_to_metric_families(exposition)
        for found in family.samples
    }


@pytest.fixture(scope="module")
def quiet() -> TestClient:
    """An app that is not started: its middlewares count and its database-free routes answer."""
    return TestClient(create_app(Settings(database_url="sqlite://", rate_limit_address="1000/second")))


def test_a_request_is_counted_by_route_template_with_its_latency(quiet: TestClient) -> None:
    route = "/problems/{problem_type}"
    before = sample("lmi_http_requests_total", route=route, method="GET", status="200")
    observed = sample("lmi_http_request_duration_seconds_count", route=route)
    assert quiet.get("/problems/not-ready", params={"q": "typed by someone"}).status_code == 200
    assert quiet.get("/problems/unknown-region").status_code == 200
    assert sample("lmi_http_requests_total", route=route, method="GET", status="200") == before + 2
    assert sample("lmi_http_request_duration_seconds_count", route=route) == observed + 2
    assert sample("lmi_http_request_duration_seconds_bucket", route=route, le="+Inf") >= observed + 2
    # HEAD is answered as GET, on the same route; a path no route has is `unmatched`; a made-up method `other`.
    head = sample("lmi_http_requests_total", route=route, method="HEAD", status="200")
    quiet.head("/problems/not-ready")
    assert sample("lmi_http_requests_total", route=route, method="HEAD", status="200") == head + 1
    unmatched = sample("lmi_http_requests_total", route="unmatched", method="GET", status="404")
    quiet.get("/v1/no/such/thing/31301")
    assert sample("lmi_http_requests_total", route="unmatched", method="GET", status="404") == unmatched + 1
    other = sample("lmi_http_requests_total", route="/problems", method="other", status="405")
    quiet.request("BREW", "/problems")
    assert sample("lmi_http_requests_total", route="/problems", method="other", status="405") == other + 1


def test_answers_of_the_middlewares_are_counted() -> None:
    limited = TestClient(create_app(Settings(database_url="sqlite://", rate_limit_address="2/minute")))
    route = "/problems/{problem_type}"
    before = sample("lmi_http_requests_total", route=route, method="GET", status="429")
    statuses = [limited.get("/problems/not-ready").status_code for _ in range(5)]
    assert statuses == [200, 200, 429, 429, 429]
    assert sample("lmi_http_requests_total", route=route, method="GET", status="429") == before + 3


def test_no_label_holds_what_was_sent() -> None:
    observe_request("/v1/occupations/{noc_code}", "GET", 200, 0.01)
    body, content_type = render(None)
    assert content_type.startswith("text/plain")
    text = body.decode()
    assert 'route="/v1/occupations/{noc_code}"' in text and "31301" not in text


@pytest.fixture(scope="module")
def client(reference_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    """A started app of its own (the shared one's models may have been swapped or closed by other tests)."""
    with TestClient(create_app(app_settings(reference_database_url))) as started:
        yield started


@pytest.fixture
def loopback(client: TestClient) -> TestClient:
    """The started app, reached from the machine itself."""
    return TestClient(client.app, client=LOOPBACK)


@pytest.fixture
def with_token(client: TestClient) -> Iterator[TestClient]:
    state = client.app.state  # type: ignore[attr-defined]
    settings = state.settings
    state.settings = settings.model_copy(update={"metrics_token": TOKEN})
    try:
        yield client
    finally:
        state.settings = settings


def test_metrics_answer_the_machine_itself_without_a_token(client: TestClient, loopback: TestClient) -> None:
    refused = client.get("/metrics")  # from "testclient", not a loopback address
    problem = assert_problem(refused, 403, "metrics-not-allowed")
    assert "LMI_METRICS_TOKEN" in problem["detail"]
    # A forwarded address is the client's: the proxy's own loopback address does not count.
    assert TestClient(client.app, client=("203.0.113.7", 1)).get("/metrics").status_code == 403
    scraped = loopback.get("/metrics")
    assert scraped.status_code == 200, scraped.text
    assert scraped.headers["content-type"].startswith("text/plain")
    assert scraped.headers["cache-control"] == "no-store"
    assert "lmi_http_requests_total" in scraped.text
    assert TestClient(client.app, client=("::1", 1)).get("/metrics").status_code == 200


def test_with_a_token_only_the_token_reads_them(with_token: TestClient, loopback: TestClient) -> None:
    assert with_token.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"}).status_code == 200
    for headers in ({}, {"Authorization": f"Bearer {TOKEN}x"}, {"Authorization": f"Basic {TOKEN}"}):
        assert_problem(with_token.get("/metrics", headers=headers), 403, "metrics-not-allowed")
    assert loopback.get("/metrics").status_code == 403  # the token is needed from anywhere once set


def test_metrics_are_not_rate_limited_nor_in_the_api_document(client: TestClient, loopback: TestClient) -> None:
    assert "/metrics" not in client.get("/openapi.json").json()["paths"]
    assert "429" not in str([loopback.get("/metrics").status_code for _ in range(3)])


def test_the_gauges_and_events_are_in_the_scrape(client: TestClient, loopback: TestClient) -> None:
    searches = sample("lmi_events_ingested_total", type="search", source="server")
    answer = client.post("/v1/recommendations", json={"job_title": "welder"})
    assert answer.status_code == 200, answer.text
    shown = len(answer.json()["programs"])
    assert client.get("/readyz").status_code == 200
    found = samples(loopback.get("/metrics").text)
    assert found[("lmi_events_ingested_total", (("source", "server"), ("type", "search")))] == searches + 1
    if shown:
        assert found[("lmi_events_ingested_total", (("source", "server"), ("type", "impression")))] >= shown
    assert found[("lmi_ready", ())] == 1.0
    assert found[("lmi_embedding_queue_jobs", ())] >= 0
    assert {status for (name, labels), _ in found.items() if name == "lmi_upload_jobs" for _, status in labels} >= {
        "queued",
        "running",
    }


def test_readiness_says_what_is_not_ready_and_so_does_its_gauge(client: TestClient, loopback: TestClient) -> None:
    state = client.app.state  # type: ignore[attr-defined]
    models = state.models
    state.models = replace(models, matcher=None)
    try:
        body = assert_problem(client.get("/readyz"), 503, "not-ready")
        assert body["checks"] == {"database": "ok", "schema": "ok", "reference_data": "ok", "models": "not loaded"}
        assert samples(loopback.get("/metrics").text)[("lmi_ready", ())] == 0.0
    finally:
        state.models = models
    assert client.get("/readyz").status_code == 200
    assert sample("lmi_ready") == 1.0


WORKER = textwrap.dedent(
    """
    import sys
    from service.metrics import count_events, observe_request, set_embedding_queue, set_ready, set_upload_jobs
    queued, ready = int(sys.argv[1]), sys.argv[2] == "1"
    observe_request("/v1/regions", "GET", 200, 0.02)
    observe_request("/v1/regions", "GET", 200, 0.2)
    count_events([("search", "server")])
    set_embedding_queue(queued)
    set_upload_jobs({"queued": 1, "running": 0})
    set_ready(ready)
    print("written", flush=True)
    sys.stdin.read()  # alive until the test closes stdin
    """
)


def test_one_scrape_sums_the_workers_of_a_host(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "metrics"
    folder.mkdir()
    (folder / "counter_12345.db").write_bytes(b"left by a previous run")
    monkeypatch.setenv(MULTIPROC_ENV, str(folder))  # restored after the test: this process stays single
    assert prepare_multiprocess_dir() == folder and os.environ[MULTIPROC_ENV] == str(folder)
    assert not list(folder.glob("*.db"))  # a previous run's files are gone
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, queued, ready],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            env={**os.environ, MULTIPROC_ENV: str(folder)},
        )
        for queued, ready in (("3", "1"), ("4", "0"))
    ]
    # The supervisor imports the service but serves nothing: it must weigh on no gauge.
    supervisor = subprocess.Popen(
        [sys.executable, "-c", "import sys, service.app; print('imported', flush=True); sys.stdin.read()"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, MULTIPROC_ENV: str(folder)},
    )
    workers.append(supervisor)
    try:
        for worker in workers:
            assert worker.stdout is not None and worker.stdout.readline().strip() in ("written", "imported")
        found = samples(render(None)[0].decode())
        regions = (("method", "GET"), ("route", "/v1/regions"), ("status", "200"))
        assert found[("lmi_http_requests_total", regions)] == 4
        assert found[("lmi_http_request_duration_seconds_count", (("route", "/v1/regions"),))] == 4
        assert found[("lmi_http_request_duration_seconds_bucket", (("le", "0.025"), ("route", "/v1/regions")))] == 2
        assert found[("lmi_events_ingested_total", (("source", "server"), ("type", "search")))] == 2
        assert found[("lmi_embedding_queue_jobs", ())] == 7  # summed over the live workers
        assert found[("lmi_upload_jobs", (("status", "queued"),))] == 2
        assert found[("lmi_ready", ())] == 0  # the host is ready when every worker is
        # The supervisor says a worker has ended: its gauges stop counting, its requests still count.
        worker_exited(workers[1].pid)
        found = samples(render(None)[0].decode())
        assert found[("lmi_embedding_queue_jobs", ())] == 3 and found[("lmi_ready", ())] == 1
        assert found[("lmi_http_requests_total", regions)] == 4
    finally:
        for worker in workers:
            if worker.stdin is not None:
                worker.stdin.close()
            worker.wait(timeout=30)
    # A worker that died unnoticed: the scrape drops its gauges itself.
    found = samples(render(None)[0].decode())
    assert ("lmi_embedding_queue_jobs", ()) not in found or found[("lmi_embedding_queue_jobs", ())] == 0
    assert found[("lmi_http_requests_total", regions)] == 4
