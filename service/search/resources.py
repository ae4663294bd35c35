"""The matching resources (matcher and title suggester), built once from the reference database."""

import logging
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from matching.assembly import assemble_matcher
from matching.engine import Matcher
from matching.lexicon import Lexicon, load_lexicon
from matching.suggest import TitleSuggester

logger = logging.getLogger(__name__)

NOT_IMPORTED = "reference data not imported; run `lmi import-reference`"


@dataclass(frozen=True)
class MatchingResources:
    matcher: Matcher
    suggester: TitleSuggester


def read_lexicon(session_factory: sessionmaker[Session]) -> Lexicon | None:
    """The lexicon, or None (logged) when the database has no tables or no unit groups yet."""
    try:
        with session_factory() as session:
            lexicon = load_lexicon(session)
    except SQLAlchemyError as error:
        logger.warning("job-title search is unavailable: the database is not migrated (%s)", type(error).__name__)
        return None
    if not lexicon.unit_groups:
        logger.warning("job-title search is unavailable: %s, then restart", NOT_IMPORTED)
        return None
    return lexicon


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
