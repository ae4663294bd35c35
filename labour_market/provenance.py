"""What was imported, from which file, under which licence."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.datasets import SOURCE_KEYS
from models.provenance import SourceFile


def imported_files(session: Session) -> list[SourceFile]:
    """Every imported file, in import order of its source, then by path."""
    files = session.scalars(select(SourceFile))
    return sorted(files, key=lambda file: (SOURCE_KEYS.index(file.source), file.path))


def missing_sources(session: Session) -> list[str]:
    """Keys of the sources that have not been imported yet."""
    imported = set(session.scalars(select(SourceFile.source)))
    return [key for key in SOURCE_KEYS if key not in imported]
