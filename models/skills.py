"""OaSIS ratings: per OaSIS profile as published, and derived per unit group."""

from sqlalchemy import Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class OasisProfileRating(Base):
    """A rating as published: one OaSIS profile (``31301.01``), one descriptor, one value."""

    __tablename__ = "oasis_profile_rating"
    __table_args__ = (Index("ix_oasis_profile_rating_noc_code_dimension", "noc_code", "dimension"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20))
    profile_code: Mapped[str] = mapped_column(String(8))
    profile_label: Mapped[str] = mapped_column(String(300))
    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"))
    descriptor: Mapped[str] = mapped_column(String(120))
    rating: Mapped[float] = mapped_column(Float)


class UnitGroupRating(Base):
    """One rating per unit group and descriptor: the mean over the unit group's OaSIS profiles."""

    __tablename__ = "unit_group_rating"

    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"), primary_key=True)
    dimension: Mapped[str] = mapped_column(String(20), primary_key=True)
    descriptor: Mapped[str] = mapped_column(String(120), primary_key=True)
    rating: Mapped[float] = mapped_column(Float)
    profile_count: Mapped[int] = mapped_column(Integer)
