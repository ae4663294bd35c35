"""The public page as the server answers it, with no script: the form, the result page in English and
French over the real reference data and two real catalogs, "did you mean", no match, the person's
errors, filters, personalization, the language switch, feedback, and what it logs — on SQLite and
PostgreSQL. (The page in a browser: test_page_browser.py.)"""

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup, Tag
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from models.events import Event
from service.api.recommendations.page_format import money
from tests.support.pages import shown, text

NBSP = "\xa0"
DIRECTION_CONTROLS = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
HTML = "text/html; charset=utf-8"
pytestmark = pytest.mark.usefixtures("catalogs")


@pytest.fixture(autouse=True)
def new_visitor(client: TestClient) -> Iterator[None]:
    """Each test is a new browser: no session or language cookie from an earlier one."""
    client.cookies.clear()
    yield
    client.cookies.clear()


def page(client: TestClient, status: int = 200, **params: str) -> BeautifulSoup:
    response = client.get("/", params=params, headers={"Accept-Language": "en-CA"})
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return BeautifulSoup(response.text, "html.parser")


def texts(soup: BeautifulSoup | Tag, selector: str) -> list[str]:
    return [shown(found) for found in soup.select(selector)]


def api(client: TestClient, path: str, **params: str) -> dict[str, Any]:
    response = client.get(path, params=params)
    assert response.status_code == 200
    answer: dict[str, Any] = response.json()
    return answer


def events_of(engine: Engine, session_id: str) -> list[Event]:
    with Session(engine) as session:
        return list(session.scalars(select(Event).where(Event.session_id == session_id).order_by(Event.id)))


def test_the_form_answers_infirmiere_auxiliaire_in_toronto_in_french_with_wages_outlook_and_programs(
    client: TestClient,
) -> None:
    soup = page(client, q="infirmière auxiliaire", region="ER3530", lang="fr")
    assert soup.html is not None and soup.html["lang"] == "fr"
    profile = api(client, "/v1/occupations/32101", lang="fr", region="ER3530")
    assert text(soup, "#result-heading") == f"{profile['title']} (CNP 32101)"
    assert "Demande habituellement un diplôme collégial" in text(soup, "#h-about + p")
    regional = profile["wages"]["regional"]
    median = money(regional["median"], "fr")
    assert f"Salaire médian, Toronto : {median} l'heure (Guichet-Emplois, {regional['reference_period']})." in texts(
        soup, "ul.facts li"
    )
    assert re.fullmatch(r"[0-9\xa0]+,[0-9]{2}\xa0\$", median)
    outlook = text(soup, "p.outlook")
    assert outlook.startswith("Perspectives au Canada, 2024 à 2033 : risque important de pénurie")
    assert re.search(r"croître de [0-9]+\xa0%", outlook)
    assert "(Système de projection des professions au Canada, EDSC, 2024–2033.)" in outlook
    assert "Santé physique" in texts(soup, "ul.skills .skill-name")
    cards = soup.select("ol.programs li.card")
    assert cards and all(text(card, ".reason").startswith("Pourquoi :") for card in cards)
    nursing = next(
        card
        for card in cards
        if text(card, "h4") == "Practical Nursing"
        and text(card, ".offered") == "Offerte par Vancouver Island University"
    )  # linked to 32101 by VIU
    link = nursing.select_one("h4 a")
    assert link is not None and str(link["href"]).startswith("/r/")
    followed = client.get(str(link["href"]), follow_redirects=False)
    assert followed.status_code == 302 and followed.headers["location"].startswith("https://www.viu.ca/")


