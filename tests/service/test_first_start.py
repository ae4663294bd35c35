"""A first start serves at once: while the models are being built, job-title search answers from the
words alone and says so, readiness names what is still building, recommendations wait; then the whole
models are swapped in (service.lifespan, service.state)."""

import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

import service.lifespan
from catalog.skill_space import SkillSpace
from service.app import create_app
from service.config import Settings
from service.state import SKILL_SPACE, TITLE_INDEX, ServiceModels
from tests.support.problems import assert_problem

WAIT = 30  # seconds a step of the build may take at most in these tests


class SlowBuild:
    """The real `load_models`, held at its start until `release` is set."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.steps: list[tuple[str, ...]] = []
        self.real = service.lifespan.load_models

    def __call__(self, *args: Any, on_step: Callable[[tuple[str, ...]], object], **options: Any) -> ServiceModels:
        def recorded(parts: tuple[str, ...]) -> None:
            self.steps.append(parts)
            on_step(parts)

        recorded((TITLE_INDEX, SKILL_SPACE))
        assert self.release.wait(WAIT)
        return self.real(*args, on_step=recorded, **options)


@pytest.fixture
def slow_build(monkeypatch: pytest.MonkeyPatch) -> SlowBuild:
    build = SlowBuild()
    monkeypatch.setattr(service.lifespan, "load_models", build)
    return build


@pytest.fixture
def first_start(
    reference_database_url: str, app_settings: Callable[[str], Settings], slow_build: SlowBuild, skill_space: SkillSpace
) -> Iterator[TestClient]:
    """An app whose build, once released, only loads (the session's skill space is cached already)."""
    settings = app_settings(reference_database_url).model_copy(update={"startup_wait_seconds": 0.0})
    with TestClient(create_app(settings)) as client:
        yield client
        slow_build.release.set()


def wait_until(condition: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(WAIT * 10):
        if condition():
            return
        done.wait(0.1)
    raise AssertionError("the condition did not come true in time")


def test_a_first_start_answers_with_words_alone_then_swaps_the_models_in(
    first_start: TestClient, slow_build: SlowBuild
) -> None:
    client = first_start
    body = assert_problem(client.get("/readyz"), 503, "not-ready")
    assert body["building"] == [TITLE_INDEX, SKILL_SPACE]
    assert "job-title search answers meanwhile" in body["detail"]

    found = client.get("/v1/occupations/search", params={"q": "registered nurse"})
    assert found.status_code == 200
    assert found.json()["words_only"] is True
    assert found.json()["results"][0]["noc_code"] == "31301"
    batch = client.post("/v1/occupations/search/batch", json={"items": [{"q": "welder"}]})
    assert (batch.status_code, batch.json()["words_only"]) == (200, True)

    waiting = assert_problem(client.post("/v1/recommendations", json={"job_title": "welder"}), 503, "not-ready")
    assert "being prepared" in waiting["detail"]
    assert waiting["building"] == [TITLE_INDEX, SKILL_SPACE]
    page = client.get("/", params={"q": "welder"})
    assert page.status_code == 503

    slow_build.release.set()
    wait_until(lambda: client.get("/readyz").status_code == 200)
    assert slow_build.steps[-1] == (SKILL_SPACE,)
    models: ServiceModels = client.app.state.models  # type: ignore[attr-defined]
    assert models.building == () and models.recommender is not None and models.skill_space is not None
    assert client.post("/v1/recommendations", json={"job_title": "welder"}).status_code == 200


def test_a_start_with_the_models_ready_in_time_serves_them_at_once(
    reference_database_url: str, app_settings: Callable[[str], Settings]
) -> None:
    with TestClient(create_app(app_settings(reference_database_url))) as client:
        models: ServiceModels = client.app.state.models  # type: ignore[attr-defined]
        assert models.building == () and models.recommender is not None
        assert client.get("/readyz").status_code == 200
