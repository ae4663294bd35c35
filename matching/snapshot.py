"""The matcher's word structures, built once and kept on disk: the lexicon (every gender variant of
the 57,000 published titles and the aliases), the language detector, the lexical index, the title
suggester and the employer table.

Building them costs several seconds of CPU at every start; loading them from a snapshot costs a
fraction of a second. :func:`load_or_build` takes the reference rows as values (the caller reads
them from wherever it keeps them), loads the snapshot whose key matches them, and otherwise builds
the structures and writes the snapshot for the next start.

The key is a sha256 over everything the structures are derived from: the reference rows in order,
the alias and employer tables (their files' bytes), the source of the modules that build them (this
one and every matching module it imports: changing the code rebuilds), the snapshot format, and the
Python, numpy and scipy versions the pickle depends on. A snapshot is a pickle, which is only safe to
load from a file this service wrote itself, in its own index directory: the file starts with a
header naming its key and the sha256 of the pickle, and a file whose key differs is never unpickled;
one whose pickle does not match its checksum, or does not load, is rebuilt and overwritten, never
trusted.
"""

import gc
import hashlib
import importlib.util
import json
import logging
import pickle
import re
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import BinaryIO

import numpy as np
import scipy

from matching.aliases import ALIASES_FILE, load_aliases
from matching.atomic_files import atomic_path, building
from matching.employers import EMPLOYERS_FILE, EmployerTable, load_employers
from matching.language import LanguageDetector
from matching.lexical import LexicalIndex
from matching.lexicon import IndexEntry, Lexicon, LexiconSources, UnitGroup
from matching.suggest import TitleSuggester

__all__ = [
    "FORMAT_VERSION",
    "MatchingSnapshot",
    "build_snapshot",
    "builder_modules",
    "load_or_build",
    "read_keyed_pickle",
    "read_snapshot",
    "semantic_passages",
    "snapshot_key",
    "snapshot_path",
    "write_keyed_pickle",
    "write_snapshot",
]

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
"""Bump when what the snapshot holds changes in a way the module sources do not show."""

PACKAGE = "matching"
BUILDER_ROOT = "matching.snapshot"
"""The module that builds the structures: its source and that of every matching module it imports,
transitively (see :func:`builder_modules`), are part of the key."""

MAGIC = b"lmi-keyed-pickle 1\n"  # the file layout: bump it when the header changes
FILE_PREFIX = "matching-snapshot-"
FILE_SUFFIX = ".pickle"
_MAX_HEADER_BYTES = 4096


@dataclass(frozen=True)
class MatchingSnapshot:
    key: str
    lexicon: Lexicon
    passages: list[IndexEntry]  # what the embedding index holds: see semantic_passages
    detector: LanguageDetector
    lexical_index: LexicalIndex
    suggester: TitleSuggester
    employers: EmployerTable


def semantic_passages(lexicon: Lexicon) -> list[IndexEntry]:
    """One entry per published title (as written, accents and both genders kept) and unit group.

    The lexicon holds each title several times (gender variants, without brackets) for lexical
    lookup; an embedding model reads the published form, so it is embedded once.
    """
    seen: set[tuple[str, str]] = set()
    passages = []
    for entry in lexicon.entries:
        key = (entry.noc_code, entry.title)
        if key not in seen:
            seen.add(key)
            passages.append(entry)
    return passages


