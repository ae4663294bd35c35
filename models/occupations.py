"""The NOC 2021 classification: hierarchy, example job titles, unit-group profiles, concordance."""

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class NocClass(Base):
    """One class of the NOC 2021 hierarchy, from broad category (level 1) to unit group (level 5)."""

    __tablename__ = "noc_class"

    code: Mapped[str] = mapped_column(String(5), primary_key=True)
    level: Mapped[int] = mapped_column(Integer, index=True)
    level_name: Mapped[str] = mapped_column(String(40))
    title_en: Mapped[str] = mapped_column(String(300))
    title_fr: Mapped[str | None] = mapped_column(String(400))
    definition_en: Mapped[str | None] = mapped_column(Text)
    parent_code: Mapped[str | None] = mapped_column(ForeignKey("noc_class.code"), index=True)
    broad_category_code: Mapped[str] = mapped_column(String(1), index=True)
    teer: Mapped[int | None] = mapped_column(Integer, index=True)
    teer_label_en: Mapped[str | None] = mapped_column(String(300))


class JobTitle(Base):
    """An example job title of a unit group, in English or French."""

    __tablename__ = "job_title"
    __table_args__ = (Index("ix_job_title_noc_code_lang", "noc_code", "lang"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"))
    lang: Mapped[str] = mapped_column(String(2))
    title: Mapped[str] = mapped_column(String(400))


class UnitGroupElement(Base):
    """One line of a unit-group profile: a main duty, an employment requirement, an inclusion…"""

    __tablename__ = "unit_group_element"
    __table_args__ = (Index("ix_unit_group_element_noc_code_type", "noc_code", "element_type"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    noc_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"))
    element_type: Mapped[str] = mapped_column(String(40))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)


class ConcordanceLink(Base):
    """One row of the official NOC 2016 V1.3 ↔ NOC 2021 V1.0 concordance."""

    __tablename__ = "noc_concordance"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    noc2016_code: Mapped[str] = mapped_column(String(4), index=True)
    noc2016_title: Mapped[str] = mapped_column(String(300))
    noc2021_code: Mapped[str] = mapped_column(ForeignKey("noc_class.code"), index=True)
    noc2021_title: Mapped[str] = mapped_column(String(300))
    change_type: Mapped[str] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(Text)
