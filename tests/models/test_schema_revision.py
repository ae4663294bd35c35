"""The schema revision readiness compares: the newest migration this code ships, read without Alembic,
is Alembic's own head, and a database's revision is placed against it."""

from collections.abc import Iterator

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from models.migrate import MIGRATIONS_DIR
from models.schema_revision import HEAD_REVISION, KNOWN_REVISIONS, schema_revision


def test_the_head_read_from_file_names_is_alembics_head() -> None:
    scripts = ScriptDirectory(str(MIGRATIONS_DIR))
    assert scripts.get_current_head() == HEAD_REVISION
    assert list(KNOWN_REVISIONS) == [script.revision for script in reversed(list(scripts.walk_revisions()))]


@pytest.fixture
def session() -> Iterator[Session]:
    engine = create_engine("sqlite://")
    with Session(engine) as session:
        yield session
    engine.dispose()


def at_revision(session: Session, revision: str | None) -> None:
    session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
    if revision is not None:
        session.execute(text("INSERT INTO alembic_version VALUES (:revision)"), {"revision": revision})


@pytest.mark.parametrize(
    ("revision", "state"),
    [
        (HEAD_REVISION, "current"),
        (KNOWN_REVISIONS[0], "behind"),
        (KNOWN_REVISIONS[-2], "behind"),
        ("9999", "newer"),
        (None, "not migrated"),
    ],
)
def test_a_databases_revision_against_this_codes(session: Session, revision: str | None, state: str) -> None:
    at_revision(session, revision)
    found = schema_revision(session)
    assert (found.database, found.code, found.state) == (revision, HEAD_REVISION, state)


def test_a_database_without_alembics_table_raises(session: Session) -> None:
    with pytest.raises(SQLAlchemyError):
        schema_revision(session)
