"""COPS 2024–2033 national projections."""

from sqlalchemy import Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class OccupationOutlook(Base):
    """One COPS row: a unit group, or an aggregate (all occupations, a TEER, a broad category)."""

    __tablename__ = "occupation_outlook"

    code: Mapped[str] = mapped_column(String(10), primary_key=True)
    scope: Mapped[str] = mapped_column(String(20))
    noc_code: Mapped[str | None] = mapped_column(ForeignKey("noc_class.code"), unique=True)
    name_en: Mapped[str] = mapped_column(String(300))
    name_fr: Mapped[str] = mapped_column(String(400))
    employment_2023: Mapped[float | None] = mapped_column(Float)
    employment_growth: Mapped[float | None] = mapped_column(Float)
    retirements: Mapped[float | None] = mapped_column(Float)
    other_replacement: Mapped[float | None] = mapped_column(Float)
    job_openings: Mapped[float | None] = mapped_column(Float)
    school_leavers: Mapped[float | None] = mapped_column(Float)
    immigration: Mapped[float | None] = mapped_column(Float)
    other_seekers: Mapped[float | None] = mapped_column(Float)
    job_seekers: Mapped[float | None] = mapped_column(Float)
    recent_conditions_en: Mapped[str | None] = mapped_column(String(60))
    recent_conditions_fr: Mapped[str | None] = mapped_column(String(60))
    future_conditions_en: Mapped[str | None] = mapped_column(String(60))
    future_conditions_fr: Mapped[str | None] = mapped_column(String(60))
