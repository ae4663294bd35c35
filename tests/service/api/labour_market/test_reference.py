"""Reference routes besides the profile: crosswalk, regions, sources, the occupation list, health."""

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from labour_market.datasets import SOURCE_KEYS
from models.database import create_database_engine
from models.migrate import upgrade_to_head
from models.schema_revision import HEAD_REVISION, KNOWN_REVISIONS
from service.app import create_app
from service.config import Settings
from tests.support.problems import PROBLEM_JSON, assert_problem
from tests.support.source_data import (
    CONCORDANCE,
    DATA_DIR,
    GEOGRAPHY,
    OGL_ATTRIBUTION,
    REFERENCE_FILES,
    UNIT_GROUPS,
    csv_rows,
    file_sha256,
)


def ok(response: Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    return response.json()


def concordance_links() -> list[tuple[str, str]]:
    """(NOC 2016, NOC 2021) code pairs of the concordance (one code carries a stray space in the file)."""
    return [(row["NOC 2016 V1.3 Code"].strip(), row["NOC 2021 V1.0 Code"].strip()) for row in csv_rows(CONCORDANCE)]


def concordance_successors(noc2016_code: str) -> list[str]:
    return sorted(new for old, new in concordance_links() if old == noc2016_code)


def concordance_predecessors(noc2021_code: str) -> list[str]:
    return sorted(old for old, new in concordance_links() if new == noc2021_code)


def unit_groups() -> tuple[dict[str, str], ...]:
    return csv_rows(UNIT_GROUPS)


# --- Crosswalk ------------------------------------------------------------------------------------


def test_noc2016_code_split_in_two(client: TestClient) -> None:
    body = ok(client.get("/v1/crosswalk/noc2016/7514"))
    assert (body["from_version"], body["to_version"], body["code"]) == ("NOC 2016 V1.3", "NOC 2021 V1.0", "7514")
    assert body["title"] == "Delivery and courier service drivers"
    assert sorted(link["code"] for link in body["links"]) == concordance_successors("7514") == ["74102", "75201"]
    titles_fr = {row["noc_code"]: row["title_fr"] for row in unit_groups()}
    assert all(link["title_fr"] == titles_fr[link["code"]] for link in body["links"])
    assert all(link["change_type"].startswith("RC5 - Transfer") for link in body["links"])
    assert all(link["note"] == "7514 continues as 75201 and part transferred to 74102" for link in body["links"])


def test_crosswalk_titles_in_french(client: TestClient) -> None:
    response = client.get("/v1/crosswalk/noc2016/7514", params={"lang": "fr"})
    assert response.headers["content-language"] == "fr"
    links = response.json()["links"]
    assert [link["title"] for link in links] == [link["title_fr"] for link in links]
    assert "Messagers/messagères" in [link["title"] for link in links]


def test_noc2021_code_lists_its_predecessors(client: TestClient) -> None:
    body = ok(client.get("/v1/crosswalk/noc2021/75201"))
    assert (body["from_version"], body["to_version"]) == ("NOC 2021 V1.0", "NOC 2016 V1.3")
    codes = [link["code"] for link in body["links"]]
    assert "7514" in codes
    assert sorted(codes) == concordance_predecessors("75201")


def test_every_concordance_code_crosses_over(client: TestClient) -> None:
    for code in sorted({old for old, _ in concordance_links()}):
        links = ok(client.get(f"/v1/crosswalk/noc2016/{code}"))["links"]
        assert sorted(link["code"] for link in links) == concordance_successors(code), code


@pytest.mark.parametrize(
    ("path", "hint"),
    [
        ("/v1/crosswalk/noc2016/9999", "NOC 2016 unit group codes have four digits, such as 3012"),
        ("/v1/crosswalk/noc2016/31301", "31301 looks like a NOC 2021 code; see /v1/crosswalk/noc2021/31301"),
        ("/v1/crosswalk/noc2021/99999", "NOC 2021 unit group codes have five digits, such as 31301"),
        ("/v1/crosswalk/noc2021/7514", "7514 looks like a NOC 2016 code; see /v1/crosswalk/noc2016/7514"),
    ],
)
def test_unknown_crosswalk_code(client: TestClient, path: str, hint: str) -> None:
    body = assert_problem(client.get(path), 404, "unknown-crosswalk-code")
    assert hint in body["detail"]


def test_crosswalk_conditional_get(client: TestClient) -> None:
    etag = client.get("/v1/crosswalk/noc2016/7514").headers["etag"]
    response = client.get("/v1/crosswalk/noc2016/7514", headers={"If-None-Match": etag})
    assert (response.status_code, response.content) == (304, b"")


# --- Regions --------------------------------------------------------------------------------------


def test_regions(client: TestClient) -> None:
    items = ok(client.get("/v1/regions"))["items"]
    assert len(items) == 90
    assert {item["code"] for item in items} == {row["code"] for row in csv_rows(GEOGRAPHY)}
    assert [item["level"] for item in items] == ["country"] + ["province"] * 13 + ["economic_region"] * 76
    toronto = next(item for item in items if item["code"] == "3530")
    assert (toronto["wage_code"], toronto["province_code"], toronto["province_abbr"]) == ("ER3530", "35", "ON")


@pytest.mark.parametrize(("lang", "name"), [("en", "Quebec"), ("fr", "Québec")])
def test_region_names_in_both_languages(client: TestClient, lang: str, name: str) -> None:
    response = client.get("/v1/regions", params={"lang": lang})
    assert response.headers["content-language"] == lang
    quebec = next(item for item in response.json()["items"] if item["code"] == "24")
    assert quebec["name"] == name
    assert (quebec["name_en"], quebec["name_fr"]) == ("Quebec", "Québec")


def test_regions_conditional_get(client: TestClient) -> None:
    first = client.get("/v1/regions")
    assert first.headers["cache-control"].startswith("public, max-age=")
    repeat = client.get("/v1/regions", headers={"If-None-Match": first.headers["etag"]})
    assert (repeat.status_code, repeat.content) == (304, b"")
    assert client.get("/v1/regions", params={"lang": "fr"}).headers["etag"] != first.headers["etag"]


# --- Sources and licence --------------------------------------------------------------------------


def test_meta_sources(client: TestClient) -> None:
    body = ok(client.get("/v1/meta/sources"))
    assert body["attribution"] == OGL_ATTRIBUTION
    assert OGL_ATTRIBUTION in (DATA_DIR / "README.md").read_text(encoding="utf-8")
    assert "Licence du gouvernement ouvert – Canada" in body["attribution_fr"]
    sources = body["sources"]
    assert len(sources) == 13
    checksums = {source["path"]: source["sha256"] for source in sources}
    assert checksums == {path: file_sha256(path) for path in REFERENCE_FILES}
    assert {source["licence"] for source in sources} == {"Open Government Licence – Canada"}
    assert {source["licence_url"] for source in sources} == {"https://open.canada.ca/en/open-government-licence-canada"}
    keys = [source["source"] for source in sources]
    assert sorted(set(keys), key=SOURCE_KEYS.index) == list(SOURCE_KEYS)
    assert keys == sorted(keys, key=SOURCE_KEYS.index)


# --- Occupation list ------------------------------------------------------------------------------


def test_list_paginates_all_unit_groups(client: TestClient) -> None:
    first = ok(client.get("/v1/occupations", params={"per_page": 50}))
    assert (first["total"], first["pages"], first["page"], len(first["items"])) == (516, 11, 1, 50)
    assert first["previous"] is None

    codes = [item["noc_code"] for item in first["items"]]
    page = first
    while page["next"]:
        assert "per_page=50" in page["next"] and f"page={page['page'] + 1}" in page["next"]
        following = ok(client.get(page["next"]))
        assert f"page={page['page']}" in following["previous"]
        codes += [item["noc_code"] for item in following["items"]]
        page = following
    assert (page["page"], len(page["items"])) == (11, 16)
    assert codes == sorted(row["noc_code"] for row in unit_groups())


def test_list_default_page(client: TestClient) -> None:
    body = ok(client.get("/v1/occupations"))
    assert (body["per_page"], body["total"], len(body["items"])) == (50, 516, 50)
    assert body["items"][0] == {
        "noc_code": "00010",
        "title": "Legislators",
        "title_en": "Legislators",
        "title_fr": "Membres des corps législatifs",
        "teer": 0,
        "broad_category": "0",
    }


def test_list_filtered_by_teer(client: TestClient) -> None:
    expected = sorted(row["noc_code"] for row in unit_groups() if row["teer"] == "1")
    body = ok(client.get("/v1/occupations", params={"teer": 1, "per_page": 200}))
    assert body["total"] == len(expected) == 97
    assert [item["noc_code"] for item in body["items"]] == expected
    assert {item["teer"] for item in body["items"]} == {1}


def test_list_filtered_by_broad_category(client: TestClient) -> None:
    expected = sorted(row["noc_code"] for row in unit_groups() if row["broad_category_code"] == "3")
    body = ok(client.get("/v1/occupations", params={"broad_category": "3", "per_page": 200}))
    assert body["total"] == len(expected)
    assert [item["noc_code"] for item in body["items"]] == expected
    assert "31301" in expected


def test_list_filters_combine(client: TestClient) -> None:
    expected = [row for row in unit_groups() if row["broad_category_code"] == "3" and row["teer"] == "1"]
    body = ok(client.get("/v1/occupations", params={"broad_category": "3", "teer": 1}))
    assert body["total"] == len(expected)


def test_list_in_french(client: TestClient) -> None:
    response = client.get("/v1/occupations", params={"lang": "fr", "broad_category": "3", "per_page": 200})
    assert response.headers["content-language"] == "fr"
    titles_fr = {row["noc_code"]: row["title_fr"] for row in unit_groups()}
    items = response.json()["items"]
    assert all(item["title"] == titles_fr[item["noc_code"]] for item in items)
    nurses = next(item for item in items if item["noc_code"] == "31301")
    assert nurses["title"].startswith("Infirmiers autorisés/infirmières autorisées")


def test_page_past_the_end_is_empty(client: TestClient) -> None:
    body = ok(client.get("/v1/occupations", params={"page": 12}))
    assert (body["items"], body["next"], body["total"]) == ([], None, 516)


@pytest.mark.parametrize(
    ("params", "location"),
    [
        ({"teer": 9}, "query.teer"),
        ({"teer": "one"}, "query.teer"),
        ({"per_page": 0}, "query.per_page"),
        ({"per_page": 201}, "query.per_page"),
        ({"page": 0}, "query.page"),
        ({"broad_category": "31"}, "query.broad_category"),
        ({"lang": "de"}, "query.lang"),
    ],
)
def test_list_invalid_parameters(client: TestClient, params: dict[str, Any], location: str) -> None:
    body = assert_problem(client.get("/v1/occupations", params=params), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == [location]
    assert location in body["detail"]


# --- Unknown routes -------------------------------------------------------------------------------


def test_unknown_route_is_a_problem(client: TestClient) -> None:
    response = client.get("/v1/no-such-thing")
    assert (response.status_code, response.headers["content-type"]) == (404, PROBLEM_JSON)
    body = response.json()
    assert (body["type"], body["title"], body["status"], body["instance"]) == (
        "about:blank",
        "Not Found",
        404,
        "/v1/no-such-thing",
    )


def test_unknown_route_problem_has_a_detail(client: TestClient) -> None:
    assert_problem(client.get("/v1/no-such-thing"), 404, "about:blank")


def test_wrong_method_is_a_problem(client: TestClient) -> None:
    response = client.post("/v1/occupations")
    assert (response.status_code, response.headers["content-type"]) == (405, PROBLEM_JSON)
    assert response.headers["allow"] == "GET, HEAD"
    assert response.json()["title"] == "Method Not Allowed"


# --- Health ---------------------------------------------------------------------------------------


def test_healthz(client: TestClient) -> None:
    assert ok(client.get("/healthz")) == {"status": "ok"}


def test_readyz_on_the_imported_database(client: TestClient) -> None:
    assert ok(client.get("/readyz")) == {"status": "ready"}


def client_for(settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(settings)) as test_client:
        yield test_client


@pytest.fixture
def migrated_empty_client(empty_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    engine = create_database_engine(empty_database_url)
    upgrade_to_head(engine)
    engine.dispose()
    yield from client_for(app_settings(empty_database_url))


@pytest.fixture
def unmigrated_client(empty_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    yield from client_for(app_settings(empty_database_url))


def test_readyz_lists_missing_sources_on_an_empty_database(migrated_empty_client: TestClient) -> None:
    body = assert_problem(migrated_empty_client.get("/readyz"), 503, "not-ready")
    assert body["missing_sources"] == list(SOURCE_KEYS)
    assert "lmi import-reference" in body["detail"]
    assert ok(migrated_empty_client.get("/healthz")) == {"status": "ok"}


def test_readyz_on_a_database_without_tables(unmigrated_client: TestClient) -> None:
    body = assert_problem(unmigrated_client.get("/readyz"), 503, "not-ready")
    assert "not migrated" in body["detail"]


@pytest.fixture
def behind_client(empty_database_url: str, app_settings: Callable[[str], Settings]) -> Iterator[TestClient]:
    engine = create_database_engine(empty_database_url)
    upgrade_to_head(engine, KNOWN_REVISIONS[-2])
    engine.dispose()
    yield from client_for(app_settings(empty_database_url))


def test_readyz_names_a_schema_left_behind(behind_client: TestClient) -> None:
    body = assert_problem(behind_client.get("/readyz"), 503, "not-ready")
    assert body["checks"]["schema"] == "behind"
    assert body["schema_revision"] == {"database": KNOWN_REVISIONS[-2], "code": HEAD_REVISION}
    assert "lmi migrate" in body["detail"]
