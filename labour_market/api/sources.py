"""`/v1/meta/sources`: provenance of every imported file and the licence attribution."""

from fastapi import APIRouter, Request, Response
from sqlalchemy import select

from labour_market.api.schemas import SourceOut, SourcesOut
from labour_market.importing.sources import OGL_ATTRIBUTION, SOURCE_KEYS
from models.provenance import SourceFile
from service.dependencies import AppSettings, DbSession
from service.http_cache import cached_json

router = APIRouter(prefix="/meta", tags=["meta"])
OGL_ATTRIBUTION_FR = "Contient des informations autorisées en vertu de la Licence du gouvernement ouvert – Canada."


@router.get("/sources", response_model=SourcesOut, summary="Provenance of the reference data and its licence")
def list_sources(request: Request, session: DbSession, settings: AppSettings) -> Response:
    files = sorted(session.scalars(select(SourceFile)), key=lambda f: (SOURCE_KEYS.index(f.source), f.path))
    body = SourcesOut(
        attribution=OGL_ATTRIBUTION,
        attribution_fr=OGL_ATTRIBUTION_FR,
        sources=[
            SourceOut(
                source=f.source,
                path=f.path,
                title=f.title,
                publisher=f.publisher,
                licence=f.licence,
                licence_url=f.licence_url,
                sha256=f.sha256,
                rows=f.rows,
                imported_at=f.imported_at,
            )
            for f in files
        ],
    )
    return cached_json(request, body, settings.cache_max_age)
