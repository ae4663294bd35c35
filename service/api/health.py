"""Liveness (`/healthz`) and readiness (`/readyz`: database reachable, reference data imported,
models loaded, nothing still building)."""

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from labour_market.provenance import missing_sources
from service.api.responses import problem_responses
from service.http.dependencies import AppModels, DbSession
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
    summary="The database answers, the reference data is imported and the models are loaded and whole",
    responses=problem_responses(503),
)
def readyz(session: DbSession, models: AppModels) -> Readiness:
    try:
        session.execute(text("SELECT 1"))
        missing = missing_sources(session)
    except SQLAlchemyError as error:
        raise NotReady(f"the database is unreachable or not migrated: {type(error).__name__}") from None
    if missing:
        raise NotReady("reference data is not imported; run `lmi import-reference`", missing_sources=missing)
    if models.building:
        raise NotReady(
            f"still building {' and '.join(models.building)} (a first start, or the model or the reference data "
            "changed); job-title search answers meanwhile from the words alone, recommendations after",
            building=list(models.building),
        )
    if models.failed:
        raise NotReady(f"building the models failed ({models.failed}); see the log, then restart the service")
    if models.matcher is None:
        raise NotReady(
            "the matcher is not loaded: the reference data was not imported when the service started; restart it"
        )
    return Readiness(status="ready")
