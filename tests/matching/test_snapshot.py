"""The snapshot of the matcher's word structures (`matching.snapshot`): written once, loaded at the next
start, rebuilt whenever what it is derived from changes, and never trusted when it does not check out."""

import ast
import hashlib
import importlib.util
import json
import pickle
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from matching import snapshot
from matching.aliases import ALIASES_FILE
from matching.assembly import assemble_from_snapshot, assemble_matcher
from matching.backends import NO_EMBEDDINGS
from matching.employers import EMPLOYERS_FILE
from matching.engine import Matcher, SearchQuery
from matching.lexicon import LexiconSources, UnitGroup
from matching.snapshot import MatchingSnapshot, load_or_build, read_snapshot, snapshot_key, snapshot_path
from matching.suggest import TitleSuggester
from tests.support.source_data import CONCORDANCE, JOB_TITLES, UNIT_GROUPS, csv_rows

SMALL_GROUPS = ("31301", "65100", "73300", "14300")
QUERIES = [
    SearchQuery("cashier"),
    SearchQuery("Cashier - Tim Hortons"),
    SearchQuery("infirmière auxiliaire"),
    SearchQuery("infirmiere auxilaire"),
    SearchQuery("chauffeur de taxi"),
    SearchQuery("registerd nurse"),
    SearchQuery("PSW (casual)"),
    SearchQuery("clerk", industry="library"),
    SearchQuery("operator", duties="runs the forklift in the warehouse"),
    SearchQuery("office clerk, dispatcher"),
    SearchQuery("cop"),
    SearchQuery("31301"),
    SearchQuery("7514"),
    SearchQuery("asdfgh"),
]


def sources_from_files(codes: tuple[str, ...] | None = None) -> LexiconSources:
    """The rows the service reads from the database, read from the reference files."""
    groups = [
        UnitGroup(row["noc_code"], row["title_en"], row["title_fr"], int(row["teer"]))
        for row in csv_rows(UNIT_GROUPS)
        if codes is None or row["noc_code"] in codes
    ]
    titles = [
        (row["noc_code"], row["lang"], row["job_title"])
        for row in csv_rows(JOB_TITLES)
        if codes is None or row["noc_code"] in codes
    ]
    concordance = [(row["NOC 2016 V1.3 Code"], row["NOC 2021 V1.0 Code"]) for row in csv_rows(CONCORDANCE)]
    return LexiconSources(groups, titles, concordance)


