"""Alembic environment: runs against the engine handed in by ``models.migrate`` or ``DATABASE_URL``."""

import os

from alembic import context

from models.database import create_database_engine
from models.tables import metadata

engine = context.config.attributes.get("engine")
if engine is None:
    engine = create_database_engine(os.environ.get("DATABASE_URL", "sqlite:///var/lmi.sqlite3"))

with engine.connect() as connection:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()
