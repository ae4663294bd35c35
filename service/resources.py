"""Start-up wiring of the matching domain: its lexicon read from the reference database, then the
matcher and the title suggester. Used by the service's lifespan and by the `lmi` commands."""

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from labour_market.title_index import read_title_index
from matching.assembly import assemble_matcher
from matching.engine import Matcher
from matching.lexicon import Lexicon, LexiconSources, UnitGroup
from matching.suggest import TitleSuggester

logger = logging.getLogger(__name__)

NOT_IMPORTED = "reference data not imported; run `lmi import-reference`"


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


def read_lexicon(session_factory: sessionmaker[Session]) -> Lexicon | None:
    """The lexicon, or None (logged) when the database has no tables or no unit groups yet."""
    try:
        with session_factory() as session:
            sources = read_lexicon_sources(session)
    except SQLAlchemyError as error:
        logger.warning("job-title search is unavailable: the database is not migrated (%s)", type(error).__name__)
        return None
    if not sources.unit_groups:
        logger.warning("job-title search is unavailable: %s, then restart", NOT_IMPORTED)
        return None
    return sources.build()


def load_matching(
    session_factory: sessionmaker[Session], backend: str, index_dir: Path, progress: bool = True
) -> MatchingResources | None:
    """Matcher and suggester over the imported titles; None when nothing is imported.

    CPU-bound: with an embedding backend, the first call embeds every title (minutes) and caches
    the index in `index_dir`; later calls load it.
    """
    lexicon = read_lexicon(session_factory)
    if lexicon is None:
        return None
    matcher = assemble_matcher(lexicon, backend, index_dir, progress=progress)
    return MatchingResources(matcher, TitleSuggester.from_lexicon(lexicon))
