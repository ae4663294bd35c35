"""`/v1/analytics/summary` and `/funnel` after the scripted session (conftest): exact counts for an
admin, suppressed and rounded ones for an analyst, an institution's own rows only, the baseline
comparison, the experiment's arms, CSV, on SQLite and PostgreSQL."""

import csv
import io
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session
from statsmodels.stats.proportion import confint_proportions_2indep

from analytics.disclosure import DisclosureRule
from analytics.funnel import funnel
from analytics.periods import period
from analytics.queries import Scope
from tests.service.api.analytics.conftest import BASELINE, PLAN, Script
from tests.support.problems import assert_problem

COUNTED = ("page_views", "searches", "impressions", "clicks", "inquiries", "referrals", "feedback", "helpful")


def summary(client: TestClient, script: Script, role: str, **params: str) -> dict[str, Any]:
    response = client.get("/v1/analytics/summary", params={**script.window(), **params}, headers=script.headers(role))
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def test_an_admin_sees_exactly_what_the_script_did(client: TestClient, script: Script) -> None:
    answer = summary(client, script, "admin")
    assert answer["disclosure"]["rule"] == "exact"
    totals = answer["current"]["totals"]
    assert {measure: totals[measure] for measure in COUNTED} == {
        measure: script.expected[measure] for measure in COUNTED
    }
    assert totals["ctr"] == round(script.expected["clicks"] / script.expected["impressions"], 4)
    assert totals["referral_rate"] == round(script.expected["referrals"] / script.expected["impressions"], 4)
    assert totals["helpful_share"] == round(script.expected["helpful"] / script.expected["feedback"], 4)
    assert totals["sessions"] == len(PLAN) + 2  # and c1, c2; not the robot's
    assert answer["current"]["robot_events"] == script.robot_events


def test_usage_measures_follow_their_usual_definitions(client: TestClient, script: Script) -> None:
    usage = summary(client, script, "admin")["current"]["usage"]
    assert usage["page_views"] == script.expected["page_views"]
    assert usage["sessions"] == len(PLAN) + 2
    assert usage["bounce_rate"] == round(1 / (len(PLAN) + 2), 4)  # c1: one page, nothing else
    # Each scripted session lasts from its page view, five minutes before, to its last step.
    assert 5 * 60 * len(PLAN) / (len(PLAN) + 2) <= usage["average_session_seconds"] <= 6 * 60
    assert (usage["visitors"], usage["new_visitors"], usage["returning_visitors"]) == (5, 4, 1)


def test_a_retried_batch_counts_once(script: Script) -> None:
    assert script.retry["first"] == {"accepted": script.retry["size"], "duplicates": 0, "rejected": []}
    assert script.retry["again"] == {"accepted": 0, "duplicates": script.retry["size"], "rejected": []}


def test_the_funnel_counts_sessions_that_reached_each_step(client: TestClient, script: Script) -> None:
    response = client.get("/v1/analytics/funnel", params=script.window(), headers=script.headers("admin"))
    steps = {step["step"]: step for step in response.json()["steps"]}
    clicked = sum(1 for plan in PLAN.values() if plan[2])
    converted = sum(1 for plan in PLAN.values() if plan[3] or plan[4])
    assert [steps[name]["sessions"] for name in ("searched", "saw_programs", "clicked", "inquired_or_referred")] == [
        len(PLAN),
        len(PLAN),
        clicked,
        converted,
    ]
    assert steps["clicked"]["share_of_previous"] == round(clicked / len(PLAN), 4)
    assert steps["inquired_or_referred"]["share_of_first"] == round(converted / len(PLAN), 4)


def test_the_variants_are_compared_with_confidence_intervals(client: TestClient, script: Script) -> None:
    answer = summary(client, script, "admin", group_by="variant")
    groups = {row["key"]: row for row in answer["current"]["groups"]}
    for variant, counts in script.by_variant.items():
        assert {
            measure: groups[variant][measure] for measure in ("searches", "impressions", "clicks", "referrals")
        } == {measure: counts[measure] for measure in ("searches", "impressions", "clicks", "referrals")}
    experiment = answer["experiment"]
    assert experiment["reference_variant"] == "control"
    arm = next(arm for arm in experiment["arms"] if arm["variant"] == "ranking-v2")
    new, old = script.by_variant["ranking-v2"], script.by_variant["control"]
    for difference, events in zip(arm["differences"], ("clicks", "referrals"), strict=True):
        low, high = confint_proportions_2indep(
            new[events], new["impressions"], old[events], old["impressions"], method="newcomb", compare="diff"
        )
        expected = new[events] / new["impressions"] - old[events] / old["impressions"]
        assert difference["difference"] == round(expected, 4)
        assert (difference["ci_low"], difference["ci_high"]) == (round(low, 4), round(high, 4))


def test_a_baseline_period_gives_the_relative_change(client: TestClient, script: Script) -> None:
    answer = summary(client, script, "admin", **script.baseline_window())
    before = answer["baseline"]["totals"]
    assert {measure: before[measure] for measure in BASELINE} == BASELINE
    change = answer["current"]["totals"]["change"]
    for measure, baseline in BASELINE.items():
        assert change[measure] == round((script.expected[measure] - baseline) / baseline, 4)


def close_to(published: int | None, true: int, days: int = 1) -> bool:
    """A published count of the scripted day: a multiple of 5 within 4 of the count per day cell, or
    suppressed when that sum is under 10 (then the count is 1 to 9 + 4)."""
    if published is None:
        return 0 < true < 10 + 4 * days
    return published % 5 == 0 and abs(published - true) <= 4 * days and (published == 0) <= (true < 5 * days)


