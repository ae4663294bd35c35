"""Job Bank wages: 2025 national figures and 2016/2020/2024 hourly figures by region."""

import datetime as dt

from sqlalchemy import Date, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class NationalWage(Base):
    """Job Bank 2025 wage for Canada; ``low``/``median``/``high`` are null where suppressed."""

    __tablename__ = "national_wage"

    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"), primary_key=True)
    low: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(10))
    reference_period: Mapped[str | None] = mapped_column(String(20))
    source: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
    release_date: Mapped[dt.date | None] = mapped_column(Date)
    annual_pay_estimate: Mapped[float | None] = mapped_column(Float)


class RegionalWage(Base):
    """Hourly wage for one unit group, one region (Canada, a province or an economic region), one year."""

    __tablename__ = "regional_wage"

    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"), primary_key=True)
    region_code: Mapped[str] = mapped_column(ForeignKey("region.code"), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    low: Mapped[float | None] = mapped_column(Float)
    median: Mapped[float | None] = mapped_column(Float)
    high: Mapped[float | None] = mapped_column(Float)
    noc2016_codes: Mapped[str] = mapped_column(String(40))
