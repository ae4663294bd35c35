"""Which schema revision a database is at, against the newest this code ships, read cheaply (one row of
Alembic's `alembic_version`, no Alembic import) so that readiness can tell a database left behind by a
deploy that did not run `lmi migrate`."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from sqlalchemy import text
from sqlalchemy.orm import Session

VERSIONS_DIR = Path(__file__).parent / "migrations" / "versions"

# The revisions this code ships, oldest first: each migration's file name starts with its revision.
MIGRATION_FILES = VERSIONS_DIR.glob("[0-9][0-9][0-9][0-9]_*.py")
KNOWN_REVISIONS: tuple[str, ...] = tuple(sorted(path.name[:4] for path in MIGRATION_FILES))
HEAD_REVISION = KNOWN_REVISIONS[-1]

SchemaState = Literal["current", "behind", "newer", "not migrated"]


@dataclass(frozen=True)
class SchemaRevision:
    """The database's revision (None when it was never migrated) and how it stands against this code's:
    `behind` needs `lmi migrate`; `newer` was migrated by a newer release (a rolling deploy), which this
    code's migrations only ever add to, so it is served."""

    database: str | None
    code: str
    state: SchemaState


def schema_revision(session: Session) -> SchemaRevision:
    """Raises SQLAlchemyError when the database cannot be read (`alembic_version` is missing when the
    database was never migrated at all)."""
    database = session.execute(text("SELECT version_num FROM alembic_version")).scalar_one_or_none()
    if database is None:
        state: SchemaState = "not migrated"
    elif database == HEAD_REVISION:
        state = "current"
    elif database in KNOWN_REVISIONS:
        state = "behind"
    else:
        state = "newer"
    return SchemaRevision(database=database, code=HEAD_REVISION, state=state)
