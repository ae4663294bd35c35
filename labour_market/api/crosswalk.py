"""`/v1/crosswalk`: NOC 2016 ↔ NOC 2021 through the official concordance."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.api.schemas import CrosswalkLinkOut, CrosswalkOut
from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from labour_market.exceptions import CrosswalkCodeNotFound
from models.occupations import ConcordanceLink, NocClass
from service.dependencies import AppSettings, DbSession
from service.http_cache import cached_json
from service.language import Language, response_language

router = APIRouter(prefix="/crosswalk", tags=["crosswalk"])
ResponseLanguage = Annotated[Language, Depends(response_language)]


def _links(session: Session, column: object, code: str) -> list[ConcordanceLink]:
    return list(session.scalars(select(ConcordanceLink).where(column == code).order_by(ConcordanceLink.id)))


@router.get("/noc2016/{code}", response_model=CrosswalkOut, summary="NOC 2021 successors of a NOC 2016 code")
def from_noc2016(request: Request, session: DbSession, settings: AppSettings, lang: ResponseLanguage, code: str) -> Response:
    links = _links(session, ConcordanceLink.noc2016_code, code)
    if not links:
        hint = (
            f"{code} looks like a NOC 2021 code; see /v1/crosswalk/noc2021/{code}"
            if NOC2021_UNIT_GROUP.fullmatch(code)
            else "NOC 2016 unit group codes have four digits, such as 3012"
        )
        raise CrosswalkCodeNotFound(f"{code} is not a NOC 2016 V1.3 unit group of the concordance. {hint}.")
    successor_codes = [link.noc2021_code for link in links]
    titles_fr = {
        code: title_fr
        for code, title_fr in session.execute(
            select(NocClass.code, NocClass.title_fr).where(NocClass.code.in_(successor_codes))
        )
    }
    body = CrosswalkOut(
        from_version="NOC 2016 V1.3",
        code=code,
        title=links[0].noc2016_title,
        to_version="NOC 2021 V1.0",
        links=[
            CrosswalkLinkOut(
                code=link.noc2021_code,
                title=(titles_fr.get(link.noc2021_code) or link.noc2021_title) if lang == "fr" else link.noc2021_title,
                title_fr=titles_fr.get(link.noc2021_code),
                change_type=link.change_type,
                note=link.note,
            )
            for link in links
        ],
    )
    return cached_json(request, body, settings.cache_max_age, lang)


@router.get("/noc2021/{code}", response_model=CrosswalkOut, summary="NOC 2016 predecessors of a NOC 2021 code")
def from_noc2021(request: Request, session: DbSession, settings: AppSettings, lang: ResponseLanguage, code: str) -> Response:
    links = _links(session, ConcordanceLink.noc2021_code, code)
    if not links:
        hint = (
            f"{code} looks like a NOC 2016 code; see /v1/crosswalk/noc2016/{code}"
            if NOC2016_UNIT_GROUP.fullmatch(code)
            else "NOC 2021 unit group codes have five digits, such as 31301"
        )
        raise CrosswalkCodeNotFound(f"{code} is not a NOC 2021 V1.0 unit group of the concordance. {hint}.")
    unit_group = session.get(NocClass, code)
    title_fr = unit_group.title_fr if unit_group else None
    body = CrosswalkOut(
        from_version="NOC 2021 V1.0",
        code=code,
        title=(title_fr or links[0].noc2021_title) if lang == "fr" else links[0].noc2021_title,
        to_version="NOC 2016 V1.3",
        links=[
            CrosswalkLinkOut(code=link.noc2016_code, title=link.noc2016_title, change_type=link.change_type, note=link.note)
            for link in links
        ],
    )
    return cached_json(request, body, settings.cache_max_age, lang)
