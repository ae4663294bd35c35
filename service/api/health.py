"""Liveness (`/healthz`) and readiness (`/readyz`: database reachable and migrated to this code's
schema, reference data imported, models loaded, nothing still building; else a `not-ready` problem
saying which part is not, and why).
Readiness is also the `lmi_ready` metric."""

from typing import Any, Literal

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from labour_market.provenance import missing_sources
from models.schema_revision import schema_revision
from service.api.responses import problem_responses
from service.http.dependencies import AppModels, DbSession
from service.metrics import set_ready
from service.problems import NotReady
from service.state import ServiceModels

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
    problem = not_ready(session, models)
    set_ready(problem is None)
    if problem is not None:
        raise problem
    return Readiness(status="ready")


def not_ready(session: Session, models: ServiceModels) -> NotReady | None:
    """What is not ready, as the `not-ready` problem: each part's state in `checks` (`database`,
    `schema`, `reference_data`, `models`), a sentence per part that is not ready in `detail`; None when
    all are."""
    checks = {"database": "ok", "schema": "ok", "reference_data": "ok", "models": "ok"}
    problems: list[str] = []
    extensions: dict[str, Any] = {}
    try:
        revision = schema_revision(session)
        missing = missing_sources(session)
    except SQLAlchemyError as error:
        checks.update(database="unreachable or not migrated", schema="unknown", reference_data="unknown")
        problems.append(f"the database is unreachable or not migrated: {type(error).__name__}")
        missing = []
    else:
        if revision.state in ("behind", "not migrated"):
            checks["schema"] = revision.state
            problems.append(
                f"the database schema is at revision {revision.database or 'none'}, this code needs "
                f"{revision.code}; run `lmi migrate`"
            )
            extensions["schema_revision"] = {"database": revision.database, "code": revision.code}
    if missing:
        checks["reference_data"] = "missing"
        problems.append("reference data is not imported; run `lmi import-reference`")
        extensions["missing_sources"] = missing
    if models.building:
        checks["models"] = "building"
        problems.append(
            f"still building {' and '.join(models.building)} (a first start, or the model or the reference data "
            "changed); job-title search answers meanwhile from the words alone, recommendations after"
        )
        extensions["building"] = list(models.building)
    elif models.failed:
        checks["models"] = "failed"
        problems.append(f"building the models failed ({models.failed}); see the log, then restart the service")
    elif models.matcher is None:
        checks["models"] = "not loaded"
        problems.append(
            "the matcher is not loaded: the reference data was not imported when the service started; restart it"
        )
    if not problems:
        return None
    return NotReady("; ".join(problems), checks=checks, **extensions)
