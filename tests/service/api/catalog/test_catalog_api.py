"""`PUT /v1/institutions/{id}/catalog` and the catalog readers over HTTP: keys and tenancy, CSV and
JSON, dry runs, skipped rows, problems with line and column, limits, versions and rollback."""

import codecs
import json
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from accounts.institutions import create_institution
from accounts.keys import create_key, revoke_key
from models.database import create_database_engine
from service.app import create_app
from service.config import Settings
from tests.support.problems import assert_problem
from tests.support.source_data import unit_group_row

CSV = "course_id,title,url,language\nA1,Préposé aux bénéficiaires,https://a.ca/1,fr\nA2,Cashier basics,https://a.ca/2,en\n"


class Tenant:
    """An institution of the test database with its key."""

    def __init__(self, database_url: str):
        engine = create_database_engine(database_url)
        with Session(engine) as session:
            institution = create_institution(session, f"College {uuid.uuid4().hex[:8]}")
            _, self.key = create_key(session, "institution", institution.id)
            self.id, self.slug = institution.id, institution.slug
            session.commit()
        engine.dispose()

    @property
    def auth(self) -> dict[str, str]:
        return {"authorization": f"Bearer {self.key}"}


@pytest.fixture
def tenant(reference_database_url: str) -> Tenant:
    return Tenant(reference_database_url)


def put(
    client: TestClient,
    tenant: Tenant,
    body: str | bytes,
    media: str = "text/csv",
    key: str | None = None,
    **params: Any,
) -> Response:
    headers = {"content-type": media, "authorization": f"Bearer {key or tenant.key}"}
    content = body.encode() if isinstance(body, str) else body
    return client.put(f"/v1/institutions/{tenant.slug}/catalog", content=content, headers=headers, params=params)


def test_upload_then_read_the_courses(client: TestClient, tenant: Tenant) -> None:
    response = put(client, tenant, CSV)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["version"], body["courses"], body["skipped"], body["errors"]) == (1, 2, 0, [])
    listing = client.get(f"/v1/institutions/{tenant.slug}/courses").json()
    assert [item["course_id"] for item in listing["items"]] == ["A1", "A2"]
    assert listing["items"][0]["title"] == "Préposé aux bénéficiaires"
    course = client.get(f"/v1/courses/{tenant.slug}:A1").json()
    assert (course["language"], course["institution"]["slug"]) == ("fr", tenant.slug)
    by_id = client.get(f"/v1/institutions/{tenant.id}/courses").json()
    assert by_id["total"] == 2


def test_institutions_are_listed_with_their_catalog(client: TestClient, tenant: Tenant) -> None:
    put(client, tenant, CSV)
    items = {item["slug"]: item for item in client.get("/v1/institutions").json()["items"]}
    assert (items[tenant.slug]["version"], items[tenant.slug]["courses"], items[tenant.slug]["id"]) == (1, 2, tenant.id)


def test_a_course_shows_the_occupations_it_leads_to(client: TestClient, tenant: Tenant) -> None:
    put(client, tenant, "course_id,title,url,noc_codes\nN1,Nursing,https://a.ca/n1,31301\n")
    (link,) = client.get(f"/v1/courses/{tenant.slug}:N1").json()["occupations"]
    assert (link["noc_code"], link["score"], link["source"]) == ("31301", 1.0, "given")
    assert link["title_en"] == unit_group_row("31301")["title_en"]
    listed = client.get(f"/v1/institutions/{tenant.slug}/courses").json()["items"][0]["occupations"]
    assert listed == [link]


def test_json_upload_with_a_mapping(client: TestClient, tenant: Tenant) -> None:
    catalog = [{"code": "B1", "name": "Soudage", "page": "https://b.ca/1", "mode": "En ligne"}]
    mapping = {"course_id": "code", "title": "name", "url": "page", "delivery_mode": "mode"}
    response = put(client, tenant, json.dumps(catalog), "application/json", mapping=json.dumps(mapping))
    assert response.status_code == 200, response.text
    assert client.get(f"/v1/courses/{tenant.slug}:B1").json()["delivery_mode"] == "online"


def test_windows_1252_keeps_its_accents(client: TestClient, tenant: Tenant) -> None:
    response = put(client, tenant, CSV.encode("cp1252"), "text/csv")
    assert response.status_code == 200
    assert client.get(f"/v1/courses/{tenant.slug}:A1").json()["title"] == "Préposé aux bénéficiaires"


def test_bad_rows_are_reported_with_line_and_column_and_change_nothing(client: TestClient, tenant: Tenant) -> None:
    put(client, tenant, CSV)
    bad = CSV + "A3,Soudure,ftp://a.ca/3,fr\nA4,,https://a.ca/4,de\n"
    problem = assert_problem(put(client, tenant, bad), 422, "invalid-catalog")
    assert [(e["line"], e["column"]) for e in problem["errors"]] == [(4, "url"), (5, "title"), (5, "language")]
    assert client.get(f"/v1/institutions/{tenant.slug}/catalog/versions").json()["versions"][-1]["number"] == 1


