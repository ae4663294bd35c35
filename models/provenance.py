"""Where every imported row came from."""

import datetime as dt

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.types import UtcDateTime


class SourceFile(Base):
    """One imported source file: its path in the data directory, checksum, row count and licence."""

    __tablename__ = "source_file"

    path: Mapped[str] = mapped_column(String(300), primary_key=True)
    source: Mapped[str] = mapped_column(String(40), index=True)
    title: Mapped[str] = mapped_column(String(300))
    sha256: Mapped[str] = mapped_column(String(64))
    rows: Mapped[int] = mapped_column(Integer)
    imported_at: Mapped[dt.datetime] = mapped_column(UtcDateTime)
    publisher: Mapped[str] = mapped_column(String(200))
    licence: Mapped[str] = mapped_column(String(200))
    licence_url: Mapped[str | None] = mapped_column(String(300))
