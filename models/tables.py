"""Imports every model module so that ``Base.metadata`` knows every table (for Alembic and tests)."""

from models import (  # noqa: F401
    accounts,
    catalog,
    events,
    geography,
    leases,
    occupations,
    outlook,
    provenance,
    skills,
    wages,
)
from models.base import Base

metadata = Base.metadata
