"""The service's models: what the lifespan loads (or builds) and the routes use, in one typed value.

On a start with the indexes cached, the lifespan loads them in seconds and serves whole. On a first
start (or after the model or the reference data changed) they take minutes to build: the service
then answers at once with a matcher of the words alone, says so (`words_only` in search answers,
`/readyz` names what is still building, recommendations answer 503 until their skill space is
there), and swaps the whole models in when the build is done. The value is never changed in place:
a request reads one `ServiceModels` and sees either the stand-in or the whole models, never a mix.
"""

from dataclasses import dataclass, field

from careers.search import CareerSearch
from catalog.skill_space import SkillSpace
from matching.engine import Matcher
from matching.scheduling import EmbeddingScheduler
from matching.suggest import TitleSuggester
from recommendations.recommend import Recommender

TITLE_INDEX = "the job-title index"
SKILL_SPACE = "the skill space (ESCO skills, OaSIS descriptors, occupations and their duties)"


@dataclass(frozen=True)
class ServiceModels:
    matcher: Matcher | None = None
    suggester: TitleSuggester | None = None
    skill_space: SkillSpace | None = None
    recommender: Recommender | None = None
    careers: CareerSearch | None = None  # skills to occupations and career moves
    building: tuple[str, ...] = ()  # what is still being built, in the order it is built
    failed: str | None = None  # why the build failed, if it did
    # the skill space's embedding worker, when the matcher has none of its own (words-only matching)
    skill_worker: EmbeddingScheduler | None = field(default=None, repr=False)

    def close(self) -> None:
        if self.matcher is not None:
            self.matcher.close()
        if self.skill_worker is not None:
            self.skill_worker.close()


NOTHING_LOADED = ServiceModels()
