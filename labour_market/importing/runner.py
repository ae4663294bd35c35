"""Runs the import: each source in its own transaction, skipped when its files have not changed."""

import datetime as dt
import hashlib
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from tqdm import tqdm

from labour_market.datasets import SOURCE_KEYS
from labour_market.importing.csv_source import MissingSourceFileError
from labour_market.importing.sources import SOURCES, ReferenceSource
from labour_market.importing.writing import Progress
from models.migrate import upgrade_to_head
from models.provenance import SourceFile


@dataclass(frozen=True)
class SourceReport:
    key: str
    imported: bool
    rows: dict[str, int]
    seconds: float


def import_reference(
    engine: Engine,
    data_dir: Path,
    only: Sequence[str] | None = None,
    force: bool = False,
    show_progress: bool = True,
) -> list[SourceReport]:
    """Migrate the schema, then import every source (or those in `only`) in dependency order.

    A source whose files have the checksums already recorded is left as it is unless `force`.
    A malformed file raises `SourceFormatError` and its source's transaction is rolled back, so
    the database keeps what it held before.
    """
    unknown = sorted(set(only or ()) - set(SOURCE_KEYS))
    if unknown:
        raise ValueError(f"unknown source(s) {', '.join(unknown)}; known: {', '.join(SOURCE_KEYS)}")
    upgrade_to_head(engine)
    reports = []
    for source in SOURCES:
        if only is None or source.key in only:
            reports.append(_import_source(engine, data_dir, source, force, show_progress))
    return reports


def _import_source(
    engine: Engine, data_dir: Path, source: ReferenceSource, force: bool, show_progress: bool
) -> SourceReport:
    started = time.perf_counter()
    checksums = {info.path: file_sha256(data_dir / info.path) for info in source.files}
    with Session(engine) as session:
        recorded_files = session.execute(
            select(SourceFile.path, SourceFile.sha256).where(SourceFile.source == source.key)
        )
        recorded = dict(recorded_files.all())
    if not force and recorded == checksums:
        return SourceReport(source.key, False, {}, time.perf_counter() - started)
    with (
        tqdm(desc=f"{source.key:<22}", unit=" rows", disable=not show_progress, leave=True) as bar,
        Session(engine) as session,
        session.begin(),
    ):
        rows = source.load(session, data_dir, _progress(bar))
        _record_provenance(session, source, checksums, rows)
    return SourceReport(source.key, True, rows, time.perf_counter() - started)


def _record_provenance(
    session: Session, source: ReferenceSource, checksums: dict[str, str], rows: dict[str, int]
) -> None:
    imported_at = dt.datetime.now(dt.UTC)
    for info in source.files:
        session.merge(
            SourceFile(
                path=info.path,
                source=source.key,
                title=info.title,
                sha256=checksums[info.path],
                rows=rows[info.path],
                imported_at=imported_at,
                publisher=source.dataset.publisher,
                licence=source.dataset.licence,
                licence_url=source.dataset.licence_url,
            )
        )


def file_sha256(path: Path) -> str:
    if not path.is_file():
        raise MissingSourceFileError(path)
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _progress(bar: "tqdm[Any]") -> Progress:
    def advance(rows: int) -> None:
        bar.update(rows)

    return advance
