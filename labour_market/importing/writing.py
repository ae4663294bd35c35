"""Writing parsed rows: replace a leaf table's rows, or sync a referenced table by primary key."""

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, delete, insert, inspect, select
from sqlalchemy.orm import Session

from models.base import Base

Progress = Callable[[int], None]
Loader = Callable[[Session, Path, Progress], dict[str, int]]
"""Writes one source into the session and returns the number of data rows read from each file."""
CHUNK_ROWS = 5000


def replace_rows(
    session: Session,
    model: type[Base],
    rows: Sequence[dict[str, Any]],
    progress: Progress,
    where: ColumnElement[bool] | None = None,
) -> None:
    """Delete the model's rows (those matching `where`, if given) and insert `rows` in chunks."""
    statement = delete(model) if where is None else delete(model).where(where)
    session.execute(statement)
    for start in range(0, len(rows), CHUNK_ROWS):
        chunk = rows[start : start + CHUNK_ROWS]
        session.execute(insert(model), list(chunk))
        progress(len(chunk))


def sync_rows(session: Session, model: type[Base], rows: Sequence[dict[str, Any]], progress: Progress) -> None:
    """Make the table hold exactly `rows`, updating in place so that rows referenced elsewhere survive.

    Rows are inserted in the given order, so a parent listed before its children satisfies a
    self-referencing foreign key.
    """
    key_columns = [str(column.key) for column in inspect(model).primary_key]

    def key_of(values: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(values[name] for name in key_columns)

    existing = {key_of(_as_dict(obj, key_columns)): obj for obj in session.scalars(select(model))}
    wanted_keys = set()
    for values in rows:
        key = key_of(values)
        wanted_keys.add(key)
        current = existing.get(key)
        if current is None:
            session.add(model(**values))
        else:
            for name, value in values.items():
                setattr(current, name, value)
    session.flush()
    # Obsolete rows go children first: in these tables a child's code is longer than its parent's.
    obsolete = sorted((key for key in existing if key not in wanted_keys), key=lambda k: -len(str(k)))
    for key in obsolete:
        session.delete(existing[key])
        session.flush()
    progress(len(rows))


def _as_dict(obj: Base, names: list[str]) -> dict[str, Any]:
    return {name: getattr(obj, name) for name in names}
