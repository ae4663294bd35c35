"""The principal of a request: its `Authorization: Bearer <key>`, checked against the stored keys."""

from typing import Annotated

from fastapi import Depends, Header

from accounts.keys import Principal, authenticate
from service.http.dependencies import DbSession


def current_principal(
    session: DbSession,
    authorization: Annotated[str | None, Header(description="`Bearer <API key>`")] = None,
) -> Principal:
    return authenticate(session, bearer_key(authorization))


def optional_principal(
    session: DbSession,
    authorization: Annotated[
        str | None, Header(description="`Bearer <API key>`: optional; a portal's key identifies its traffic")
    ] = None,
) -> Principal | None:
    """None without an `Authorization` header; a key that is sent must be valid (401 otherwise), so that a
    mistyped key is not silently taken for none."""
    return None if authorization is None else authenticate(session, bearer_key(authorization))


def bearer_key(authorization: str | None) -> str | None:
    scheme, _, key = (authorization or "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else None


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(optional_principal)]