def test_skip_imports_the_good_rows(client: TestClient, tenant: Tenant) -> None:
    body = put(client, tenant, CSV + "A3,,https://a.ca/3,fr\n", on_error="skip").json()
    assert (body["courses"], body["skipped"], body["errors"][0]["line"]) == (2, 1, 4)


def test_dry_run(client: TestClient, tenant: Tenant) -> None:
    body = put(client, tenant, CSV, dry_run="true").json()
    assert (body["dry_run"], body["version"], body["courses"]) == (True, None, 2)
    assert client.get(f"/v1/institutions/{tenant.slug}/courses").json()["items"] == []


def test_rollback(client: TestClient, tenant: Tenant) -> None:
    put(client, tenant, CSV)
    put(client, tenant, CSV.replace("Cashier basics", "Cash handling"))
    response = client.post(
        f"/v1/institutions/{tenant.slug}/catalog/rollback", params={"version": 1}, headers=tenant.auth
    )
    assert response.json()["number"] == 1
    assert client.get(f"/v1/courses/{tenant.slug}:A2").json()["title"] == "Cashier basics"
    versions = client.get(f"/v1/institutions/{tenant.slug}/catalog/versions").json()["versions"]
    assert [(v["number"], v["active"]) for v in versions] == [(1, True), (2, False)]
    problem = client.post(
        f"/v1/institutions/{tenant.slug}/catalog/rollback", params={"version": 7}, headers=tenant.auth
    )
    assert_problem(problem, 404, "unknown-catalog-version")


def test_no_key_is_401_with_a_bearer_challenge(client: TestClient, tenant: Tenant) -> None:
    response = client.put(f"/v1/institutions/{tenant.slug}/catalog", content=CSV, headers={"content-type": "text/csv"})
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"


def test_a_revoked_key_is_401(client: TestClient, tenant: Tenant, reference_database_url: str) -> None:
    engine = create_database_engine(reference_database_url)
    with Session(engine) as session:
        revoke_key(session, tenant.key)
        session.commit()
    engine.dispose()
    assert_problem(put(client, tenant, CSV), 401, "unauthorized")


def test_another_institutions_key_is_403(client: TestClient, tenant: Tenant, reference_database_url: str) -> None:
    other = Tenant(reference_database_url)
    assert_problem(put(client, tenant, CSV, key=other.key), 403, "forbidden")
    assert client.get(f"/v1/institutions/{tenant.slug}/catalog/versions").json()["versions"] == []


def test_an_analyst_key_is_403_and_an_admin_key_may(
    client: TestClient, tenant: Tenant, reference_database_url: str
) -> None:
    engine = create_database_engine(reference_database_url)
    with Session(engine) as session:
        _, analyst = create_key(session, "analyst")
        _, admin = create_key(session, "admin")
        session.commit()
    engine.dispose()
    assert_problem(put(client, tenant, CSV, key=analyst), 403, "forbidden")
    assert put(client, tenant, CSV, key=admin).status_code == 200


@pytest.mark.parametrize(
    ("url", "problem_type"),
    [
        ("/v1/institutions/no-such-college/courses", "unknown-institution"),
        ("/v1/courses/no-such:thing", "unknown-course"),
    ],
)
def test_unknown_references_are_404(client: TestClient, url: str, problem_type: str) -> None:
    assert_problem(client.get(url), 404, problem_type)


def test_unsupported_media_type(client: TestClient, tenant: Tenant) -> None:
    problem = assert_problem(put(client, tenant, CSV, "application/vnd.ms-excel"), 415, "unsupported-media-type")
    assert "text/csv" in problem["accept"]


@pytest.mark.parametrize(
    ("body", "params", "problem_type"),
    [
        (b"\x81\x8d\x8f", {}, "unreadable-catalog"),
        (CSV, {"mapping": "{not json"}, "invalid-mapping"),
        (CSV, {"mapping": '{"title": "Name"}'}, "invalid-mapping"),
    ],
)
def test_unreadable_files_and_bad_mappings_are_422(
    client: TestClient, tenant: Tenant, body: str | bytes, params: dict[str, str], problem_type: str
) -> None:
    assert_problem(put(client, tenant, body, **params), 422, problem_type)


@pytest.mark.parametrize("depth", [900, 1000, 100_000])
def test_json_nested_too_deep_is_unreadable_and_changes_nothing(client: TestClient, tenant: Tenant, depth: int) -> None:
    put(client, tenant, CSV)
    nested = json.dumps([{"course_id": "D1", "title": "Deep", "url": "https://d.ca/1"}])[:-1] + ", " + "[" * depth
    for body in (nested + "]" * depth + "]", nested):  # closed, or never closed
        problem = assert_problem(put(client, tenant, body, "application/json"), 422, "unreadable-catalog")
        assert f"{depth + 1:,} levels deep; a catalog may nest at most 16" in problem["detail"]  # in the list
    versions = client.get(f"/v1/institutions/{tenant.slug}/catalog/versions").json()["versions"]
    assert [version["number"] for version in versions] == [1]
    listed = client.get(f"/v1/institutions/{tenant.slug}/courses").json()["items"]
    assert [item["course_id"] for item in listed] == ["A1", "A2"]


