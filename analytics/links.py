"""Tracked links: `/r/{token}`, where the token names an impression and is signed with the service's
secret (HMAC-SHA256). The target is read from the impression stored on the server, never from the
request, so a link cannot be made to send anyone elsewhere."""

import base64
import datetime as dt
import hashlib
import hmac
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from analytics.exceptions import UnknownLink
from models.events import ServiceSecret

SECRET_NAME = "tracked-link-key"
SIGNATURE_BYTES = 16


class LinkSigner:
    def __init__(self, secret: str):
        if len(secret) < 16:
            raise ValueError("the tracked-link secret must have at least 16 characters")
        self._key = secret.encode()

    def _signature(self, impression_id: str) -> str:
        digest = hmac.new(self._key, impression_id.encode(), hashlib.sha256).digest()[:SIGNATURE_BYTES]
        return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()

    def token(self, impression_id: str) -> str:
        return f"{impression_id}.{self._signature(impression_id)}"

    def impression_of(self, token: str) -> str:
        """The impression a token names; UnknownLink when it was not signed with this secret."""
        impression_id, _, signature = token.rpartition(".")
        if not impression_id or not hmac.compare_digest(signature.encode(), self._signature(impression_id).encode()):
            raise UnknownLink()
        return impression_id


def stored_secret(session: Session) -> str:
    """The secret generated on the first run (kept in the database so that every process, and every
    restart, signs alike); made now if there is none. Commits."""
    found = session.get(ServiceSecret, SECRET_NAME)
    if found is not None:
        return found.value
    session.add(ServiceSecret(name=SECRET_NAME, value=secrets.token_urlsafe(32), created_at=dt.datetime.now(dt.UTC)))
    try:
        session.commit()
    except IntegrityError:  # another process made it first
        session.rollback()
    value = session.scalar(select(ServiceSecret.value).where(ServiceSecret.name == SECRET_NAME))
    assert value is not None
    return value
