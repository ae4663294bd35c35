"""ESCO's occupation titles: told apart from their definitions in the real file, linked to NOC by
the matcher itself, and searched as lower-confidence evidence."""

import csv
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching import esco_linking
from matching.assembly import assemble_matcher
from matching.backends import NO_EMBEDDINGS
from matching.engine import Matcher
from matching.esco import (
    ESCO_OCCUPATIONS_FILE,
    EscoLabels,
    EscoLink,
    EscoOccupation,
    read_esco_occupations,
    split_labels,
)
from matching.esco_linking import link_occupations, linked_labels
from tests.support.source_data import DATA_DIR, lexicon_from_files

ESCO_FILE = DATA_DIR / ESCO_OCCUPATIONS_FILE


def esco_description(preferred_label: str) -> str:
    with ESCO_FILE.open(encoding="utf-8", newline="") as handle:
        return next(
            row["description"] for row in csv.DictReader(handle) if row["description"].startswith(preferred_label)
        )


@pytest.fixture(scope="module")
def words_matcher(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    with assemble_matcher(
        lexicon_from_files(), NO_EMBEDDINGS, tmp_path_factory.mktemp("index"), progress=False
    ) as matcher:
        yield matcher


def test_the_labels_end_where_the_definition_repeats_the_preferred_label() -> None:
    preferred, labels = split_labels(esco_description("technical director technical and operations")) or ("", "")
    assert preferred == "technical director"
    assert labels.startswith("technical director ") and labels.endswith(" technical manager")
    assert "realise" not in labels


def test_a_one_word_preferred_label_is_found_through_its_plural() -> None:
    preferred, labels = split_labels(esco_description("weaver needle loom operator")) or ("", "")
    assert preferred == "weaver"
    assert "loom operator" in labels and "Weavers" not in labels


def test_the_real_file_gives_folded_labels_and_leaves_isco_groups_out() -> None:
    with ESCO_FILE.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    occupations = read_esco_occupations(ESCO_FILE)
    isco_groups = [row for row in rows if row["description"][:1].isupper()]
    assert isco_groups, "the file lists ISCO's groups, capitalised"
    assert len(occupations) >= 0.95 * (len(rows) - len(isco_groups))
    preferred = {occupation.preferred_label for occupation in occupations}
    assert "technical director" in preferred
    assert not preferred & {isco_title(row["description"]) for row in isco_groups}
    assert all(
        occupation.labels == occupation.labels.lower() and "," not in occupation.labels for occupation in occupations
    )


def isco_title(description: str) -> str:
    """An ISCO group's description up to its definition: its title, as the preferred label would be."""
    return (split_labels(description) or ("", ""))[0]


def link(labels: str, code: str, preferred: str, score: float = 0.9) -> EscoLink:
    return EscoLink(EscoOccupation(f"uri:{preferred}", preferred, labels), code, score)


def test_a_phrase_is_found_as_whole_words_and_shared_among_the_groups_holding_it() -> None:
    labels = EscoLabels(
        [
            link("riveter rivet bucker metal riveter", "72106", preferred="riveter"),
            link("boilermaker rivet bucker", "72105", preferred="boilermaker"),
            link("cooperator", "99999", preferred="cooperator"),
            link("sheet metal riveter", "72106", preferred="sheet metal riveter", score=0.8),
        ]
    )
    assert labels.groups_of("rivet bucker") == [("72105", 0.5, "boilermaker"), ("72106", 0.5, "riveter")]
    assert labels.groups_of("metal riveter") == [("72106", 1.0, "riveter")]  # the best linked label names it
    assert labels.groups_of("operator") == []  # not inside "cooperator"
    assert labels.groups_of("bucker metal") == [("72106", 1.0, "riveter")]  # labels run together: a known cost
    assert labels.groups_of("rive") == []
    assert labels.groups_of("it") == []


def test_only_confident_answers_become_links(words_matcher: Matcher) -> None:
    occupations = read_esco_occupations(ESCO_FILE)[:150]
    links = link_occupations(words_matcher, occupations)
    assert 0 < len(links) < len(occupations)
    for found in links[:20]:
        answer = words_matcher.search(found.occupation.preferred_label, "en", 1)
        assert answer.results[0].noc_code == found.noc_code
        assert answer.results[0].confidence == "high"


def test_an_esco_title_missing_from_the_index_is_an_esco_match(words_matcher: Matcher) -> None:
    hairdresser = next(o for o in read_esco_occupations(ESCO_FILE) if o.preferred_label == "hairdresser")
    assert "hair colourist" in hairdresser.labels
    code = words_matcher.search("hairdresser", "en", 1).results[0].noc_code
    matcher = words_matcher.recalibrated(words_matcher.calibration)
    matcher.esco_labels = EscoLabels([EscoLink(hairdresser, code, 0.95)])
    before, after = words_matcher.search("hair colourist", "en", 5), matcher.search("hair colourist", "en", 5)
    assert before.results[0].noc_code != code
    first = after.results[0]
    assert (first.noc_code, first.match_type, first.matched_title) == (code, "esco", "hairdresser")
    assert first.confidence != "high"
    assert matcher.search("hairdresser", "en", 1).results[0].match_type == "exact"  # NOC's own titles first


def test_links_are_cached_and_a_missing_file_means_none(
    words_matcher: Matcher, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = tmp_path / "esco_occupations_en.csv"
    with ESCO_FILE.open(encoding="utf-8", newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    small.write_text("".join(lines[:40]), encoding="utf-8")
    first = linked_labels(words_matcher, small, tmp_path / "index")
    assert first is not None and first.links

    def fail(*_: object) -> list[EscoLink]:
        raise AssertionError("linked again")

    monkeypatch.setattr(esco_linking, "link_occupations", fail)
    again = linked_labels(words_matcher, small, tmp_path / "index")
    assert again is not None and again.links == first.links
    assert linked_labels(words_matcher, tmp_path / "absent.csv", tmp_path / "index") is None
