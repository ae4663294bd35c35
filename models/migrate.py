"""Run the Alembic migrations that ship inside this package.

Alembic is imported when a migration runs, not with this module: every `lmi` command imports it,
and `lmi serve` never migrates (importing Alembic costs a fifth of a second).
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    from alembic.config import Config  # noqa: PLC0415 - slow import, only to migrate

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def upgrade_to_head(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to date (or up to `revision`); a no-op when it already is."""
    from alembic import command  # noqa: PLC0415 - slow import, only to migrate

    logging.getLogger("alembic").setLevel(logging.WARNING)
    command.upgrade(alembic_config(engine), revision)
