"""`POST /v1/occupations/by-skills` and `GET /v1/occupations/{noc_code}/transitions` over HTTP, on the
real reference data (both backends): what they answer in English and French, and the problems that
bad input gets without changing anything. The test apps match titles on words alone, so the skills
search runs here without the job titles' vectors: assertions hold for that weaker reading too."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from models.events import Event

BY_SKILLS = "/v1/occupations/by-skills"


def by_skills(client: TestClient, **body: Any) -> dict[str, Any]:
    response = client.post(BY_SKILLS, json=body)
    assert response.status_code == 200, response.text
    return dict(response.json())


def event_count(engine: Engine) -> int:
    with Session(engine) as session:
        return int(session.scalar(select(func.count()).select_from(Event)) or 0)


def test_skills_find_occupations_with_what_they_use_and_what_to_learn(client: TestClient) -> None:
    answer = by_skills(client, skills=["installing wiring and conduit", "reading electrical code", "panel upgrades"])
    assert answer["lang"] == "en" and answer["no_match"] is False and answer["unrecognized"] == []
    first = answer["occupations"][0]
    assert first["noc_code"][:2] == "72", first  # an electrical or industrial trade
    assert [o["noc_code"] for o in answer["occupations"][:5]].count("72200") == 1
    assert first["matched"] and all(m["input"] in answer["skills"] for m in first["matched"])
    assert all(m["skill"]["id"].startswith("http://data.europa.eu/esco/skill/") for m in first["matched"])
    assert 0 < first["confidence"] <= 1 and first["teer"] in range(6)
    assert all(skill["id"].startswith("oasis:") and skill["level"] > 0 for skill in first["to_learn"])
    assert first["wages"]["national"]["median"] > 0
    scores = [o["score"] for o in answer["occupations"]]
    assert scores == sorted(scores, reverse=True)


def test_french_skills_answer_in_french(client: TestClient) -> None:
    answer = by_skills(client, skills=["soins d'hygiène aux patients", "prise des signes vitaux", "lever et transfert"])
    assert answer["lang"] == "fr"
    codes = [o["noc_code"] for o in answer["occupations"][:5]]
    assert any(code[0] == "3" for code in codes), codes  # health occupations
    first = answer["occupations"][0]
    assert first["title"] != "" and all(skill["name"] for skill in first["to_learn"])


def test_a_pasted_text_is_split_into_skills(client: TestClient) -> None:
    answer = by_skills(client, text="Skills: bookkeeping, payroll; accounts payable\n- bank reconciliations", limit=3)
    assert answer["skills"] == ["bookkeeping", "payroll", "accounts payable", "bank reconciliations"]
    assert len(answer["occupations"]) == 3


def test_non_skills_are_no_match_and_do_not_drag_real_skills_down(client: TestClient) -> None:
    nothing = by_skills(client, skills=["hello", "asdf"])
    assert nothing["no_match"] is True and nothing["occupations"] == []
    assert nothing["unrecognized"] == ["hello", "asdf"]
    plain = by_skills(client, skills=["welding steel", "reading blueprints"], limit=5)
    noisy = by_skills(client, skills=["welding steel", "bonjour", "reading blueprints", "n/a"], limit=5)
    assert noisy["unrecognized"] == ["bonjour", "n/a"]
    assert [o["noc_code"] for o in noisy["occupations"]] == [o["noc_code"] for o in plain["occupations"]]


def test_a_region_gives_its_wages_and_an_unknown_one_is_a_problem(client: TestClient) -> None:
    answer = by_skills(client, skills=["driving a forklift"], region="ER3530", limit=2)
    assert answer["occupations"][0]["wages"]["regional"]["requested_region"]["code"] == "3530"
    response = client.post(BY_SKILLS, json={"skills": ["driving a forklift"], "region": "Atlantis"})
    assert response.status_code == 422 and response.json()["type"] == "/problems/unknown-region"


@pytest.mark.parametrize(
    ("body", "location"),
    [
        ({"skills": []}, "body.skills"),
        ({}, "body"),
        ({"skills": ["welding"], "text": "welding"}, "body"),
        ({"skills": [f"skill {n}" for n in range(51)]}, "body.skills"),
        ({"skills": ["x" * 10_000]}, "body.skills.0"),
        ({"skills": ["weld\x00ing"]}, "body.skills.0"),
        ({"skills": ["   "]}, "body.skills.0"),
        ({"text": "x" * 5001}, "body.text"),
        ({"skills": ["welding"], "limit": 51}, "body.limit"),
    ],
)
def test_bad_input_is_a_clear_problem_that_changes_nothing(
    client: TestClient, reference_engine: Engine, body: dict[str, Any], location: str
) -> None:
    before = event_count(reference_engine)
    response = client.post(BY_SKILLS, json=body)
    assert response.status_code == 422
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == "/problems/invalid-request"
    assert any(error["location"].startswith(location) for error in problem["errors"]), problem
    assert event_count(reference_engine) == before


def test_a_text_with_no_skill_in_it_is_a_problem(client: TestClient) -> None:
    response = client.post(BY_SKILLS, json={"text": " ; , \n - "})
    assert response.status_code == 422 and response.json()["type"] == "/problems/no-skills"


def test_moves_from_an_occupation_say_what_carries_over_and_what_changes(client: TestClient) -> None:
    response = client.get("/v1/occupations/72200/transitions", params={"region": "ER3530", "limit": 5})
    assert response.status_code == 200 and response.headers["etag"]
    answer = response.json()
    assert answer["occupation"]["noc_code"] == "72200" and answer["concordance"] is None
    moves = answer["transitions"]
    codes = [move["noc_code"] for move in moves]
    assert len(codes) == 5 and "72200" not in codes and "72201" in codes  # industrial electricians
    similarity = [move["similarity"] for move in moves]
    assert similarity == sorted(similarity, reverse=True)
    for move in moves:
        assert move["shared"] and all(skill["id"].startswith("oasis:") for skill in move["shared"])
        assert move["more_training"] == (move["teer"] < answer["occupation"]["teer"])
        change = move["wage_change"]
        assert change is not None and change["change"] == pytest.approx(
            change["to_median"] - change["from_median"], abs=0.01
        )
        if move["desirable"] is True:
            assert change["change"] >= 0
    again = client.get(
        "/v1/occupations/72200/transitions",
        params={"region": "ER3530", "limit": 5},
        headers={"if-none-match": response.headers["etag"]},
    )
    assert again.status_code == 304


def test_moves_in_french_and_a_move_that_asks_for_more_training(client: TestClient) -> None:
    answer = client.get("/v1/occupations/33102/transitions", params={"lang": "fr", "limit": 10}).json()
    assert answer["occupation"]["title"].startswith("Aides-infirmiers")
    assert any(move["more_training"] for move in answer["transitions"])  # toward licensed practical nurses, say
    assert all(move["title"] for move in answer["transitions"])


def test_a_noc_2016_code_is_answered_through_the_concordance(client: TestClient) -> None:
    answer = client.get("/v1/occupations/3233/transitions").json()
    assert answer["concordance"] == {"noc2016_code": "3233", "noc2021_codes": ["32101"]}
    assert answer["occupation"]["noc_code"] == "32101"


@pytest.mark.parametrize(
    ("code", "status", "problem"),
    [
        ("99999", 404, "unknown-occupation"),
        ("abc", 404, "unknown-occupation"),
        ("9999", 404, "unknown-crosswalk-code"),
        ("311", 404, "unknown-occupation"),
    ],
)
def test_an_unknown_code_is_a_problem(client: TestClient, code: str, status: int, problem: str) -> None:
    response = client.get(f"/v1/occupations/{code}/transitions")
    assert response.status_code == status
    assert response.json()["type"] == f"/problems/{problem}"


def test_bad_parameters_of_the_moves_are_problems(client: TestClient) -> None:
    assert client.get("/v1/occupations/72200/transitions", params={"limit": 0}).status_code == 422
    assert client.get("/v1/occupations/72200/transitions", params={"limit": 51}).status_code == 422
    unknown = client.get("/v1/occupations/72200/transitions", params={"region": "Atlantis"})
    assert unknown.status_code == 422 and unknown.json()["type"] == "/problems/unknown-region"