def test_the_result_page_logs_a_page_view_a_search_and_each_program_shown_for_one_visit(
    client: TestClient, reference_engine: Engine
) -> None:
    response = client.get("/", params={"q": "electrician", "lang": "en"})
    visit = response.cookies["lmi_session"]
    set_cookie = next(line for line in response.headers.get_list("set-cookie") if line.startswith("lmi_session="))
    assert "httponly" in set_cookie.lower() and "samesite=lax" in set_cookie.lower()
    assert "expires" not in set_cookie.lower() and "max-age" not in set_cookie.lower()  # ends with the browser
    cards = BeautifulSoup(response.text, "html.parser").select("li.card")
    logged = events_of(reference_engine, visit)
    assert [event.type for event in logged[:2]] == ["page_view", "search"]
    impressions = [event for event in logged if event.type == "impression"]
    assert [event.impression_id for event in impressions] == [card["data-impression"] for card in cards]
    assert {event.noc_code for event in logged} == {"72200"} and {event.lang for event in logged} == {"en"}
    client.get(str(cards[1].select_one("a")["href"]), follow_redirects=False)  # type: ignore[index]
    clicks = [event for event in events_of(reference_engine, visit) if event.type == "click"]
    assert [click.impression_id for click in clicks] == [cards[1]["data-impression"]]
    client.get("/", params={"lang": "en"})
    assert events_of(reference_engine, visit)[-1].type == "page_view"  # the same visit, by its cookie


def test_a_session_cookie_the_page_did_not_make_is_replaced_not_stored(
    client: TestClient, reference_engine: Engine
) -> None:
    client.cookies.set("lmi_session", "someone@example.com")
    response = client.get("/", params={"q": "welder", "lang": "en"})
    visit = response.cookies["lmi_session"]
    assert visit != "someone@example.com" and events_of(reference_engine, "someone@example.com") == []
    assert [event.type for event in events_of(reference_engine, visit)][:2] == ["page_view", "search"]


def test_a_head_request_searches_and_logs_nothing(client: TestClient, reference_engine: Engine) -> None:
    response = client.head("/", params={"q": "welder"})
    assert response.status_code == 200 and response.content == b""
    assert events_of(reference_engine, response.cookies["lmi_session"]) == []


