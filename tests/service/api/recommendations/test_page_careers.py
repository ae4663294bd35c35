"""The public page's two career answers, as the server answers them with no script: "What can you do?"
(the occupations that use what a person lists, each a link to its own result) in English and French,
skills that fit no job, the person's mistakes in that box; and "Jobs you could move to" on a job
title's result, each move a link to its own result — on SQLite and PostgreSQL. (In a browser:
test_page_careers_browser.py.)

The test apps match job titles on words only, so the skills search runs without the titles' vectors
(weaker than the service's): only what holds either way is asserted."""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from careers.market import WageChange
from models.events import Event
from service.api.recommendations.page_content import wage_change_line
from service.api.recommendations.page_query import can_skills, read_query
from service.api.recommendations.page_text import page_texts
from tests.support.pages import shown, text

NBSP = "\xa0"
HTML = "text/html; charset=utf-8"
ORCHARD = "pruning fruit trees, driving a tractor"
pytestmark = pytest.mark.usefixtures("catalogs")


@pytest.fixture(autouse=True)
def new_visitor(client: TestClient) -> Iterator[None]:
    """Each test is a new browser: no session or language cookie from an earlier one."""
    client.cookies.clear()
    yield
    client.cookies.clear()


def get(client: TestClient, address: str = "/", status: int = 200, **params: str) -> BeautifulSoup:
    # (no `params` at all for a link's address: an empty one would replace the address's query)
    response = client.get(address, params=params or None, headers={"Accept-Language": "en-CA"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == HTML
    return BeautifulSoup(response.text, "html.parser")


def occupation_links(soup: BeautifulSoup | Tag) -> list[Tag]:
    return soup.select("ol.occupations > li > a")


def address_of(link: Tag) -> dict[str, str]:
    address = urlsplit(str(link["href"]))
    assert address.path == "/" and not address.netloc
    return dict(parse_qsl(address.query))


def unit_group(client: TestClient, code: str, lang: str) -> dict[str, Any]:
    response = client.get(f"/v1/occupations/{code}", params={"lang": lang})
    assert response.status_code == 200, code
    answer: dict[str, Any] = response.json()
    return answer


def events_of(engine: Engine, session_id: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.scalars(select(Event).where(Event.session_id == session_id).order_by(Event.id)))


def test_what_you_can_do_lists_the_jobs_that_use_it_each_opening_its_own_result(
    client: TestClient, reference_engine: Engine
) -> None:
    response = client.get("/", params={"can": ORCHARD, "region": "ER3530", "lang": "en"})
    assert response.status_code == 200
    soup = BeautifulSoup(response.text, "html.parser")
    assert text(soup, "#result-heading") == "Jobs that use what you can do"
    assert soup.title is not None and soup.title.get_text().startswith("Jobs that use what you can do — ")
    can = soup.select_one("textarea#can")
    assert can is not None and can.get_text() == ORCHARD  # shown back, to be changed
    links = occupation_links(soup)
    assert 1 <= len(links) <= 10
    codes = []
    for link in links:
        asked = address_of(link)
        assert set(asked) == {"q", "noc", "noc_q", "region", "lang"}  # the skills search is not carried
        assert (asked["q"], asked["noc_q"], asked["region"], asked["lang"]) == (
            shown(link),
            shown(link),
            "ER3530",
            "en",
        )
        assert unit_group(client, asked["noc"], "en")["title"] == shown(link)  # a real occupation, by its title
        codes.append(asked["noc"])
    assert len(set(codes)) == len(codes)
    assert any(code.startswith("8") for code in codes[:5])  # natural resources and agriculture
    items = soup.select("ol.occupations > li")
    uses = [fact for item in items for fact in (shown(li) for li in item.select("ul.occupation-facts li"))]
    assert any(
        fact.startswith("Uses: ") and ("pruning fruit trees" in fact or "driving a tractor" in fact) for fact in uses
    )
    for item in items:
        learn = [
            fact for fact in (shown(li) for li in item.select("ul.occupation-facts li")) if fact.startswith("To learn")
        ]
        assert all(len(fact.removeprefix("To learn: ").split(", ")) <= 3 for fact in learn)
    # A page view only: the skills search is not a recommendation, and nothing typed is kept.
    logged = events_of(reference_engine, response.cookies["lmi_session"])
    assert [(event.type, event.noc_code) for event in logged] == [("page_view", None)]
    # The first occupation's own result, with its programs.
    first = links[0]
    result = get(client, str(first["href"]))
    assert text(result, "#result-heading") == f"{shown(first)} (NOC {codes[0]})"
    assert result.select_one("#h-programs") is not None


def test_que_savez_vous_faire_answers_in_french(client: TestClient) -> None:
    soup = get(client, can="montage vidéo; sous-titrage", lang="fr")
    assert soup.html is not None and soup.html["lang"] == "fr"
    assert text(soup, "#can-heading") == "Que savez-vous faire ?"
    assert text(soup, "#result-heading") == "Emplois qui font appel à ce que vous savez faire"
    links = occupation_links(soup)
    assert links
    for link in links[:3]:
        asked = address_of(link)
        assert asked["lang"] == "fr" and unit_group(client, asked["noc"], "fr")["title"] == shown(link)
    facts = [shown(li) for li in soup.select("ul.occupation-facts li")]
    assert any(fact.startswith("Fait appel à : ") for fact in facts)
    assert any(fact.startswith("À apprendre : ") for fact in facts)
    chosen = get(client, str(links[0]["href"]))
    assert text(chosen, "#result-heading").startswith(shown(links[0]) + " (CNP ")


def test_what_is_not_a_skill_gets_a_clear_message_and_no_guess(client: TestClient) -> None:
    soup = get(client, can="hello, asdf", lang="en")
    assert text(soup, "#result-heading") == "We could not match these skills to a job."
    assert "Try describing tasks, tools or fields" in text(soup, "#result-heading + p")
    assert not occupation_links(soup) and soup.select_one("ol.occupations") is None
    nothing = get(client, can="a; b", lang="fr")  # nothing that reads as a skill
    assert text(nothing, "#result-heading") == "Nous n'avons pu associer ces compétences à aucun emploi."


def test_a_skill_that_fits_no_job_is_named_and_the_others_answered(client: TestClient) -> None:
    soup = get(client, can="pruning fruit trees\nasdf qwerty", lang="en")
    assert occupation_links(soup)
    unrecognized = soup.select_one("p.unrecognized")
    assert unrecognized is not None and [bdi.get_text() for bdi in unrecognized.select("bdi")] == ["asdf qwerty"]


@pytest.mark.parametrize(
    "typed",
    [", ".join(f"skill number {n}" for n in range(51)), "pruning fruit trees; " + "x" * 201],
    ids=["51 skills", "a skill of 201 characters"],
)
def test_too_many_or_too_long_skills_are_named_on_their_field(client: TestClient, typed: str) -> None:
    soup = get(client, status=422, can=typed, lang="en")
    assert [link["href"] for link in soup.select("#errors a")] == ["#can"]
    assert text(soup, "#can-error") == "List at most 50 things you can do, each of at most 200 characters."
    can = soup.select_one("#can")
    assert can is not None and can["aria-invalid"] == "true"
    assert str(can["aria-describedby"]).split() == ["can-hint", "can-error"]
    assert soup.select_one("#result-heading") is None
    fragment = client.get("/results", params={"can": typed, "lang": "fr"})
    assert fragment.status_code == 422 and "<html" not in fragment.text
    assert [shown(li) for li in BeautifulSoup(fragment.text, "html.parser").select("[role=alert] li")] == [
        "Indiquez au plus 50 choses que vous savez faire, d'au plus 200 caractères chacune."
    ]


def test_the_limits_are_the_careers_domain_s() -> None:
    assert read_query({"can": ", ".join(f"skill {n}" for n in range(50))}, "en").errors == {}
    assert read_query({"can": "y" * 200}, "en").errors == {}
    assert read_query({"can": "\n".join(["same"] * 80)}, "en").errors == {}  # repeats count once
    assert can_skills("Skills: pruning. Driving a tractor;  welding \n• forklift") == [
        "Skills: pruning",
        "Driving a tractor",
        "welding",
        "forklift",
    ]
    query = read_query({"can": "soudage", "region": "ER3530"}, "fr")
    assert query.asks_by_skills and not query.asks
    assert query.address() == "/?can=soudage&region=ER3530&lang=fr"
    assert query.address(q="Soudeurs", noc="72106", can=None) == (
        "/?q=Soudeurs&noc=72106&noc_q=Soudeurs&region=ER3530&lang=fr"
    )


@pytest.mark.parametrize("address", ["/?can=%00&lang=fr", "/?can=caf%E9", "/?can=welding&region=%FF"])
def test_an_unreadable_skills_address_is_named_on_the_skills_box(
    client: TestClient, reference_engine: Engine, address: str
) -> None:
    response = client.get(address, headers={"Accept-Language": "fr-CA"})
    assert (response.status_code, response.headers["content-type"]) == (422, HTML)
    soup = BeautifulSoup(response.text, "html.parser")
    assert text(soup, "#can-error").startswith("L'adresse de cette page contient des caractères illisibles.")
    assert [link["href"] for link in soup.select("#errors a")] == ["#can"]
    assert events_of(reference_engine, response.cookies["lmi_session"]) == []


def test_an_unknown_place_is_named_on_its_field(client: TestClient) -> None:
    soup = get(client, status=422, can="welding", region="Atlantis", lang="en")
    assert text(soup, "#region-error") == "Choose a place from the list."


def test_the_skills_answer_alone_is_served_for_the_page_s_script(client: TestClient) -> None:
    response = client.get("/results", params={"can": ORCHARD, "lang": "en"})
    assert response.status_code == 200 and "<html" not in response.text
    section = BeautifulSoup(response.text, "html.parser").select_one("section.can-result")
    assert section is not None
    count = len(occupation_links(section))
    assert section["data-announce"] == f"{count} jobs that use what you can do."


def test_a_head_request_for_skills_searches_and_logs_nothing(client: TestClient, reference_engine: Engine) -> None:
    response = client.head("/", params={"can": ORCHARD})
    assert response.status_code == 200 and response.content == b""
    assert events_of(reference_engine, response.cookies["lmi_session"]) == []


def test_a_result_lists_the_jobs_one_could_move_to_each_opening_its_own_result(client: TestClient) -> None:
    soup = get(client, q="licensed practical nurse", region="ER3530", lang="en")
    assert text(soup, "#result-heading").endswith("(NOC 32101)")
    moves = soup.select_one("section[aria-labelledby=h-moves]")
    assert moves is not None and text(moves, "h3") == "Jobs you could move to"
    links = occupation_links(moves)
    assert 1 <= len(links) <= 5
    codes = [address_of(link)["noc"] for link in links]
    assert "32101" not in codes and len(set(codes)) == len(codes)
    for link, code in zip(links, codes, strict=True):
        asked = address_of(link)
        assert (asked["q"], asked["noc_q"], asked["region"], asked["lang"]) == (
            shown(link),
            shown(link),
            "ER3530",
            "en",
        )
        assert unit_group(client, code, "en")["title"] == shown(link)
    facts = [shown(li) for li in moves.select("ul.occupation-facts li")]
    wages = [fact for fact in facts if fact.startswith("Median wage: ")]
    assert wages and all(
        re.fullmatch(r"Median wage: [+−]\$[0-9,]+\.[0-9]{2} an hour \([+−][0-9]+%\)", w) for w in wages
    )
    moved = get(client, str(links[0]["href"]))
    assert text(moved, "#result-heading") == f"{shown(links[0])} (NOC {codes[0]})"
    assert moved.select_one("#h-programs") is not None


def test_the_moves_are_in_the_page_s_language(client: TestClient) -> None:
    soup = get(client, q="soudeur", lang="fr")
    moves = soup.select_one("section[aria-labelledby=h-moves]")
    assert moves is not None and text(moves, "h3") == "Emplois vers lesquels vous pourriez passer"
    for link in occupation_links(moves):
        assert unit_group(client, address_of(link)["noc"], "fr")["title"] == shown(link)
    wages = [shown(li) for li in moves.select("ul.occupation-facts li") if shown(li).startswith("Salaire médian")]
    assert all(
        re.fullmatch(rf"Salaire médian : [+−][0-9{NBSP},]+{NBSP}\$ l'heure \([+−][0-9]+{NBSP}%\)", w) for w in wages
    )


def test_a_wage_change_is_written_as_each_language_writes_it() -> None:
    raised = WageChange("ER3530", "hour", 26.5, 29.7, 3.2, 12.1)
    assert wage_change_line(raised, page_texts("en"), "en") == "Median wage: +$3.20 an hour (+12%)"
    assert wage_change_line(raised, page_texts("fr"), "fr") == f"Salaire médian : +3,20{NBSP}$ l'heure (+12{NBSP}%)"
    lowered = WageChange("ER3530", "hour", 30.0, 27.0, -3.0, -10.0)
    assert wage_change_line(lowered, page_texts("en"), "en") == "Median wage: −$3.00 an hour (−10%)"
