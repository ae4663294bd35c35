"""Start-up wiring of the domains: the matcher's lexicon read from the reference database, then the
matcher and the title suggester (from the snapshot of their structures in the index directory, built
and written there when it is missing or stale); the skill space that tags courses and ranks them.
Used by the service's lifespan and by the `lmi` commands."""

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from analytics.links import stored_secret
from analytics.retention import purge_before, retention_cutoff
from careers.career_space import load_career_space
from careers.search import CareerSearch
from catalog.retagging import retag_stale
from catalog.skill_space import SkillSpace, load_skill_space
from labour_market.title_index import read_title_index
from matching.assembly import assemble_from_snapshot
from matching.embeddings import Embedder, create_embedder
from matching.engine import Matcher
from matching.esco import ESCO_OCCUPATIONS_FILE
from matching.lexicon import Lexicon, LexiconSources, UnitGroup
from matching.scheduling import ScheduledEmbedder, worker_for
from matching.snapshot import MatchingSnapshot, load_or_build
from matching.suggest import TitleSuggester
from models.leases import release_lease, take_lease
from recommendations.recommend import Recommender
from service.state import SKILL_SPACE, TITLE_INDEX, ServiceModels

logger = logging.getLogger(__name__)
PROCESS = f"{socket.gethostname()[:60]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"  # who holds a lease
RETAG_LEASE, RETAG_LEASE_SECONDS = "retag", 15 * 60.0
PURGE_LEASE, PURGE_LEASE_SECONDS = "purge", 23 * 3600.0

NOT_IMPORTED = "reference data not imported; run `lmi import-reference`"
DEFAULT_SKILL_BACKEND = "e5"


@dataclass(frozen=True)
class MatchingResources:
    matcher: Matcher
    suggester: TitleSuggester

    def close(self) -> None:
        self.matcher.close()


def read_lexicon_sources(session: Session) -> LexiconSources:
    """The matcher's input, as plain values, from the reference database."""
    rows = read_title_index(session)
    return LexiconSources([UnitGroup(*group) for group in rows.unit_groups], rows.titles, rows.concordance)


def read_imported_sources(session_factory: sessionmaker[Session]) -> LexiconSources | None:
    """The lexicon's rows, or None (logged) when the database has no tables or no unit groups yet."""
    try:
        with session_factory() as session:
            sources = read_lexicon_sources(session)
    except SQLAlchemyError as error:
        logger.warning("job-title search is unavailable: the database is not migrated (%s)", type(error).__name__)
        return None
    if not sources.unit_groups:
        logger.warning("job-title search is unavailable: %s, then restart", NOT_IMPORTED)
        return None
    return sources


def read_lexicon(session_factory: sessionmaker[Session]) -> Lexicon | None:
    """The lexicon, or None (logged) when the database has no tables or no unit groups yet."""
    sources = read_imported_sources(session_factory)
    return None if sources is None else sources.build()


def read_matching_snapshot(session_factory: sessionmaker[Session], index_dir: Path) -> MatchingSnapshot | None:
    """The matcher's word structures over the imported titles, from their snapshot in `index_dir`
    (built and written there when it is missing or stale); None (logged) when nothing is imported."""
    sources = read_imported_sources(session_factory)
    return None if sources is None else load_or_build(sources, index_dir)


def load_matching(
    session_factory: sessionmaker[Session],
    backend: str,
    index_dir: Path,
    data_dir: Path,
    progress: bool = True,
    threads: int | None = None,
) -> MatchingResources | None:
    """Matcher and suggester over the imported titles, with ESCO's occupation titles of `data_dir`
    as lower-confidence evidence; None when nothing is imported.

    CPU-bound: the first call builds the word structures (seconds) and, with an embedding backend,
    embeds every title (minutes) and links ESCO's occupations to NOC (a minute), and caches all of
    it in `index_dir`; later calls load them.
    """
    snapshot = read_matching_snapshot(session_factory, index_dir)
    if snapshot is None:
        return None
    matcher = assemble_from_snapshot(
        snapshot, backend, index_dir, progress=progress, esco_file=data_dir / ESCO_OCCUPATIONS_FILE, threads=threads
    )
    return MatchingResources(matcher, snapshot.suggester)


