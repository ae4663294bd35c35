"""Liveness (`/healthz`) and readiness (`/readyz`: database reachable, reference data imported)."""

from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from labour_market.importing.runner import missing_sources
from service.dependencies import DbSession
from service.problems import ProblemError

router = APIRouter(tags=["health"])


class NotReady(ProblemError):
    status = 503
    problem_type = "not-ready"
    title = "Service not ready"


@router.get("/healthz", summary="The process is up")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", summary="The database answers and the reference data is imported")
def readyz(session: DbSession) -> dict[str, object]:
    try:
        session.execute(text("SELECT 1"))
        missing = missing_sources(session)
    except SQLAlchemyError as error:
        raise NotReady(f"the database is unreachable or not migrated: {type(error).__name__}") from None
    if missing:
        raise NotReady("reference data is not imported; run `lmi import-reference`", missing_sources=missing)
    return {"status": "ready"}