def snapshot_key(
    sources: LexiconSources, aliases_file: Path = ALIASES_FILE, employers_file: Path = EMPLOYERS_FILE
) -> str:
    """sha256 over everything the snapshot of `sources` is derived from (see the module's docstring)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:  # length-prefixed: no two inputs run into each other
        digest.update(f"{label}:{len(data)}:".encode())
        digest.update(data)

    add("format", str(FORMAT_VERSION).encode())
    add("python", sys.version.encode())
    add("numpy", np.__version__.encode())
    add("scipy", scipy.__version__.encode())
    for module in builder_modules():
        add(module, _module_source(module) or b"")
    add(
        "unit_groups",
        _rows_bytes((group.code, group.title_en, group.title_fr, group.teer) for group in sources.unit_groups),
    )
    add("titles", _rows_bytes(sources.titles))
    add("concordance", _rows_bytes(sources.concordance))
    add("aliases", _file_bytes(aliases_file))
    add("employers", _file_bytes(employers_file))
    return digest.hexdigest()


def build_snapshot(
    sources: LexiconSources, aliases_file: Path = ALIASES_FILE, employers_file: Path = EMPLOYERS_FILE
) -> MatchingSnapshot:
    """The structures of `sources`, built now (seconds of CPU)."""
    key = snapshot_key(sources, aliases_file, employers_file)
    with _collection_paused():
        lexicon = _shared_strings(sources).build(load_aliases(aliases_file))
        passages = semantic_passages(lexicon)
        detector = LanguageDetector.from_titles((entry.lang, entry.title) for entry in passages)
        lexical_index = LexicalIndex(lexicon.entries)
        suggester = TitleSuggester.from_lexicon(lexicon)
        employers = load_employers(employers_file) if employers_file.is_file() else EmployerTable(())
    return MatchingSnapshot(key, lexicon, passages, detector, lexical_index, suggester, employers)


def snapshot_path(index_dir: Path, key: str) -> Path:
    return index_dir / f"{FILE_PREFIX}{key[:16]}{FILE_SUFFIX}"


def read_snapshot(path: Path, key: str) -> MatchingSnapshot | None:
    """The snapshot in `path` if it is there, is complete and was written for `key`; else None (logged
    unless the file is simply absent)."""
    snapshot = read_keyed_pickle(path, key)
    if snapshot is None:
        return None
    if not isinstance(snapshot, MatchingSnapshot) or snapshot.key != key:
        logger.warning("ignoring %s: it does not hold this data's matching structures", path)
        return None
    return snapshot


def write_snapshot(snapshot: MatchingSnapshot, index_dir: Path) -> Path:
    """Write `snapshot` atomically into `index_dir` and remove the snapshots of other keys there."""
    path = snapshot_path(index_dir, snapshot.key)
    write_keyed_pickle(path, snapshot.key, snapshot)
    return path


def read_keyed_pickle(path: Path, key: str) -> object | None:
    """What :func:`write_keyed_pickle` wrote to `path` for `key`; None (logged unless the file is
    simply absent) when the file is missing, written for another key, incomplete or does not load.

    The header is checked before anything is unpickled: a file of another key, or whose bytes do not
    match the checksum it was written with, is never unpickled.
    """
    payload = _checked_payload(path, key)
    if payload is None:
        return None
    try:
        with _collection_paused():
            value: object = pickle.loads(payload)  # a file this service wrote, checked above
    except Exception as error:  # any failure to unpickle means: rebuild
        logger.warning("ignoring %s that does not load: %s", path, error)
        return None
    return value


def write_keyed_pickle(path: Path, key: str, value: object) -> None:
    """Pickle `value` atomically to `path` behind a header naming `key` and the pickle's sha256, and
    remove the files of other keys next to it (same name up to the key: `<prefix>-<key16><suffix>`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = pickle.dumps(value, protocol=pickle.HIGHEST_PROTOCOL)
    header = {"key": key, "bytes": len(payload), "sha256": hashlib.sha256(payload).hexdigest()}
    with atomic_path(path) as temporary, temporary.open("wb") as handle:
        handle.write(MAGIC)
        handle.write(json.dumps(header).encode() + b"\n")
        handle.write(payload)
    prefix = path.name[: path.name.rindex("-") + 1]
    for stale in path.parent.glob(f"{prefix}*{path.suffix}"):
        if stale != path and len(stale.name) == len(path.name):
            stale.unlink(missing_ok=True)


def _checked_payload(path: Path, key: str) -> bytes | None:
    """The pickle in the file at `path` if its header names `key` and its checksum matches."""
    try:
        with path.open("rb") as handle:
            header = _read_header(handle)
            if header is None or header.get("key") != key:
                logger.warning("ignoring %s: no valid header, or one written for other data or code", path)
                return None
            payload = handle.read()
    except FileNotFoundError:
        return None
    except OSError as error:
        logger.warning("ignoring unreadable %s: %s", path, error)
        return None
    if len(payload) != header.get("bytes") or hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        logger.warning("ignoring %s: its content does not match its checksum", path)
        return None
    return payload


def load_or_build(
    sources: LexiconSources,
    index_dir: Path,
    aliases_file: Path = ALIASES_FILE,
    employers_file: Path = EMPLOYERS_FILE,
) -> MatchingSnapshot:
    """The snapshot of `sources` from `index_dir`, or built and written there when it is absent,
    stale or unreadable. A directory that cannot be written only costs the next start a rebuild."""
    started = time.perf_counter()
    key = snapshot_key(sources, aliases_file, employers_file)
    path = snapshot_path(index_dir, key)
    snapshot = read_snapshot(path, key)
    if snapshot is None:
        try:
            with building(path):  # one process builds it; the others wait, then read it
                snapshot = read_snapshot(path, key)
                if snapshot is None:
                    return _build_and_write(sources, index_dir, aliases_file, employers_file, started, path)
        except OSError as error:  # a folder that cannot be written: build it here, unshared
            logger.warning("could not lock %s: %s", path, error)
            return _build_and_write(sources, index_dir, aliases_file, employers_file, started, path)
    logger.info("loaded the matching snapshot %s in %.2f s", path, time.perf_counter() - started)
    return snapshot


def _build_and_write(
    sources: LexiconSources, index_dir: Path, aliases_file: Path, employers_file: Path, started: float, path: Path
) -> MatchingSnapshot:
    snapshot = build_snapshot(sources, aliases_file, employers_file)
    built = time.perf_counter()
    try:
        write_snapshot(snapshot, index_dir)
    except OSError as error:
        logger.warning("could not write the matching snapshot to %s: %s", index_dir, error)
    else:
        logger.info(
            "built the matching structures in %.1f s; snapshot written to %s in %.1f s",
            built - started,
            path,
            time.perf_counter() - built,
        )
    return snapshot


@cache
def builder_modules() -> tuple[str, ...]:
    """This module and every module of the matching package it imports, directly or not, sorted."""
    found: set[str] = set()
    pending = [BUILDER_ROOT]
    while pending:
        module = pending.pop()
        if module in found:
            continue
        source = _module_source(module)
        if source is not None:
            found.add(module)
            pending.extend(_matching_imports(source.decode("utf-8")))
    return tuple(sorted(found))


# Import statements of matching modules, read off the source (ast.parse of the dozen modules costs
# tens of milliseconds at every start; a test checks this against it).
_IMPORT = re.compile(
    rf"^[ \t]*(?:from[ \t]+(?P<module>{PACKAGE}(?:\.\w+)*)[ \t]+import[ \t]+(?P<names>\([^)]*\)|[^\n]*)"
    rf"|import[ \t]+(?P<plain>{PACKAGE}\.[\w.]+))",
    re.MULTILINE,
)
_COMMENT = re.compile(r"#[^\n]*")


def _matching_imports(source: str) -> Iterator[str]:
    for match in _IMPORT.finditer(source):
        if match["plain"]:
            yield match["plain"]
        elif match["module"] != PACKAGE:
            yield match["module"]
        else:  # from matching import backends, fusion
            names = _COMMENT.sub("", match["names"]).strip("()")
            yield from (f"{PACKAGE}.{name.split()[0]}" for name in names.split(",") if name.strip())


def _module_source(module: str) -> bytes | None:
    """The module's source; None for a name that is no module (an import named in a docstring)."""
    try:
        spec = importlib.util.find_spec(module)
    except ModuleNotFoundError:
        return None
    if spec is None or spec.origin is None or not spec.origin.endswith(".py"):
        return None
    return Path(spec.origin).read_bytes()


def _rows_bytes(rows: Iterable[tuple[object, ...]]) -> bytes:
    """The rows' repr: strings quoted and escaped, so no two lists of rows encode alike."""
    return repr(list(rows)).encode()


def _file_bytes(path: Path) -> bytes:
    """The file's content; a missing file hashes differently from every present one, even an empty one."""
    try:
        return b"present\n" + path.read_bytes()
    except FileNotFoundError:
        return b"absent"


def _shared_strings(sources: LexiconSources) -> LexiconSources:
    """The same rows with one string object per distinct code and language: the database hands out a
    new one per row, and 87,000 entries each holding their own copies make a bigger, slower pickle."""
    shared: dict[str, str] = {}

    def one(text: str) -> str:
        return shared.setdefault(text, text)

    return replace(
        sources,
        unit_groups=[
            UnitGroup(one(group.code), group.title_en, group.title_fr, group.teer) for group in sources.unit_groups
        ],
        titles=[(one(code), one(lang), title) for code, lang, title in sources.titles],
        concordance=[(one(old), one(new)) for old, new in sources.concordance],
    )


@contextmanager
def _collection_paused() -> Iterator[None]:
    """No cyclic garbage collection while hundreds of thousands of objects are made: each collection
    would walk them all, which more than triples the time to load a snapshot. Reference counting
    still frees what is dropped."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read_header(handle: BinaryIO) -> dict[str, object] | None:
    if handle.read(len(MAGIC)) != MAGIC:
        return None
    line = handle.readline(_MAX_HEADER_BYTES)
    try:
        header = json.loads(line)
    except ValueError:
        return None
    return header if isinstance(header, dict) else None
