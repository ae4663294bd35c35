"""Portals: the sites that show the service's recommendations to their users and send their events
with a key of their own. A portal is named, or is an institution's (one per institution)."""

import datetime as dt

from slugify import slugify
from sqlalchemy import select
from sqlalchemy.orm import Session

from accounts.exceptions import InvalidSlug, PortalNotFound
from accounts.institutions import SLUG, by_id_or_slug
from models.accounts import Institution, Portal


def portal_named(session: Session, name: str) -> Portal:
    """The portal of this name (its slug), made now if there is none. Flushed, not committed."""
    slug = slugify(name, max_length=60, word_boundary=True)
    if not SLUG.fullmatch(slug):
        raise InvalidSlug(slug)
    found = session.scalar(select(Portal).where(Portal.slug == slug))
    return found or _add(session, Portal(slug=slug, name=name.strip(), created_at=dt.datetime.now(dt.UTC)))


def portal_of_institution(session: Session, institution: Institution) -> Portal:
    """The institution's portal, made now if it has none. Flushed, not committed."""
    found = session.scalar(select(Portal).where(Portal.institution_id == institution.id))
    if found is not None:
        return found
    slug = institution.slug
    if session.scalar(select(Portal.id).where(Portal.slug == slug)) is not None:
        slug = f"{slug[:50]}-{institution.id}"
    portal = Portal(slug=slug, name=institution.name, institution_id=institution.id, created_at=dt.datetime.now(dt.UTC))
    return _add(session, portal)


def find_portal(session: Session, reference: str) -> Portal:
    """By numeric id or by slug."""
    portal = by_id_or_slug(session, Portal, reference)
    if portal is None:
        raise PortalNotFound(reference.strip())
    return portal


def list_portals(session: Session) -> list[Portal]:
    return list(session.scalars(select(Portal).order_by(Portal.id)))


def _add(session: Session, portal: Portal) -> Portal:
    session.add(portal)
    session.flush()
    return portal
