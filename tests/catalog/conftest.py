"""Fixtures of the catalog tests: a session on the reference database and a new institution in it."""

import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from accounts.institutions import create_institution
from models.accounts import Institution


@pytest.fixture
def session(reference_engine: Engine) -> Iterator[Session]:
    with Session(reference_engine) as session:
        yield session


@pytest.fixture
def institution(session: Session) -> Institution:
    created = create_institution(session, f"Test {uuid.uuid4().hex[:8]}")
    session.commit()
    return created
