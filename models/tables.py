"""Imports every model module so that ``Base.metadata`` knows every table (for Alembic and tests)."""

from models import accounts, catalog, events, geography, occupations, outlook, provenance, skills, wages  # noqa: F401
from models.base import Base

metadata = Base.metadata
