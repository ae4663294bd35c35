"""Codes already in the database, for checking references row by row with a line number."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from labour_market.importing.csv_source import CsvRow
from models.geography import Region
from models.occupations import NocClass


def unit_group_codes(session: Session) -> frozenset[str]:
    return frozenset(session.scalars(select(NocClass.code).where(NocClass.level == 5)))


def region_codes_by_wage_code(session: Session) -> dict[str, str]:
    return {wage_code: code for code, wage_code in session.execute(select(Region.code, Region.wage_code))}


def known_unit_group(row: CsvRow, column: str, code: str, known: frozenset[str]) -> str:
    if code not in known:
        raise row.error(column, f"{code!r} is not a NOC 2021 unit group (import the classification first)")
    return code
