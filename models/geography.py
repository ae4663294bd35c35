"""Canada, its provinces and territories, and their economic regions."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class Region(Base):
    """A Standard Geographical Classification area: ``00`` Canada, ``35`` Ontario, ``3530`` Toronto."""

    __tablename__ = "region"

    code: Mapped[str] = mapped_column(String(4), primary_key=True)
    level: Mapped[str] = mapped_column(String(20))
    name_en: Mapped[str] = mapped_column(String(200))
    name_fr: Mapped[str] = mapped_column(String(200))
    province_code: Mapped[str | None] = mapped_column(ForeignKey("region.code"), index=True)
    province_abbr: Mapped[str | None] = mapped_column(String(2))
    wage_code: Mapped[str] = mapped_column(String(6), unique=True)
    outlook_code: Mapped[str | None] = mapped_column(String(4))
