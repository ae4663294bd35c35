"""What the command modules share: the type they register subcommands on, and a database session."""

import argparse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TypeAlias

from sqlalchemy.orm import Session, sessionmaker

from models.database import create_database_engine, create_session_factory
from models.migrate import upgrade_to_head
from service.config import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"


@contextmanager
def migrated_database(settings: Settings) -> Iterator[sessionmaker[Session]]:
    """A session factory on the configured database, its schema brought up to date first; the engine
    is closed after. For commands whose domain functions own their units of work."""
    engine = create_database_engine(settings.database_url)
    try:
        upgrade_to_head(engine)
        yield create_session_factory(engine)
    finally:
        engine.dispose()


@contextmanager
def migrated_session(settings: Settings) -> Iterator[Session]:
    """A session on the configured database, its schema brought up to date first; closed after."""
    with migrated_database(settings) as session_factory, session_factory() as session:
        yield session