# Excel's "Unicode text" is UTF-16 with a byte-order mark, tab-separated.
UNICODE_TEXT = CSV.replace(",", "\t") + "A3\tÉlectricité : œuvre « générale »\thttps://a.ca/3\tfr\n"


@pytest.mark.parametrize(
    "content",
    [
        codecs.BOM_UTF16_LE + UNICODE_TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + UNICODE_TEXT.encode("utf-16-be"),
        codecs.BOM_UTF32_LE + UNICODE_TEXT.encode("utf-32-le"),
    ],
    ids=["utf-16 LE", "utf-16 BE", "utf-32 LE"],
)
def test_unicode_text_with_a_byte_order_mark_loads_the_same_courses_as_its_utf8_twin(
    client: TestClient, reference_database_url: str, content: bytes
) -> None:
    courses = []
    for body in (UNICODE_TEXT.encode("utf-8"), content):
        tenant = Tenant(reference_database_url)
        response = put(client, tenant, body, "text/csv")
        assert response.status_code == 200, response.text
        assert (response.json()["courses"], response.json()["errors"]) == (3, [])
        items = client.get(f"/v1/institutions/{tenant.slug}/courses").json()["items"]
        courses.append(
            [{name: value for name, value in item.items() if name not in ("id", "institution")} for item in items]
        )
    assert courses[1] == courses[0]
    assert [course["title"] for course in courses[1]] == [
        "Préposé aux bénéficiaires",
        "Cashier basics",
        "Électricité : œuvre « générale »",
    ]


@pytest.fixture
def small_limit_client(reference_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    settings = app_settings(reference_database_url).model_copy(update={"max_catalog_bytes": 1000})
    with TestClient(create_app(settings)) as client:
        yield client


def test_a_catalog_over_the_size_limit_is_413(small_limit_client: TestClient, tenant: Tenant) -> None:
    big = CSV + "".join(f"C{n},Course {n},https://c.ca/{n},en\n" for n in range(100))
    problem = assert_problem(put(small_limit_client, tenant, big), 413, "request-too-large")
    assert problem["max_bytes"] == 1000


@pytest.fixture
def job_client(reference_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    """An app that never waits for an upload: every upload is answered as a job."""
    settings = app_settings(reference_database_url).model_copy(update={"upload_wait_seconds": 0})
    with TestClient(create_app(settings)) as client:
        yield client


def finished_job(client: TestClient, tenant: Tenant, href: str) -> dict[str, Any]:
    deadline = time.monotonic() + 300  # the job tags every course first: seconds per thousand
    while time.monotonic() < deadline:
        job = client.get(href, headers=tenant.auth).json()
        if job["status"] in ("succeeded", "failed"):
            return job
        time.sleep(0.05)
    raise AssertionError(f"the job {href} did not finish")


def test_a_long_upload_is_answered_as_a_job(job_client: TestClient, tenant: Tenant) -> None:
    big = CSV + "".join(f"C{n},Course {n},https://c.ca/{n},en\n" for n in range(3000))
    response = put(job_client, tenant, big)
    assert response.status_code == 202
    accepted = response.json()
    assert (
        response.headers["location"]
        == accepted["href"]
        == f"/v1/institutions/{tenant.slug}/catalog/jobs/{accepted['id']}"
    )
    assert accepted["status"] in ("queued", "running", "succeeded")
    job = finished_job(job_client, tenant, accepted["href"])
    assert (job["status"], job["courses_tagged"], job["rows_written"], job["problem"]) == (
        "succeeded",
        3002,
        3002,
        None,
    )
    assert (job["result"]["version"], job["result"]["courses"]) == (1, 3002)
    assert job_client.get(f"/v1/institutions/{tenant.slug}/courses").json()["total"] == 3002


def test_a_failed_job_reports_its_problem(job_client: TestClient, tenant: Tenant) -> None:
    accepted = put(job_client, tenant, CSV + "A3,,ftp://x,fr\n").json()
    job = finished_job(job_client, tenant, accepted["href"])
    assert (job["status"], job["result"]) == ("failed", None)
    assert job["problem"]["type"] == "/problems/invalid-catalog"
    assert [(e["line"], e["column"]) for e in job["problem"]["errors"]] == [(4, "title"), (4, "url")]
    assert job_client.get(f"/v1/institutions/{tenant.slug}/catalog/versions").json()["versions"] == []


def test_jobs_are_the_institutions_own(job_client: TestClient, tenant: Tenant, reference_database_url: str) -> None:
    accepted = put(job_client, tenant, CSV).json()
    other = Tenant(reference_database_url)
    assert_problem(job_client.get(accepted["href"], headers=other.auth), 403, "forbidden")
    assert_problem(job_client.get(accepted["href"]), 401, "unauthorized")
    unknown = f"/v1/institutions/{tenant.slug}/catalog/jobs/{'0' * 32}"
    assert_problem(job_client.get(unknown, headers=tenant.auth), 404, "unknown-job")
    elsewhere = f"/v1/institutions/{other.slug}/catalog/jobs/{accepted['id']}"
    assert_problem(job_client.get(elsewhere, headers=other.auth), 404, "unknown-job")
