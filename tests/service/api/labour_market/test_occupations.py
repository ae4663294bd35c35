"""`/v1/occupations/{code}`: the bilingual occupation profile, its wages by region, and its errors."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response

from tests.support.problems import assert_problem
from tests.support.source_data import (
    CONCORDANCE,
    COPS,
    ELEMENTS,
    JOB_TITLES,
    NATIONAL_WAGES,
    OASIS_SKILLS,
    REGIONAL_WAGES,
    STRUCTURE,
    csv_rows,
    noc2016_successors,
    unit_group_row,
)

NURSES_FR = (
    "Infirmiers autorisés/infirmières autorisées et infirmiers psychiatriques autorisés/"
    "infirmières psychiatriques autorisées"
)


def get_profile(
    client: TestClient, code: str = "31301", headers: dict[str, str] | None = None, **params: str
) -> Response:
    return client.get(f"/v1/occupations/{code}", params=params, headers=headers)


def profile(client: TestClient, code: str = "31301", **params: str) -> dict[str, Any]:
    response = get_profile(client, code, **params)
    assert response.status_code == 200, response.text
    return response.json()


def job_titles(code: str, lang: str) -> list[str]:
    return sorted(row["job_title"] for row in csv_rows(JOB_TITLES) if (row["noc_code"], row["lang"]) == (code, lang))


def cops_row(code: str) -> dict[str, str]:
    (row,) = [row for row in csv_rows(COPS) if row["Code"] == code]
    return row


def regional_row(wage_code: str, noc_code: str) -> dict[str, str]:
    (row,) = [row for row in csv_rows(REGIONAL_WAGES) if (row["ER_Code"], row["NOC_2021"]) == (wage_code, noc_code)]
    return row


def national_row(code: str) -> dict[str, str]:
    (row,) = [row for row in csv_rows(NATIONAL_WAGES) if row["noc_code"] == code]
    return row


# --- Languages ------------------------------------------------------------------------------------


def test_english_profile(client: TestClient) -> None:
    response = get_profile(client)
    assert response.headers["content-language"] == "en"
    body = response.json()
    source = unit_group_row("31301")
    assert (body["noc_code"], body["lang"]) == ("31301", "en")
    assert body["title"] == body["title_en"] == source["title_en"]
    assert body["title_fr"] == NURSES_FR
    assert body["teer"] == {
        "code": 1,
        "label": source["teer_label_en"],
        "label_en": source["teer_label_en"],
        "label_fr": cops_row("TEER_1")["Nom_de_la_profession"].removeprefix("FÉER 1: "),
    }
    assert sorted(body["example_titles"]) == job_titles("31301", "en")
    assert body["outlook"]["future_conditions"] == cops_row("31301")["Future_Labour_Market_Conditions"]
    assert body["untranslated"] == []


def test_french_profile(client: TestClient) -> None:
    response = get_profile(client, lang="fr", region="ER3530")
    assert response.headers["content-language"] == "fr"
    body = response.json()
    cops = cops_row("31301")
    assert body["lang"] == "fr"
    assert body["teer"]["code"] == 1
    assert body["wages"]["regional"]["region"]["code"] == "3530"
    assert body["title"] == NURSES_FR == unit_group_row("31301")["title_fr"]
    assert body["teer"]["label"] == "Une formation universitaire caractérise habituellement les professions"
    assert body["teer"]["label"] == cops_row("TEER_1")["Nom_de_la_profession"].removeprefix("FÉER 1: ")
    assert body["outlook"]["future_conditions"] == cops["Conditions_futures_sur_le_marché_du_travail"]
    assert body["outlook"]["recent_conditions"] == cops["Conditions_récentes_sur_le_marché_du_travail"]
    assert body["outlook"]["future_conditions_en"] == cops["Future_Labour_Market_Conditions"]


def test_example_titles_are_in_the_requested_language_only(client: TestClient) -> None:
    french = profile(client, lang="fr")["example_titles"]
    english = profile(client, lang="en")["example_titles"]
    assert sorted(french) == job_titles("31301", "fr")
    assert sorted(english) == job_titles("31301", "en")
    assert len(french) == 124 and len(english) == 117
    assert "Infirmier autorisé/infirmière autorisée" in french
    assert "Registered nurse (R.N.)" in english


def test_untranslated_fields_are_listed_in_french(client: TestClient) -> None:
    body = profile(client, lang="fr")
    assert {"definition", "main_duties", "employment_requirements", "skills", "groups"} <= set(body["untranslated"])
    assert body["definition"] == unit_group_row("31301")["definition_en"]


def test_accept_language_header_selects_french(client: TestClient) -> None:
    response = get_profile(client, headers={"Accept-Language": "fr-CA,fr;q=0.9"})
    assert response.headers["content-language"] == "fr"
    assert response.json()["title"] == NURSES_FR


def test_lang_parameter_overrides_the_header(client: TestClient) -> None:
    response = get_profile(client, headers={"Accept-Language": "fr-CA,fr;q=0.9"}, lang="en")
    assert response.headers["content-language"] == "en"
    assert response.json()["title"] == unit_group_row("31301")["title_en"]


def test_unsupported_accept_language_gives_english(client: TestClient) -> None:
    response = get_profile(client, headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert response.headers["content-language"] == "en"


# --- Profile content ------------------------------------------------------------------------------


def test_four_ancestor_groups(client: TestClient) -> None:
    structure = {row["Code - NOC 2021 V1.0"]: row["Class title"] for row in csv_rows(STRUCTURE)}
    groups = profile(client)["groups"]
    assert [(g["level"], g["code"]) for g in groups] == [(1, "3"), (2, "31"), (3, "313"), (4, "3130")]
    assert [g["title"] for g in groups] == [structure[code] for code in ("3", "31", "313", "3130")]
    assert [g["level_name"] for g in groups] == ["Broad Category", "Major Group", "Sub-major Group", "Minor Group"]


def test_ancestor_groups_in_french(client: TestClient) -> None:
    groups = profile(client, lang="fr")["groups"]
    assert groups[0]["title"] == groups[0]["title_fr"] == cops_row("NOC1_3")["Nom_de_la_profession"]
    # No French titles are published below the broad category: those stay in English.
    assert [(g["title"], g["title_fr"]) for g in groups[1:]] == [(g["title_en"], None) for g in groups[1:]]


def test_skills_sorted_highest_first(client: TestClient) -> None:
    skills = profile(client)["skills"]
    levels = [skill["level"] for skill in skills["skills"]]
    assert len(levels) == 33
    assert levels == sorted(levels, reverse=True)
    assert levels[0] > levels[-1]
    header = csv_rows(OASIS_SKILLS, ";")[0]
    assert {skill["name"] for skill in skills["skills"]} == set(header) - {"Code OaSIS", "OaSIS 2021 Labels"}
    assert skills["profile_count"] == 6
    assert {skill["scale_max"] for skill in skills["skills"]} == {5}
    knowledge = [item["level"] for item in skills["top_knowledge"]]
    assert len(knowledge) == 10 and knowledge == sorted(knowledge, reverse=True)
    assert {item["scale_max"] for item in skills["top_knowledge"]} == {3}


def test_main_duties_in_source_order(client: TestClient) -> None:
    expected = [
        row["element_text"]
        for row in csv_rows(ELEMENTS)
        if (row["noc_code"], row["element_type"]) == ("31301", "Main duties")
    ]
    assert profile(client)["main_duties"] == expected


def test_national_wage(client: TestClient) -> None:
    source = national_row("31301")
    national = profile(client)["wages"]["national"]
    assert (national["low"], national["median"], national["high"]) == (
        float(source["wage_low"]),
        float(source["wage_median"]),
        float(source["wage_high"]),
    )
    assert national["median"] == 43.27
    assert (national["unit"], national["reference_period"], national["release_date"]) == (
        "hour",
        source["wage_reference_period"],
        source["wage_release_date"],
    )
    assert profile(client)["wages"]["regional"] is None  # no region asked for


# --- Wages by region ------------------------------------------------------------------------------


def test_toronto_wages(client: TestClient) -> None:
    source = regional_row("ER3530", "31301")
    regional = profile(client, region="ER3530")["wages"]["regional"]
    assert (regional["low"], regional["median"], regional["high"]) == (
        float(source["Low_Wage_2024"]),
        float(source["Median_Wage_2024"]),
        float(source["High_Wage_2024"]),
    )
    assert (regional["low"], regional["median"], regional["high"]) == (28.0, 40.0, 50.0)
    assert (regional["unit"], regional["reference_period"]) == ("hour", "2024")
    assert regional["history"] == [
        {
            "year": year,
            "low": float(source[f"Low_Wage_{year}"]),
            "median": float(source[f"Median_Wage_{year}"]),
            "high": float(source[f"High_Wage_{year}"]),
        }
        for year in (2016, 2020, 2024)
    ]


@pytest.mark.parametrize(
    ("region", "requested", "shown", "name_en"),
    [
        ("ER3530", "3530", "3530", "Toronto"),
        ("3530", "3530", "3530", "Toronto"),
        ("er3530", "3530", "3530", "Toronto"),
        ("ON", "35", "35", "Ontario"),
        ("35", "35", "35", "Ontario"),
        ("ER35", "35", "35", "Ontario"),
        ("ER1110", "1110", "1110", "Prince Edward Island"),
        ("CA", "00", "00", "Canada"),
    ],
)
def test_region_forms_without_fallback(
    client: TestClient, region: str, requested: str, shown: str, name_en: str
) -> None:
    regional = profile(client, region=region)["wages"]["regional"]
    assert regional["requested_region"]["code"] == requested
    assert (regional["region"]["code"], regional["region"]["name_en"]) == (shown, name_en)
    assert (regional["fallback"], regional["fallback_note"]) == (False, None)
    assert regional["median"] == float(regional_row(regional["region"]["wage_code"], "31301")["Median_Wage_2024"])


@pytest.mark.parametrize(
    ("region", "requested", "shown"),
    [
        ("ER11", "11", "1110"),  # Prince Edward Island has one economic region and no province-level row
        ("PE", "11", "1110"),
        ("ER6010", "6010", "00"),  # Yukon: neither the region nor the territory has a row for 31301
    ],
)
def test_region_fallback(client: TestClient, region: str, requested: str, shown: str) -> None:
    regional = profile(client, region=region)["wages"]["regional"]
    assert (regional["requested_region"]["code"], regional["region"]["code"]) == (requested, shown)
    assert regional["fallback"] is True
    assert regional["requested_region"]["wage_code"] in regional["fallback_note"]
    assert regional["region"]["wage_code"] in regional["fallback_note"]
    source = regional_row(regional["region"]["wage_code"], "31301")
    assert (regional["low"], regional["median"], regional["high"]) == (
        float(source["Low_Wage_2024"]),
        float(source["Median_Wage_2024"]),
        float(source["High_Wage_2024"]),
    )


def test_fallback_note_in_french(client: TestClient) -> None:
    regional = profile(client, region="PE", lang="fr")["wages"]["regional"]
    assert regional["region"]["name"] == "Île-du-Prince-Édouard"
    assert regional["fallback_note"].startswith("Aucun salaire publié pour Île-du-Prince-Édouard")


def test_occupation_missing_from_the_regional_file_falls_back_to_the_national_figure(client: TestClient) -> None:
    assert not any(row["NOC_2021"] == "00010" for row in csv_rows(REGIONAL_WAGES))
    source = national_row("00010")
    regional = profile(client, "00010", region="ER3530")["wages"]["regional"]
    assert (regional["region"]["code"], regional["fallback"]) == ("00", True)
    assert (regional["median"], regional["unit"]) == (float(source["wage_median"]), "year")
    assert regional["median"] == 84_000
    assert regional["history"] == []


def test_suppressed_wage(client: TestClient) -> None:
    source = national_row("00013")
    wages = profile(client, "00013", region="ER3530")["wages"]
    national = wages["national"]
    assert (national["low"], national["median"], national["high"]) == (None, None, None)
    assert national["note"] == source["wage_note"]
    assert "cannot be published" in national["note"]
    assert wages["regional"] is None


def test_unknown_region(client: TestClient) -> None:
    body = assert_problem(get_profile(client, region="ER9999"), 422, "unknown-region")
    assert "'ER9999'" in body["detail"]
    assert body["hint"] == "/v1/regions"


# --- Errors ---------------------------------------------------------------------------------------


def test_unknown_unit_group_code(client: TestClient) -> None:
    body = assert_problem(get_profile(client, "99999"), 404, "unknown-occupation")
    assert body["detail"] == "No NOC 2021 unit group has the code 99999."
    assert body["hint"] == "/v1/occupations"


def test_noc2016_code_points_to_the_crosswalk(client: TestClient) -> None:
    successors = sorted(noc2016_successors("0821"))
    assert successors == ["80020"]
    body = assert_problem(get_profile(client, "0821"), 404, "unknown-occupation")
    assert "looks like a NOC 2016 code" in body["detail"]
    assert body["hint"] == "/v1/crosswalk/noc2016/0821"
    assert body["noc2021_codes"] == successors


def test_minor_group_code_that_is_not_a_noc2016_code(client: TestClient) -> None:
    """3130 has four digits like a NOC 2016 code but is not in the concordance: it is named as a minor group."""
    assert not any(row["NOC 2016 V1.3 Code"].strip() == "3130" for row in csv_rows(CONCORDANCE))
    body = assert_problem(get_profile(client, "3130"), 404, "unknown-occupation")
    assert body["detail"].startswith(
        "3130 is a NOC 2021 minor group (Nursing and allied health professionals), not a unit group"
    )
    assert body["hint"] == "/v1/occupations?broad_category=3"
    assert "noc2021_codes" not in body


def test_broad_category_code(client: TestClient) -> None:
    body = assert_problem(get_profile(client, "3"), 404, "unknown-occupation")
    assert body["detail"].startswith("3 is a NOC 2021 broad category (Health occupations)")


def test_code_that_is_not_digits(client: TestClient) -> None:
    body = assert_problem(get_profile(client, "nurse"), 404, "unknown-occupation")
    assert body["detail"] == "'nurse' is not a NOC 2021 code: unit group codes have five digits, such as 31301."


def test_unsupported_lang_parameter(client: TestClient) -> None:
    body = assert_problem(get_profile(client, lang="de"), 422, "invalid-request")
    assert [error["location"] for error in body["errors"]] == ["query.lang"]


# --- HTTP caching ---------------------------------------------------------------------------------


def test_etag_and_cache_control(client: TestClient) -> None:
    response = get_profile(client)
    assert response.headers["etag"].startswith('"') and response.headers["etag"].endswith('"')
    assert response.headers["cache-control"] == "public, max-age=3600"
    assert "Accept-Language" in response.headers["vary"]


@pytest.mark.parametrize("form", ["{}", "W/{}", '"other", {}', "*"])
def test_if_none_match_gives_304_with_an_empty_body(client: TestClient, form: str) -> None:
    etag = get_profile(client, region="ER3530").headers["etag"]
    response = get_profile(client, headers={"If-None-Match": form.format(etag)}, region="ER3530")
    assert response.status_code == 304
    assert response.content == b""
    assert response.headers["etag"] == etag


def test_stale_etag_gives_the_full_response(client: TestClient) -> None:
    response = get_profile(client, headers={"If-None-Match": '"0123456789abcdef0123456789abcdef"'})
    assert response.status_code == 200
    assert response.json()["noc_code"] == "31301"


def test_each_language_has_its_own_etag(client: TestClient) -> None:
    english = get_profile(client, lang="en").headers["etag"]
    french = get_profile(client, lang="fr").headers["etag"]
    negotiated = get_profile(client, headers={"Accept-Language": "fr-CA,fr;q=0.9"}).headers["etag"]
    assert english != french
    assert negotiated == french
    assert get_profile(client, headers={"If-None-Match": english}, lang="fr").status_code == 200
