"""Two real sample catalogs for the recommendation tests: Vancouver Island University's programs (some
with NOC codes) and Polytechnique Montréal's French courses, uploaded and tagged through the sample
loader (a catalog already loaded from the same file is left as it is)."""

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from catalog.samples import SAMPLES, load_sample
from catalog.skill_space import SkillSpace
from tests.support.source_data import DATA_DIR

LOADED = ("viu", "polytechnique-montreal")


@pytest.fixture(scope="session")
def catalogs(reference_engine: Engine, skill_space: SkillSpace) -> None:
    with Session(reference_engine) as session:
        for sample in SAMPLES:
            if sample.slug in LOADED:
                load_sample(sessionmaker(reference_engine), DATA_DIR, sample, skill_space=skill_space)
                session.commit()
