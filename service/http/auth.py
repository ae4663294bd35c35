"""The principal of a request: its `Authorization: Bearer <key>`, checked against the stored keys."""

from typing import Annotated

from fastapi import Depends, Header

from accounts.keys import Principal, authenticate
from service.http.dependencies import DbSession


def current_principal(
    session: DbSession,
    authorization: Annotated[str | None, Header(description="`Bearer <API key>`")] = None,
) -> Principal:
    scheme, _, key = (authorization or "").partition(" ")
    return authenticate(session, key.strip() if scheme.lower() == "bearer" else None)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
