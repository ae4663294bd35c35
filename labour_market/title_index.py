"""The published titles a job-title matcher searches, read as plain values."""

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from models.occupations import ConcordanceLink, JobTitle, NocClass


@dataclass(frozen=True)
class TitleIndexRows:
    unit_groups: list[tuple[str, str, str, int]]  # (code, English title, French title, TEER)
    titles: list[tuple[str, str, str]]  # (noc_code, lang, title)
    concordance: list[tuple[str, str]]  # (noc2016_code, noc2021_code)


def read_title_index(session: Session) -> TitleIndexRows:
    """Unit groups by code, example titles and concordance rows in file order."""
    unit_groups = [
        (code, title_en, title_fr or title_en, teer or 0)
        for code, title_en, title_fr, teer in session.execute(
            select(NocClass.code, NocClass.title_en, NocClass.title_fr, NocClass.teer)
            .where(NocClass.level == 5)
            .order_by(NocClass.code)
        )
    ]
    # Through the session's connection: 57,000 plain rows skip the ORM's row processing.
    titles = session.connection().execute(
        select(JobTitle.noc_code, JobTitle.lang, JobTitle.title).order_by(JobTitle.id)
    )
    concordance = session.execute(
        select(ConcordanceLink.noc2016_code, ConcordanceLink.noc2021_code).order_by(ConcordanceLink.id)
    )
    return TitleIndexRows(
        unit_groups,
        [(code, lang, title) for code, lang, title in titles],
        [(old, new) for old, new in concordance],
    )
