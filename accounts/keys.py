"""API keys: made here, shown once, stored as a SHA-256 hash; a request's key names its principal.

A key reads ``lmi_<prefix>_<secret>``: the prefix (8 characters) identifies it in listings and in
`lmi keys revoke`, the secret carries 256 bits of randomness, so one fast hash is enough to store it.
"""

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.exceptions import KeyNotFound, NotAllowed, NotAuthenticated
from models.accounts import ApiKey

Role = Literal["admin", "analyst", "institution", "portal"]
ROLES: tuple[Role, ...] = ("admin", "analyst", "institution", "portal")
KEY_PREFIX = "lmi_"


@dataclass(frozen=True)
class Principal:
    """Who a request acts for."""

    key_prefix: str
    role: Role
    institution_id: int | None = None
    portal_id: int | None = None

    @property
    def vouches_for_its_users(self) -> bool:
        """A portal (an institution, an admin) answers for the traffic it relays: its own HTTP library is
        not taken for a robot, and the end users' user agents it passes are believed."""
        return self.role != "analyst"

    def require_catalog_of(self, institution_id: int) -> None:
        """An admin may change any catalog; an institution only its own; an analyst none."""
        if self.role == "admin" or (self.role == "institution" and self.institution_id == institution_id):
            return
        if self.role == "institution":
            raise NotAllowed("This key belongs to another institution; it may change only its own catalog.")
        raise NotAllowed(f"A key of role {self.role!r} may not change catalogs.")

    def require_analyst(self) -> None:
        """Setting analytics targets is for analysts and admins."""
        if self.role == "institution":
            raise NotAllowed("An institution's key reads its own analytics; targets are set with an analyst's key.")
        self.require_reader()

    def require_reader(self) -> None:
        """Analytics are read by analysts, admins and institutions (their own programs)."""
        if self.role == "portal":
            raise NotAllowed("A portal's key sends events and asks for recommendations; it does not read analytics.")

    def require_sender(self) -> None:
        """Events are sent without a key (within limits), or with a portal's, an institution's or an admin's."""
        if self.role == "analyst":
            raise NotAllowed("An analyst's key reads analytics; events are sent by portals and institutions.")


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def create_key(
    session: Session, role: Role, institution_id: int | None = None, portal_id: int | None = None
) -> tuple[ApiKey, str]:
    """A new key and its text, which is not stored and cannot be shown again. Flushed, not committed."""
    if (role == "institution") != (institution_id is not None):
        raise ValueError("an institution key needs an institution; admin, analyst and portal keys have none")
    if (role == "portal") != (portal_id is not None):
        raise ValueError("a portal key needs a portal; other keys have none")
    prefix = secrets.token_hex(4)
    text = f"{KEY_PREFIX}{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(
        prefix=prefix,
        key_hash=_hash(text),
        role=role,
        institution_id=institution_id,
        portal_id=portal_id,
        created_at=dt.datetime.now(dt.UTC),
    )
    session.add(key)
    session.flush()
    return key, text


def revoke_key(session: Session, prefix: str) -> ApiKey:
    """Revoke the active key with this prefix (``lmi_ab12cd34_…`` or ``ab12cd34``)."""
    prefix = prefix.removeprefix(KEY_PREFIX).split("_")[0]
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == prefix, ApiKey.revoked_at.is_(None)))
    if key is None:
        raise KeyNotFound(prefix)
    key.revoked_at = dt.datetime.now(dt.UTC)
    return key


def authenticate(session: Session, text: str | None) -> Principal:
    """The principal of an active key; NotAuthenticated when there is none."""
    if not text:
        raise NotAuthenticated("This request needs an API key: send `Authorization: Bearer <key>`.")
    key = session.scalar(select(ApiKey).where(ApiKey.key_hash == _hash(text), ApiKey.revoked_at.is_(None)))
    if key is None:
        raise NotAuthenticated("The API key is unknown or revoked.")
    role = next((role for role in ROLES if role == key.role), None)
    if role is None:
        raise NotAuthenticated(f"The API key has an unknown role {key.role!r}.")
    return Principal(key.prefix, role, key.institution_id, key.portal_id)
