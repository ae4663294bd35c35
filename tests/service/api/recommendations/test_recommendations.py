"""`POST /v1/recommendations` over the real reference data and two real sample catalogs (Vancouver
Island University's programs, some with NOC codes, and Polytechnique Montréal's French courses),
uploaded and tagged through the sample loader, on SQLite and PostgreSQL."""

import re
from collections import Counter
from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.support.problems import assert_problem


def recommend(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post("/v1/recommendations", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


@pytest.mark.usefixtures("catalogs")
def test_a_french_job_title_gets_french_reasons_toronto_wages_and_the_programs_that_lead_to_it(
    client: TestClient,
) -> None:
    answer = recommend(client, job_title="infirmière auxiliaire", region="ER3530")
    assert answer["lang"] == "fr" and not answer["no_match"]
    assert answer["occupation"]["noc_code"] == "32101"
    assert answer["occupation"]["title"] == answer["occupation"]["title_fr"]
    regional = answer["labour_market"]["wages"]["regional"]
    assert "Toronto" in regional["requested_region"]["name"] and regional["median"] is not None
    assert answer["labour_market"]["outlook"] is not None
    assert answer["skills"] and all(not skill["covered_by_person"] for skill in answer["skills"])
    assert "Santé physique" in {skill["name"] for skill in answer["skills"]}
    programs = answer["programs"]
    assert programs and programs[0]["title"] == "Practical Nursing" and programs[0]["link"] in ("given", "inferred")
    reasons = [program["reason"] for program in programs]
    assert len(set(reasons)) == len(reasons)  # each says what its own program teaches
    assert not any(answer["occupation"]["title"] in reason for reason in reasons)
    assert not any(re.search(r"\b(Covers|Teaches|skills?|need)\b", re.sub("«[^»]*»", "", r)) for r in reasons)
    assert "Santé physique" in programs[0]["skills_covered"]
    for field in ("course_id", "institution", "provider", "url", "score", "delivery_mode", "language", "cost_cad",
                  "duration_hours", "credential", "financial_aid"):  # fmt: skip
        assert field in programs[0]
    assert client.get(f"/v1/courses/{programs[0]['course_id']}").status_code == 200


@pytest.mark.usefixtures("catalogs")
def test_the_person_s_skills_and_current_job_change_the_gap_and_the_reasons(client: TestClient) -> None:
    plain = recommend(client, job_title="licensed practical nurse")
    first = plain["programs"][0]
    assert plain["lang"] == "en" and first["skills_covered"] and first["skills_covered"][0] in first["reason"]
    listed = recommend(client, job_title="licensed practical nurse", skills=["patient care", "soins de santé"])
    covered = {skill["name"] for skill in listed["skills"] if skill["covered_by_person"]}
    assert "Physical Health" in covered
    assert all("Physical Health" not in program["skills_covered"] for program in listed["programs"])
    moving = recommend(client, job_title="licensed practical nurse", current_job_title="registered nurse")
    assert moving["current_occupation"]["noc_code"] == "31301"
    assert sum(skill["covered_by_person"] for skill in moving["skills"]) > len(moving["skills"]) // 2
    assert "your profile lacks" in " ".join(program["reason"] for program in moving["programs"]) or all(
        not program["skills_covered"] for program in moving["programs"]
    )


@pytest.mark.usefixtures("catalogs")
def test_filters_are_honoured_and_no_institution_fills_the_first_ten(client: TestClient) -> None:
    french = recommend(client, job_title="électricien", filters={"language": "fr"}, limit=20)
    assert french["programs"] and all(program["language"] == "fr" for program in french["programs"])
    in_person = recommend(client, job_title="électricien", filters={"delivery_mode": "in_person"}, limit=20)
    assert all(program["delivery_mode"] == "in_person" for program in in_person["programs"])
    cheap = recommend(client, job_title="électricien", filters={"max_cost_cad": 0})
    assert all(program["cost_cad"] is not None and program["cost_cad"] <= 0 for program in cheap["programs"])
    answer = recommend(client, job_title="électricien", limit=10)
    counts = Counter(program["institution"]["slug"] for program in answer["programs"])
    assert max(counts.values()) <= 5


@pytest.mark.usefixtures("catalogs")
def test_the_same_request_gets_the_same_answer_and_a_code_works_like_a_title(client: TestClient) -> None:
    body = {"job_title": "soudeur", "session_id": "s-1", "variant": "B"}
    first, second = recommend(client, **body), recommend(client, **body)
    # Each answer is its own set of impressions, with its own ids and tracked links; the rest is the same.
    tracking = ("impression_id", "tracked_url")
    assert {p["impression_id"] for p in first["programs"]}.isdisjoint(p["impression_id"] for p in second["programs"])
    for answer in (first, second):
        answer["programs"] = [{k: v for k, v in p.items() if k not in tracking} for p in answer["programs"]]
    assert first == second and (first["session_id"], first["variant"]) == ("s-1", "B")
    by_code = recommend(client, noc_code="72106", lang="fr")
    assert by_code["occupation"]["noc_code"] == "72106" and by_code["occupation"]["match_type"] == "code"
    assert [p["course_id"] for p in by_code["programs"]] == [p["course_id"] for p in first["programs"]]
    both = recommend(client, job_title="welder", noc_code="72106")  # the code decides, the title the language
    assert (both["occupation"]["noc_code"], both["lang"]) == ("72106", "en")


@pytest.mark.usefixtures("catalogs")
def test_a_title_that_names_no_occupation_gets_no_programs_and_says_so(client: TestClient) -> None:
    answer = recommend(client, job_title="je cherche un emploi")
    assert answer["no_match"] and answer["programs"] == [] and answer["occupation"] is None
    assert answer["message"]


@pytest.mark.parametrize(
    ("body", "status", "problem"),
    [
        ({}, 422, "invalid-request"),
        ({"job_title": None}, 422, "invalid-request"),
        ({"job_title": "   "}, 422, "invalid-request"),
        ({"job_title": "cook", "limit": 51}, 422, "invalid-request"),
        ({"job_title": "cook", "filters": {"colour": "blue"}}, 422, "invalid-request"),
        ({"job_title": "cook", "session_id": "a b"}, 422, "invalid-request"),
        ({"noc_code": "99999"}, 404, "unknown-occupation"),
        ({"job_title": "cook", "region": "Atlantis"}, 422, "unknown-region"),
    ],
)
def test_bad_requests_get_problems(client: TestClient, body: dict[str, Any], status: int, problem: str) -> None:
    assert_problem(client.post("/v1/recommendations", json=body), status, problem)


def test_a_body_that_is_not_json_gets_415(client: TestClient) -> None:
    response = client.post("/v1/recommendations", content=b"job_title=cook", headers={"Content-Type": "text/plain"})
    assert_problem(response, 415, "unsupported-media-type")