def test_an_analyst_sees_counts_rounded_by_day_and_small_sums_suppressed(client: TestClient, script: Script) -> None:
    exact = summary(client, script, "admin", group_by="variant")
    answer = summary(client, script, "analyst", group_by="variant")
    assert answer["disclosure"]["rule"] == "daily-cells-randomly-rounded-to-5-suppressed-under-10"
    exact_rows = {row["key"]: row for row in exact["current"]["groups"]}
    for row in answer["current"]["groups"]:
        for measure in COUNTED:
            assert close_to(row[measure], exact_rows[row["key"]][measure]), (row["key"], measure)
    # Referrals: 1 and 2 in the arms and 1 without a variant: none is published as such.
    assert all(row["referrals"] in (None, 0, 5) for row in answer["current"]["groups"])
    totals = answer["current"]["totals"]
    assert close_to(totals["clicks"], script.expected["clicks"])
    assert totals["ctr"] == round(totals["clicks"] / totals["impressions"], 4)
    # Asking again gives the same figures: nothing is learned by repeating a question.
    assert summary(client, script, "analyst", group_by="variant") == answer


def test_an_institution_sees_only_its_own_programs(client: TestClient, script: Script) -> None:
    answer = summary(client, script, "institution", group_by="institution")
    totals = answer["current"]["totals"]
    assert totals["searches"] is None and totals["sessions"] is None and answer["current"]["usage"] is None
    assert answer["disclosure"]["rule"] != "exact"
    assert [row["key"] for row in answer["current"]["groups"]] == [str(script.institution_id)]
    assert close_to(totals["impressions"], script.viu["impressions"])
    assert close_to(totals["clicks"], script.viu["clicks"])
    # Its total and its row are the same cells: the same figures.
    assert answer["current"]["groups"][0]["impressions"] == totals["impressions"]
    assert answer["targets"] == []


def test_csv_is_the_same_figures_and_safe_in_a_spreadsheet(client: TestClient, script: Script) -> None:
    response = client.get(
        "/v1/analytics/summary",
        params={**script.window(), "group_by": "institution"},
        headers={**script.headers("admin"), "Accept": "text/csv"},
    )
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert response.headers["lmi-disclosure"] == "exact"
    rows = list(csv.DictReader(io.StringIO(response.text)))
    total = next(row for row in rows if row["key"] == "total")
    assert int(total["clicks"]) == script.expected["clicks"] and int(total["searches"]) == script.expected["searches"]
    labels = [row["label"] for row in rows if row["label"]]
    assert "Vancouver Island University" in labels
    assert '\'=HYPERLINK("http://example.com","x")' in labels and not any(label.startswith("=") for label in labels)
    funnel = client.get(
        "/v1/analytics/funnel", params=script.window(), headers={**script.headers("analyst"), "Accept": "text/csv"}
    )
    assert funnel.text.splitlines()[0] == "step,sessions,share_of_previous,share_of_first"


def test_breakdowns_by_every_dimension_add_up(client: TestClient, script: Script) -> None:
    for group_by in ("day", "week", "month", "course", "occupation", "teer", "region", "lang"):
        answer = summary(client, script, "admin", group_by=group_by)
        groups = answer["current"]["groups"]
        assert sum(row["impressions"] for row in groups) == script.expected["impressions"], group_by
        assert sum(row["clicks"] for row in groups) == script.expected["clicks"], group_by
    regions = summary(client, script, "admin", group_by="region")["current"]["groups"]
    assert {row["key"]: row["label"] for row in regions if row["impressions"]} == {"59": "British Columbia"}
    teer = summary(client, script, "admin", group_by="teer")["current"]["groups"]
    assert all(row["label"].startswith(f"TEER {row['key']}") for row in teer if row["key"])


def test_analytics_need_a_key_and_valid_parameters(client: TestClient, script: Script) -> None:
    response = client.get("/v1/analytics/summary")
    assert_problem(response, 401, "unauthorized")
    assert response.headers["www-authenticate"] == "Bearer"
    headers = script.headers("analyst")
    assert_problem(
        client.get("/v1/analytics/summary", params={"group_by": "person"}, headers=headers), 422, "invalid-request"
    )
    body = assert_problem(
        client.get("/v1/analytics/summary", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=headers),
        422,
        "invalid-period",
    )
    assert "ends before it starts" in body["detail"]
    assert_problem(
        client.get("/v1/analytics/funnel", params={"from": "2026-13-01"}, headers=headers), 422, "invalid-request"
    )


def test_an_institution_s_funnel_starts_at_its_programs(script: Script, reference_engine: Engine) -> None:
    viu = {
        session_id: [program["institution"]["slug"] == "viu" for program in answer["programs"]]
        for session_id, answer in script.answers.items()
    }
    saw = sum(any(shown) for shown in viu.values())
    clicked = sum(any(viu[session_id][: plan[2]]) for session_id, plan in PLAN.items())
    converted = sum(
        any(viu[session_id][: plan[2]]) and any(viu[session_id][: max(plan[3], plan[4])])
        for session_id, plan in PLAN.items()
    )
    with Session(reference_engine) as session:
        steps = funnel(session, period(None, script.today), Scope(script.institution_id), DisclosureRule(exact=True))
    assert [step.sessions for step in steps] == [None, saw, clicked, converted]
    assert saw > 0 and clicked > 0
