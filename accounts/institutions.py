"""Creating and finding institutions."""

import datetime as dt
import re
from typing import TypeVar

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.exceptions import DuplicateInstitution, InstitutionNotFound, InvalidSlug
from models.accounts import Institution, Portal

Named = TypeVar("Named", Institution, Portal)
SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?")


def create_institution(session: Session, name: str, slug: str | None = None) -> Institution:
    """A new institution; its slug (the name's, unless given) must be free. Flushed, not committed."""
    slug = slug if slug is not None else slugify(name, max_length=60, word_boundary=True)
    if not SLUG.fullmatch(slug):
        raise InvalidSlug(slug)
    if session.scalar(select(Institution.id).where(Institution.slug == slug)) is not None:
        raise DuplicateInstitution(slug)
    institution = Institution(slug=slug, name=name.strip(), created_at=dt.datetime.now(dt.UTC))
    session.add(institution)
    session.flush()
    return institution


def find_institution(session: Session, reference: str) -> Institution:
    """By numeric id or by slug."""
    institution = by_id_or_slug(session, Institution, reference)
    if institution is None:
        raise InstitutionNotFound(reference.strip())
    return institution


def by_id_or_slug(session: Session, model: type[Named], reference: str) -> Named | None:
    """The row of `model` (an institution, a portal) whose numeric id or slug `reference` is."""
    reference = reference.strip()
    if reference.isascii() and reference.isdigit() and len(reference) < 10:
        return session.get(model, int(reference))
    return session.scalar(select(model).where(model.slug == reference.lower()))


def list_institutions(session: Session) -> list[Institution]:
    return list(session.scalars(select(Institution).order_by(Institution.id)))