def test_the_language_follows_the_browser_first_then_the_switch(client: TestClient) -> None:
    french = client.get("/", headers={"Accept-Language": "fr-CA,fr;q=0.9,en;q=0.5"})
    soup = BeautifulSoup(french.text, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "fr"
    switch = soup.select_one("a.switch")
    assert switch is not None and switch["hreflang"] == switch["lang"] == "en"
    assert text(soup, "a.switch") == "English version"
    assert switch["href"] == "/?lang=en"
    client.get(str(switch["href"]))  # the switch is remembered…
    again = BeautifulSoup(client.get("/", headers={"Accept-Language": "fr-CA"}).text, "html.parser")
    assert again.html is not None and again.html["lang"] == "en"  # …over the browser's language
    assert text(again, "h1") == "Find programs for the job you want"


def test_the_address_holds_the_query_and_the_form_shows_it_back(client: TestClient) -> None:
    asked = {"q": "welder", "region": "ER3530", "mode": "online", "teach": "fr", "lang": "en"}
    soup = page(client, **asked)
    form = soup.select_one("form#search")
    assert form is not None and form["method"] == "get" and form["action"] == "/"
    q = soup.select_one("#q")
    assert q is not None and q["value"] == "welder"
    for name, value in (("region", "ER3530"), ("mode", "online"), ("teach", "fr")):
        selected = soup.select_one(f"#{name} option[selected]")
        assert selected is not None and selected["value"] == value, name
    back = soup.select_one("form.feedback input[name=back]")
    assert back is not None and dict(parse_qsl(urlsplit(str(back["value"])).query)) == asked
    for label in soup.select("label"):
        assert soup.select_one(f"#{label['for']}") is not None  # every label names its control


def test_filters_are_applied_to_the_cards(client: TestClient) -> None:
    french_only = page(client, q="électricien", teach="fr", lang="en")
    cards = french_only.select("li.card")
    assert cards and all("In French" in texts(card, "ul.tags li") for card in cards)
    none_left = page(client, q="licensed practical nurse", cost="0", lang="en")
    assert not none_left.select("li.card")
    assert "No program matches your filters" in text(none_left, "#h-programs + p")


def test_what_the_person_already_does_marks_the_skills_they_have(client: TestClient) -> None:
    plain = page(client, q="licensed practical nurse", lang="en")
    assert not plain.select("ul.skills .tag") and plain.select_one("#h-skills ~ p.hint") is not None
    moving = page(client, q="licensed practical nurse", current="registered nurse", lang="en")
    assert "Your current job: Registered nurses" in text(moving, "#h-skills + p")
    tags = texts(moving, "ul.skills .tag")
    assert "You have it" in tags and len(tags) == len(moving.select("ul.skills li"))
    listed = page(client, q="licensed practical nurse", skills="patient care, soins de santé", lang="en")
    have = [text(item, ".skill-name") for item in listed.select("ul.skills li") if "You have it" in item.get_text()]
    assert "Physical Health" in have


def test_an_unsure_match_asks_did_you_mean_and_the_choice_is_kept_for_that_title(client: TestClient) -> None:
    search = api(client, "/v1/occupations/search", q="PSW", lang="en")
    assert search["results"][0]["confidence"] != "high"
    soup = page(client, q="PSW", lang="en")
    assert text(soup, ".did-you-mean h3") == "Did you mean…?"
    links = soup.select(".did-you-mean a")
    expected = [f"{result['title_en']} (NOC {result['noc_code']})" for result in search["results"][1:4]]
    assert [shown(link) for link in links] == expected
    chosen = BeautifulSoup(client.get(str(links[0]["href"])).text, "html.parser")
    assert text(chosen, "#result-heading") == expected[0]
    assert chosen.select_one(".did-you-mean") is None  # the person chose
    assert chosen.select_one("form#search input[name=noc]") is not None  # kept while the title is the same
    changed = page(client, q="welder", noc=search["results"][1]["noc_code"], noc_q="PSW", lang="en")
    assert text(changed, "#result-heading").startswith("Welders")


def test_no_occupation_found_says_what_to_try(client: TestClient, reference_engine: Engine) -> None:
    response = client.get("/", params={"q": "student", "lang": "en"})
    soup = BeautifulSoup(response.text, "html.parser")
    assert response.status_code == 200
    heading = soup.select_one("#result-heading")
    assert heading is not None and heading.get_text() == "No occupation found for “student”."
    assert "checking the spelling;" in texts(soup, ".no-match li")
    tries = soup.select(".no-match ul.links a")
    assert tries and all(link.get_text().lower().startswith("student") for link in tries)
    assert all(str(link["href"]).startswith("/?q=") for link in tries)
    assert [event.type for event in events_of(reference_engine, response.cookies["lmi_session"])] == [
        "page_view",
        "search",
    ]


def test_the_person_s_mistakes_are_named_field_by_field(client: TestClient) -> None:
    soup = page(client, 422, q="x" * 201, skills=",".join(["s"] * 51), lang="en")
    summary = soup.select_one("#errors")
    assert summary is not None and summary["role"] == "alert"
    assert [link["href"] for link in summary.select("a")] == ["#q", "#skills"]
    q = soup.select_one("#q")
    assert q is not None and q["aria-invalid"] == "true" and "q-error" in str(q["aria-describedby"])
    assert "at most 200 characters" in text(soup, "#q-error")
    unknown = page(client, 422, q="welder", region="Atlantis", lang="fr")
    assert text(unknown, "#region-error") == "Choisissez un lieu dans la liste."


@pytest.mark.parametrize(
    ("typed", "echoed_in"),
    [("\u202ezzqx\u202c \u2067vrbl\u2069\u200f", "#result-heading"), ("welder\u202e", ".result .kicker")],
    ids=["no match", "result"],
)
def test_what_the_person_typed_is_echoed_isolated_and_without_direction_controls(
    client: TestClient, typed: str, echoed_in: str
) -> None:
    soup = page(client, q=typed, lang="en")
    echoed = soup.select(f"{echoed_in} bdi")
    assert [element.get_text() for element in echoed] == [DIRECTION_CONTROLS.sub("", typed)]
    assert soup.body is not None and not DIRECTION_CONTROLS.search(soup.body.get_text())  # the form's value aside
    q = soup.select_one("#q")
    assert q is not None and q["value"] == typed  # in its own box, as typed, to be corrected


UNREADABLE_EN = "The address of this page has characters that cannot be read. Please type your search again."
UNREADABLE_FR = "L'adresse de cette page contient des caractères illisibles. Veuillez taper votre recherche de nouveau."


@pytest.mark.parametrize(
    ("address", "field"),
    [("/?q=%00", "q"), ("/?q=caf%E9", "q"), ("/?q=welder&current=%FF", "current"), ("/?q=welder&mode=%00", "q")],
)
def test_an_address_that_cannot_be_read_is_answered_with_the_page_in_its_language(
    client: TestClient, reference_engine: Engine, address: str, field: str
) -> None:
    response = client.get(address, headers={"Accept-Language": "fr-CA"})
    assert (response.status_code, response.headers["content-type"]) == (422, HTML)
    soup = BeautifulSoup(response.text, "html.parser")
    assert soup.html is not None and soup.html["lang"] == "fr"
    assert text(soup, f"#{field}-error") == UNREADABLE_FR
    assert [link["href"] for link in soup.select("#errors a")] == [f"#{field}"]
    assert "\x00" not in response.text and "\ufffd" not in response.text  # what cannot be read is not shown
    assert events_of(reference_engine, response.cookies["lmi_session"]) == []  # nor searched, nor logged


def test_the_language_of_an_unreadable_address_is_the_one_asked_then_the_one_chosen(client: TestClient) -> None:
    asked = client.get("/?q=%00&lang=en", headers={"Accept-Language": "fr-CA"})
    assert text(BeautifulSoup(asked.text, "html.parser"), "#q-error") == UNREADABLE_EN
    client.cookies.clear()  # the answer remembered the language asked: choose the other one
    client.cookies.set("lmi_lang", "fr")
    chosen = client.get("/results?q=%00", headers={"Accept-Language": "en-CA"})
    assert (chosen.status_code, chosen.headers["content-type"], chosen.headers["content-language"]) == (422, HTML, "fr")
    assert texts(BeautifulSoup(chosen.text, "html.parser"), "[role=alert] li") == [UNREADABLE_FR]
    api_problem = client.get("/v1/occupations/search?q=%00")  # the API's answer is still its problem
    assert (api_problem.status_code, api_problem.headers["content-type"]) == (422, "application/problem+json")


def test_the_results_alone_name_the_person_s_mistakes(client: TestClient) -> None:
    response = client.get("/results", params={"q": "x" * 5000, "lang": "fr"})
    assert (response.status_code, response.headers["content-type"]) == (422, HTML)
    assert "<html" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    alert = soup.select_one("[role=alert]")
    assert alert is not None and text(alert, "h2") == "Veuillez corriger le formulaire"
    assert texts(alert, "li") == ["Le titre d'emploi est trop long : tapez au plus 200 caractères."]


def test_the_results_alone_are_served_for_the_page_s_script(client: TestClient) -> None:
    response = client.get("/results", params={"q": "welder", "lang": "fr"})
    assert response.status_code == 200 and "<html" not in response.text
    soup = BeautifulSoup(response.text, "html.parser")
    section = soup.select_one("section.result")
    assert section is not None and str(section["data-announce"]).endswith("formations pour Soudeurs/soudeuses "
                                                                         "et opérateurs/opératrices de machines "
                                                                         "à souder et à braser.")  # fmt: skip


def feedback(client: TestClient, **fields: str) -> Response:
    return client.post("/feedback", data=fields, headers={"Content-Type": "application/x-www-form-urlencoded"})


def test_was_this_helpful_logs_a_feedback_event_and_leads_back(client: TestClient, reference_engine: Engine) -> None:
    soup = page(client, q="welder", region="ER3530", lang="fr")
    form = soup.select_one("form.feedback")
    assert form is not None and form["method"] == "post" and form["action"] == "/feedback"
    back = form.select_one("input[name=back]")
    assert back is not None
    answer = feedback(client, noc="72106", back=str(back["value"]), helpful="no")
    assert answer.status_code == 200
    thanks = BeautifulSoup(answer.text, "html.parser")
    assert text(thanks, ".thanks") == "Merci de votre réponse."
    link = thanks.select_one("#results a")
    assert link is not None and link["href"] == back["value"]
    logged = events_of(reference_engine, client.cookies["lmi_session"])[-1]
    assert (logged.type, logged.helpful, logged.noc_code, logged.region, logged.lang) == (
        "feedback",
        False,
        "72106",
        "3530",
        "fr",
    )
    # One answer per visit and occupation: a second one is thanked, not counted again.
    assert feedback(client, noc="72106", back="https://elsewhere.example/?q=x", helpful="yes").status_code == 200
    answers = [
        event for event in events_of(reference_engine, client.cookies["lmi_session"]) if event.type == "feedback"
    ]
    assert [event.helpful for event in answers] == [False]
    # Nor is an answer about an occupation this visit never searched (a forged form).
    assert feedback(client, noc="31301", helpful="yes").status_code == 200
    assert [event.noc_code for event in events_of(reference_engine, client.cookies["lmi_session"])].count("31301") == 0
    assert feedback(client, noc="<script>", helpful="yes").status_code == 422
    assert feedback(client, helpful="maybe").status_code == 422


@pytest.mark.parametrize(
    ("fields", "back"),
    [
        ({"helpful": "maybe"}, "/?q=welder&lang=fr"),
        ({"helpful": "yes", "noc": "<script>"}, "/?q=welder&lang=fr"),
        ({"helpful": "yes", "noc": "72106", **{f"field{n}": "x" for n in range(25)}}, "/?lang=fr"),  # none is read
    ],
    ids=["not yes or no", "not a code", "more fields than a form sends"],
)
def test_an_answer_that_cannot_be_read_logs_nothing_and_leads_back(
    client: TestClient, reference_engine: Engine, fields: dict[str, str], back: str
) -> None:
    visit = "v_" + "a" * 16
    client.cookies.set("lmi_session", visit)
    client.cookies.set("lmi_lang", "fr")
    answer = feedback(client, back="/?q=welder&lang=fr", **fields)
    assert (answer.status_code, answer.headers["content-type"]) == (422, HTML)
    soup = BeautifulSoup(answer.text, "html.parser")
    assert texts(soup, "#errors li") == [
        "Votre réponse n'a pas pu être lue. Retournez à vos résultats et choisissez « Oui » ou « Non »."
    ]
    assert [link["href"] for link in soup.select("#errors a")] == ["#feedback"]
    way_back = soup.select_one("#feedback a")
    assert way_back is not None and way_back["href"] == back and shown(way_back) == "Retour à vos résultats"
    assert events_of(reference_engine, visit) == []


def test_the_page_loads_only_its_own_assets(client: TestClient) -> None:
    response = client.get("/")
    policy = response.headers["content-security-policy"]
    assert "script-src 'self'" in policy and "form-action 'self'" in policy and "unsafe-inline" not in policy
    soup = BeautifulSoup(response.text, "html.parser")
    assets = [str(tag.get("href") or tag.get("src")) for tag in soup.select("link[rel=stylesheet], script")]
    assert len(assets) == 2 and all(asset.startswith("/assets/") for asset in assets)
    for asset in assets:
        served = client.get(asset)
        assert served.status_code == 200 and "immutable" in served.headers["cache-control"]
    assert client.get("/assets/other.js").status_code == 404


def test_a_program_title_in_the_other_language_is_marked_so(client: TestClient) -> None:
    cards = page(client, q="électricien", lang="fr").select("li.card")
    assert {"En anglais", "En français"} <= {fact for card in cards for fact in texts(card, "ul.tags li")}
    for card in cards:
        link = card.select_one("h4 a")
        assert link is not None
        assert link.get("lang") == ("en" if "En anglais" in texts(card, "ul.tags li") else None)
