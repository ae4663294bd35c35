"""`Accept: text/csv` answers, safe to open in a spreadsheet: a cell that would start a formula
(= + - @ and the like, escaped by defusedcsv; a leading tab or carriage return too) is prefixed with
an apostrophe; numbers stay numbers."""

import io
from collections.abc import Iterable, Mapping
from typing import Any

from defusedcsv import csv
from fastapi import Request
from fastapi.responses import Response

CSV_MEDIA_TYPE = "text/csv"


def wants_csv(request: Request) -> bool:
    accepted = [part.split(";")[0].strip().lower() for part in request.headers.get("accept", "").split(",")]
    return CSV_MEDIA_TYPE in accepted and "application/json" not in accepted[: accepted.index(CSV_MEDIA_TYPE)]


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value[:1] in ("\t", "\r"):
        return "'" + value
    return "" if value is None else value


def csv_response(rows: Iterable[Mapping[str, Any]], columns: list[str], filename: str, disclosure: str) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return Response(
        buffer.getvalue(),
        media_type=f"{CSV_MEDIA_TYPE}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "LMI-Disclosure": disclosure},
    )