def load_skill_space_for(
    session_factory: sessionmaker[Session],
    data_dir: Path,
    embedder: Embedder | None,
    index_dir: Path,
    progress: bool = False,
    batch: Embedder | None = None,
) -> SkillSpace | None:
    """The skill space for tagging and recommending; None (logged) when nothing is imported. People's
    requests embed with `embedder` (by default e5); tagging, and what the first start embeds (the ESCO
    skills and the occupations, a minute or two; later starts load them from `index_dir`), with `batch`
    (by default the same)."""
    embedder = embedder or create_embedder(DEFAULT_SKILL_BACKEND, index_dir)
    try:
        space = load_skill_space(session_factory, data_dir, embedder, index_dir, progress, batch_embedder=batch)
    except SQLAlchemyError as error:
        logger.warning("recommendations are unavailable: the database is not migrated (%s)", type(error).__name__)
        return None
    if space is None:
        logger.warning("recommendations are unavailable: %s, then restart", NOT_IMPORTED)
    return space


def load_models(
    session_factory: sessionmaker[Session],
    backend: str,
    index_dir: Path,
    data_dir: Path,
    max_institution_share: float,
    on_step: Callable[[tuple[str, ...]], object] = lambda building: None,
    threads: int | None = None,
) -> ServiceModels:
    """The matcher, the suggester, the skill space and the recommender (empty when nothing is
    imported). Everything embeds on one worker, people's requests first: the matcher's, or with words-
    only matching one of e5's own, with `threads` (None: the runtime's default, every core). `on_step` is
    told what is still to build as each part begins."""
    on_step((TITLE_INDEX, SKILL_SPACE))
    matching = load_matching(session_factory, backend, index_dir, data_dir, threads=threads)
    if matching is None:
        return ServiceModels()
    on_step((SKILL_SPACE,))
    worker = None
    people = matching.matcher.scheduled_embedder(background=False)
    batch = matching.matcher.scheduled_embedder(background=True)
    if people is None or batch is None:
        embedder = create_embedder(DEFAULT_SKILL_BACKEND, index_dir, threads=threads)
        worker = worker_for(embedder, embedder.dimension, "skill-embedding")
        people = ScheduledEmbedder(worker, embedder.name, embedder.dimension, background=False)
        batch = ScheduledEmbedder(worker, embedder.name, embedder.dimension, background=True)
    try:
        space = load_skill_space_for(session_factory, data_dir, people, index_dir, batch=batch)
    except BaseException:
        matching.close()
        if worker is not None:
            worker.close()
        raise
    careers = None
    if space is not None:
        careers = CareerSearch(load_career_space(session_factory, space, data_dir, index_dir), matching.matcher)
    recommender = Recommender(matching.matcher, space, max_institution_share, careers=careers) if space else None
    return ServiceModels(matching.matcher, matching.suggester, space, recommender, careers, skill_worker=worker)


def retag_stale_catalogs(session_factory: sessionmaker[Session], space: SkillSpace) -> int:
    """Tag again every active catalog tagged under another skill space; returns the course count. One
    process of the service's many does it (the holder of the lease `retag`, renewed as it goes); the
    others skip it."""
    if not take_lease(session_factory, RETAG_LEASE, PROCESS, RETAG_LEASE_SECONDS):
        logger.info("another process of the service re-tags the stale catalogs")
        return 0

    def retagged(version_id: int, courses: int) -> None:
        logger.info("re-tagged catalog version %d (%d courses, %s)", version_id, courses, space.key)
        take_lease(session_factory, RETAG_LEASE, PROCESS, RETAG_LEASE_SECONDS)

    try:
        return retag_stale(session_factory, space, retagged=retagged)
    finally:
        release_lease(session_factory, RETAG_LEASE, PROCESS)


def service_secret_for(session_factory: sessionmaker[Session], configured: str | None) -> str | None:
    """The service's secret (it signs the tracked links and fixes the analytics' rounding): the
    configured one, else the one kept in the database (made on the first run). None when the database
    is not migrated yet."""
    if configured:
        return configured
    try:
        with session_factory() as session:
            return stored_secret(session)
    except SQLAlchemyError as error:
        logger.warning("tracked links and analytics are unavailable: %s", error)
        return None


def purge_old_events(session_factory: sessionmaker[Session], retention_days: int) -> int:
    """Delete the events past their retention period, once a day across the service's processes (the
    holder of the lease `purge`, kept for most of a day, does it)."""
    if not take_lease(session_factory, PURGE_LEASE, PROCESS, PURGE_LEASE_SECONDS):
        return 0
    with session_factory() as session:
        purged = purge_before(session, retention_cutoff(retention_days))
    if purged:
        logger.info("deleted %d events older than %d days", purged, retention_days)
    return purged
