"""Persistence: SQLAlchemy 2.0 typed ORM models, engine creation and Alembic migrations."""