def real_titles(count: int = 150) -> list[SearchQuery]:
    """Published titles spread over the whole index, in both languages, as people would type them."""
    rows = csv_rows(JOB_TITLES)
    step = max(1, len(rows) // count)
    return [SearchQuery(row["job_title"].lower()) for row in rows[::step]]


@pytest.fixture(scope="module")
def full_sources() -> LexiconSources:
    return sources_from_files()


@pytest.fixture(scope="module")
def written(full_sources: LexiconSources, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, MatchingSnapshot]:
    """An index folder holding the snapshot of every real title, and the snapshot as built."""
    index_dir = tmp_path_factory.mktemp("index")
    return index_dir, load_or_build(full_sources, index_dir)


@pytest.fixture(scope="module")
def loaded(full_sources: LexiconSources, written: tuple[Path, MatchingSnapshot]) -> MatchingSnapshot:
    index_dir, _ = written
    key = snapshot_key(full_sources)
    found = read_snapshot(snapshot_path(index_dir, key), key)
    assert found is not None
    return found


@pytest.fixture(scope="module")
def fresh_matcher(full_sources: LexiconSources, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Matcher]:
    """The matcher built the way it was before snapshots: from the lexicon, nothing reused."""
    with assemble_matcher(full_sources.build(), NO_EMBEDDINGS, tmp_path_factory.mktemp("index")) as matcher:
        yield matcher


@pytest.fixture(scope="module")
def loaded_matcher(loaded: MatchingSnapshot, written: tuple[Path, MatchingSnapshot]) -> Iterator[Matcher]:
    with assemble_from_snapshot(loaded, NO_EMBEDDINGS, written[0]) as matcher:
        yield matcher


def small_snapshot(
    index_dir: Path,
    sources: LexiconSources | None = None,
    aliases_file: Path = ALIASES_FILE,
    employers_file: Path = EMPLOYERS_FILE,
) -> MatchingSnapshot:
    return load_or_build(sources or sources_from_files(SMALL_GROUPS), index_dir, aliases_file, employers_file)


def snapshot_files(index_dir: Path) -> list[Path]:
    return sorted(index_dir.glob("matching-snapshot-*.pickle"))


# --- A loaded snapshot is the matcher it was built for --------------------------------------------


def test_a_loaded_snapshot_answers_like_a_fresh_build(fresh_matcher: Matcher, loaded_matcher: Matcher) -> None:
    queries = [*QUERIES, *real_titles()]
    assert loaded_matcher.search_many(queries) == fresh_matcher.search_many(queries)
    for lang in ("en", "fr"):
        assert loaded_matcher.search_many(queries[:20], lang=lang) == fresh_matcher.search_many(queries[:20], lang=lang)


def test_a_loaded_snapshot_holds_the_structures_built(
    full_sources: LexiconSources, loaded: MatchingSnapshot, fresh_matcher: Matcher, loaded_matcher: Matcher
) -> None:
    assert loaded.lexicon == full_sources.build()
    assert loaded.detector == fresh_matcher.detector
    assert loaded_matcher.lexical_index.folded == fresh_matcher.lexical_index.folded
    assert loaded_matcher.lexical_index.vocabulary == fresh_matcher.lexical_index.vocabulary
    for name in ("posting_starts", "posting_rows", "idf", "entry_weight"):
        assert np.array_equal(getattr(loaded_matcher.lexical_index, name), getattr(fresh_matcher.lexical_index, name))
    assert len(loaded_matcher.employers) == len(fresh_matcher.employers) > 0
    rebuilt = TitleSuggester.from_lexicon(full_sources.build())
    for text in ("infirm", "cash", "Préposé", "chauffeur de", "zz"):
        assert loaded.suggester.suggest(text, limit=25) == rebuilt.suggest(text, limit=25)


def test_the_matcher_takes_the_snapshots_lexical_index_over(loaded: MatchingSnapshot, loaded_matcher: Matcher) -> None:
    index = loaded_matcher.lexical_index
    assert index is loaded.lexical_index  # taken, not rebuilt
    assert index.token_matches("nurze")  # a typo: the unpickled index has a working token cache


def test_a_second_start_loads_instead_of_building(
    full_sources: LexiconSources, written: tuple[Path, MatchingSnapshot], monkeypatch: pytest.MonkeyPatch
) -> None:
    index_dir, built = written

    def no_building(*_: object, **__: object) -> MatchingSnapshot:
        raise AssertionError("the snapshot was rebuilt")

    monkeypatch.setattr(snapshot, "build_snapshot", no_building)
    again = load_or_build(full_sources, index_dir)
    assert again.key == built.key
    assert again.lexicon == built.lexicon


# --- What the key is derived from ----------------------------------------------------------------


def test_a_changed_title_row_changes_the_key_and_rebuilds(tmp_path: Path) -> None:
    sources = sources_from_files(SMALL_GROUPS)
    first = small_snapshot(tmp_path, sources)
    titles = list(sources.titles)
    titles[0] = (titles[0][0], titles[0][1], "Quantum cashier wrangler")
    changed = small_snapshot(tmp_path, replace(sources, titles=titles))
    assert changed.key != first.key
    assert "quantum cashier wrangler" in {entry.folded for entry in changed.lexicon.entries}
    assert snapshot_files(tmp_path) == [snapshot_path(tmp_path, changed.key)]  # the stale one is removed


@pytest.mark.parametrize(
    "change",
    [
        lambda s: replace(s, unit_groups=[replace(s.unit_groups[0], title_en="Renamed"), *s.unit_groups[1:]]),
        lambda s: replace(s, unit_groups=[replace(s.unit_groups[0], teer=9), *s.unit_groups[1:]]),
        lambda s: replace(s, titles=s.titles[1:]),
        lambda s: replace(s, titles=list(reversed(s.titles))),
        lambda s: replace(s, concordance=[*s.concordance, ("9999", "31301")]),
    ],
    ids=["unit-group-title", "teer", "one-title-less", "title-order", "concordance"],
)
def test_every_source_row_is_in_the_key(change: object) -> None:
    sources = sources_from_files(SMALL_GROUPS)
    assert snapshot_key(change(sources)) != snapshot_key(sources)  # type: ignore[operator]


def test_a_changed_alias_changes_the_key_and_is_searchable(tmp_path: Path) -> None:
    aliases = tmp_path / "aliases.csv"
    aliases.write_bytes(ALIASES_FILE.read_bytes())
    first = small_snapshot(tmp_path / "index", aliases_file=aliases)
    header = ALIASES_FILE.read_text(encoding="utf-8").splitlines()[0].split(",")
    row = dict.fromkeys(header, "")
    row.update(alias="till wizard", lang="en", noc_code="65100", equivalent_title="Cashier", kind="colloquial")
    with aliases.open("a", encoding="utf-8") as handle:
        handle.write(",".join(row[column] for column in header) + "\n")
    changed = small_snapshot(tmp_path / "index", aliases_file=aliases)
    assert changed.key != first.key
    with assemble_from_snapshot(changed, NO_EMBEDDINGS, tmp_path / "index") as matcher:
        best = matcher.search("till wizard").results[0]
    assert (best.noc_code, best.match_type) == ("65100", "alias")


def test_the_employer_table_is_in_the_key(tmp_path: Path) -> None:
    employers = tmp_path / "employers.csv"
    employers.write_bytes(EMPLOYERS_FILE.read_bytes())
    sources = sources_from_files(SMALL_GROUPS)
    before = snapshot_key(sources, employers_file=employers)
    employers.write_bytes(EMPLOYERS_FILE.read_bytes() + b"\n")
    assert snapshot_key(sources, employers_file=employers) != before
    employers.unlink()
    assert snapshot_key(sources, employers_file=employers) != before
    assert len(small_snapshot(tmp_path / "index", employers_file=employers).employers) == 0


def test_a_change_to_the_code_that_builds_it_changes_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    sources = sources_from_files(SMALL_GROUPS)
    before = snapshot_key(sources)
    original = snapshot._module_source
    monkeypatch.setattr(
        snapshot, "_module_source", lambda m: (original(m) or b"") + (b"# edited" if m == "matching.gender" else b"")
    )
    assert snapshot_key(sources) != before
    monkeypatch.setattr(snapshot, "_module_source", original)
    monkeypatch.setattr(snapshot, "FORMAT_VERSION", snapshot.FORMAT_VERSION + 1)
    assert snapshot_key(sources) != before


def test_the_key_covers_the_code_of_every_module_that_builds_the_structures() -> None:
    """The snapshot module and every matching module it imports, directly or not; not the engine."""
    modules = snapshot.builder_modules()
    assert {
        "matching.snapshot",
        "matching.lexicon",
        "matching.gender",
        "matching.folding",
        "matching.aliases",
        "matching.employers",
        "matching.language",
        "matching.lexical",
        "matching.suggest",
    } <= set(modules)
    assert "matching.engine" not in modules
    for module in modules:  # each is a module of the package whose imports were followed
        spec = importlib.util.find_spec(module)
        assert spec is not None and spec.origin is not None
        tree = ast.parse(Path(spec.origin).read_text(encoding="utf-8"))
        imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
        assert {name for name in imported if name.startswith("matching.")} <= set(modules)


# --- A file that does not check out is rebuilt, never trusted ---------------------------------------


def corrupt(path: Path, edit: str) -> None:
    data = bytearray(path.read_bytes())
    if edit == "truncated":
        data = data[: len(data) // 2]
    elif edit == "flipped byte":
        data[len(data) // 2] ^= 0xFF
    elif edit == "empty":
        data = bytearray()
    elif edit == "no header":
        data = data[len(snapshot.MAGIC) :]
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("edit", ["truncated", "flipped byte", "empty", "no header"])
def test_a_corrupt_snapshot_is_rebuilt(tmp_path: Path, edit: str, caplog: pytest.LogCaptureFixture) -> None:
    built = small_snapshot(tmp_path)
    path = snapshot_path(tmp_path, built.key)
    corrupt(path, edit)
    assert read_snapshot(path, built.key) is None
    rebuilt = small_snapshot(tmp_path)
    assert rebuilt.lexicon == built.lexicon
    assert read_snapshot(path, built.key) is not None  # written again, whole
    assert f"ignoring {path}" in caplog.text


def write_raw(path: Path, key: str, payload: bytes) -> None:
    """A snapshot file with a consistent header around any payload."""
    header = {"format": snapshot.FORMAT_VERSION, "key": key, "bytes": len(payload)}
    header["sha256"] = hashlib.sha256(payload).hexdigest()
    path.write_bytes(snapshot.MAGIC + json.dumps(header).encode() + b"\n" + payload)


def test_a_snapshot_that_does_not_unpickle_is_rebuilt(tmp_path: Path) -> None:
    built = small_snapshot(tmp_path)
    path = snapshot_path(tmp_path, built.key)
    write_raw(path, built.key, b"\x80\x05not a pickle")
    assert read_snapshot(path, built.key) is None
    write_raw(path, built.key, pickle.dumps({"not": "a snapshot"}))
    assert read_snapshot(path, built.key) is None
    write_raw(path, built.key, pickle.dumps(replace(built, key="another key")))
    assert read_snapshot(path, built.key) is None
    assert small_snapshot(tmp_path).lexicon == built.lexicon


class _Unpickled(Exception):
    pass


def _unpickled() -> None:
    raise _Unpickled


class _Trap:
    def __reduce__(self) -> tuple[object, tuple[()]]:
        return (_unpickled, ())


def test_a_snapshot_of_another_key_is_never_unpickled(tmp_path: Path) -> None:
    built = small_snapshot(tmp_path)
    path = snapshot_path(tmp_path, built.key)
    write_raw(path, "0" * 64, pickle.dumps(_Trap()))  # in the right place, for another key
    with pytest.raises(_Unpickled):
        pickle.loads(path.read_bytes().split(b"\n", 2)[2])  # the trap works
    assert read_snapshot(path, built.key) is None  # and was not sprung
    assert small_snapshot(tmp_path).key == built.key


def test_a_snapshot_in_an_unwritable_place_is_still_built(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    assert small_snapshot(blocker / "index").lexicon.entries
