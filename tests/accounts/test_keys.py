"""API keys: shown once, stored hashed, revocable; an institution's key reaches only its catalog."""

import hashlib
from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from accounts.exceptions import DuplicateInstitution, InvalidSlug, KeyNotFound, NotAllowed, NotAuthenticated
from accounts.institutions import create_institution, find_institution
from accounts.keys import authenticate, create_key, revoke_key
from models.accounts import ApiKey
from models.database import create_database_engine
from models.migrate import upgrade_to_head


@pytest.fixture
def session(empty_database_url: str) -> Iterator[Session]:
    engine: Engine = create_database_engine(empty_database_url)
    upgrade_to_head(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def test_a_key_is_stored_as_its_hash_only(session: Session) -> None:
    key, text = create_key(session, "admin")
    stored = session.scalars(select(ApiKey)).all()
    assert [row.key_hash for row in stored] == [hashlib.sha256(text.encode()).hexdigest()]
    assert all(text not in (row.prefix, row.key_hash) for row in stored)
    assert text.startswith(f"lmi_{key.prefix}_")
    assert authenticate(session, text).role == "admin"


def test_unknown_and_revoked_keys_are_refused(session: Session) -> None:
    _, text = create_key(session, "analyst")
    with pytest.raises(NotAuthenticated):
        authenticate(session, text + "x")
    with pytest.raises(NotAuthenticated):
        authenticate(session, None)
    revoke_key(session, text)
    with pytest.raises(NotAuthenticated):
        authenticate(session, text)
    with pytest.raises(KeyNotFound):
        revoke_key(session, text)


def test_an_institution_key_reaches_only_its_own_catalog(session: Session) -> None:
    mine = create_institution(session, "Collège Boréal")
    other = create_institution(session, "Cégep de Sept-Îles")
    assert (mine.slug, other.slug) == ("college-boreal", "cegep-de-sept-iles")
    _, text = create_key(session, "institution", mine.id)
    principal = authenticate(session, text)
    principal.require_catalog_of(mine.id)
    with pytest.raises(NotAllowed, match="another institution"):
        principal.require_catalog_of(other.id)
    _, analyst = create_key(session, "analyst")
    with pytest.raises(NotAllowed, match="'analyst'"):
        authenticate(session, analyst).require_catalog_of(mine.id)
    _, admin = create_key(session, "admin")
    authenticate(session, admin).require_catalog_of(other.id)


def test_institutions_are_found_by_id_or_slug_and_slugs_are_unique(session: Session) -> None:
    created = create_institution(session, "Polytechnique Montréal")
    assert find_institution(session, str(created.id)) is created
    assert find_institution(session, "polytechnique-montreal") is created
    with pytest.raises(DuplicateInstitution):
        create_institution(session, "Polytechnique  Montréal!")
    with pytest.raises(InvalidSlug):
        create_institution(session, "X", slug="Not A Slug")


def test_roles_and_institutions_go_together(session: Session) -> None:
    with pytest.raises(ValueError, match="institution key needs an institution"):
        create_key(session, "institution")
