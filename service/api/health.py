"""Liveness (`/healthz`) and readiness (`/readyz`: database reachable, reference data imported,
matcher loaded)."""

from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from labour_market.provenance import missing_sources
from service.api.responses import problem_responses
from service.http.dependencies import DbSession
from service.problems import NotReady

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: Literal["ok"]


class Readiness(BaseModel):
    status: Literal["ready"]


@router.get("/healthz", summary="The process is up")
def healthz() -> Health:
    return Health(status="ok")


@router.get(
    "/readyz",
    summary="The database answers, the reference data is imported and the matcher loaded",
    responses=problem_responses(503),
)
def readyz(request: Request, session: DbSession) -> Readiness:
    try:
        session.execute(text("SELECT 1"))
        missing = missing_sources(session)
    except SQLAlchemyError as error:
        raise NotReady(f"the database is unreachable or not migrated: {type(error).__name__}") from None
    if missing:
        raise NotReady("reference data is not imported; run `lmi import-reference`", missing_sources=missing)
    if request.app.state.matcher is None:
        raise NotReady(
            "the matcher is not loaded: the reference data was not imported when the service started; restart it"
        )
    return Readiness(status="ready")
