"""NOC 2016 ↔ NOC 2021 through the official concordance."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import InstrumentedAttribute, Session

from labour_market.codes import NOC2016_UNIT_GROUP, NOC2021_UNIT_GROUP
from labour_market.exceptions import CrosswalkCodeNotFound
from labour_market.language import Language, pick
from models.occupations import ConcordanceLink, NocClass

NOC2016_VERSION = "NOC 2016 V1.3"
NOC2021_VERSION = "NOC 2021 V1.0"


@dataclass(frozen=True)
class CrosswalkLink:
    code: str
    title: str
    change_type: str
    note: str | None
    title_fr: str | None = None


@dataclass(frozen=True)
class Crosswalk:
    from_version: str
    code: str
    title: str
    to_version: str
    links: list[CrosswalkLink]


def noc2021_successors(session: Session, code: str, lang: Language) -> Crosswalk:
    """The NOC 2021 unit groups a NOC 2016 unit group became."""
    links = _links(session, ConcordanceLink.noc2016_code, code)
    if not links:
        raise CrosswalkCodeNotFound(code, "noc2016", "noc2021" if NOC2021_UNIT_GROUP.fullmatch(code) else None)
    titles_fr = _french_titles(session, [link.noc2021_code for link in links])
    return Crosswalk(
        from_version=NOC2016_VERSION,
        code=code,
        title=links[0].noc2016_title,
        to_version=NOC2021_VERSION,
        links=[
            CrosswalkLink(
                code=link.noc2021_code,
                title=pick(lang, link.noc2021_title, titles_fr.get(link.noc2021_code)),
                title_fr=titles_fr.get(link.noc2021_code),
                change_type=link.change_type,
                note=link.note,
            )
            for link in links
        ],
    )


def noc2016_predecessors(session: Session, code: str, lang: Language) -> Crosswalk:
    """The NOC 2016 unit groups a NOC 2021 unit group came from."""
    links = _links(session, ConcordanceLink.noc2021_code, code)
    if not links:
        raise CrosswalkCodeNotFound(code, "noc2021", "noc2016" if NOC2016_UNIT_GROUP.fullmatch(code) else None)
    title_fr = _french_titles(session, [code]).get(code)
    return Crosswalk(
        from_version=NOC2021_VERSION,
        code=code,
        title=pick(lang, links[0].noc2021_title, title_fr),
        to_version=NOC2016_VERSION,
        links=[
            CrosswalkLink(
                code=link.noc2016_code, title=link.noc2016_title, change_type=link.change_type, note=link.note
            )
            for link in links
        ],
    )


def _links(session: Session, column: InstrumentedAttribute[str], code: str) -> list[ConcordanceLink]:
    return list(session.scalars(select(ConcordanceLink).where(column == code).order_by(ConcordanceLink.id)))


def _french_titles(session: Session, codes: list[str]) -> dict[str, str | None]:
    rows = session.execute(select(NocClass.code, NocClass.title_fr).where(NocClass.code.in_(codes)))
    return dict(rows.all())
