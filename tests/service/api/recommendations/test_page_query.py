"""The public page's address: read leniently, checked where the person typed, written back canonically
so that a shared address gives the same search."""

from urllib.parse import parse_qsl, urlsplit

from service.api.recommendations.page_query import PageQuery, read_query


def reread(query: PageQuery) -> PageQuery:
    address = urlsplit(query.address())
    return read_query(dict(parse_qsl(address.query)), query.lang)


def test_an_address_written_back_reads_as_the_same_query() -> None:
    asked = {
        "q": "  infirmière   auxiliaire ",
        "region": "ER3530",
        "mode": "online",
        "cost": "500",
        "hours": "40",
        "aid": "OSAP",
        "teach": "fr",
        "current": "préposée aux bénéficiaires",
        "skills": "soins, écoute\npremiers soins",
        "lang": "fr",
    }
    query = read_query(asked, "fr")
    assert query.title == "infirmière auxiliaire" and not query.errors and query.asks
    assert query.skill_list() == ["soins", "écoute", "premiers soins"]
    filters = query.filters()
    assert (filters.delivery_mode, filters.max_cost_cad, filters.max_duration_hours) == ("online", 500.0, 40.0)
    assert (filters.language, filters.financial_aid) == ("fr", "OSAP")
    assert reread(query) == query
    assert query.address().startswith("/?q=infirmi%C3%A8re+auxiliaire&region=ER3530&mode=online")
    assert query.address(lang="en").endswith("&lang=en")


def test_values_no_control_gives_are_dropped_not_refused() -> None:
    query = read_query({"q": "welder", "mode": "teleport", "cost": "-3", "hours": "7", "aid": "X", "teach": "de"}, "en")
    assert query.asks and not query.errors
    assert (query.mode, query.cost, query.hours, query.aid, query.teach) == ("", None, None, "", "")
    assert query.address() == "/?q=welder&lang=en"
    assert read_query({}, "en").address() == "/?lang=en" and not read_query({}, "en").asks


def test_an_occupation_chosen_under_did_you_mean_holds_only_for_its_title() -> None:
    chosen = read_query({"q": "nurse", "noc": "32101", "noc_q": "nurse"}, "en")
    assert chosen.noc == "32101"
    assert "noc=32101&noc_q=nurse" in chosen.address()
    assert read_query({"q": "welder", "noc": "32101", "noc_q": "nurse"}, "en").noc is None  # title changed since
    assert read_query({"q": "nurse", "noc": "3210", "noc_q": "nurse"}, "en").noc is None
    assert chosen.address(q="welder", noc=None) == "/?q=welder&lang=en"


def test_what_the_person_typed_is_checked_with_a_message_per_field() -> None:
    query = read_query({"q": "x" * 201, "current": "y" * 201, "skills": ",".join(["z"] * 51)}, "en")
    assert query.errors == {"q": "error_title_long", "current": "error_current_long", "skills": "error_skills"}
    assert not query.asks
    assert read_query({"skills": "a" * 101}, "en").errors == {"skills": "error_skills"}
    assert read_query({"q": "x" * 200}, "en").errors == {}
