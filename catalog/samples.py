"""The four real sample catalogs in the data folder, each loaded as its own institution through the
ordinary upload (with a column mapping, so the files are not edited).

Rows the upload refuses are skipped and counted (Coursera lists some courses twice; edX has courses
taught in other languages than English and French). Where a file has no course link, one is built
from the provider's search or page address and marked as derived.

Costs and durations are read from the listings' text (`catalog.parsing`): edX's price is its verified
certificate's ("FREE-Add a Verified Certificate for $49 USD": the course is free to follow, the
certificate costs 49 US dollars, stored in Canadian dollars), its duration the weekly effort times the
length ("3–5 hours per week" for "6 Weeks": 30 hours, at the upper bounds). Coursera gives a length
only ("1 - 4 Weeks", "1 - 3 Months", "Less Than 2 Hours"): it is read at `COURSERA_HOURS_PER_WEEK`,
the pace Coursera's pages state for their professional certificates ("… at 10 hours a week"), more
than most single courses ask, so a Coursera duration errs long. Coursera gives no
price; VIU's "duration" holds the level of a degree ("Bachelor's", "Master's"), not a length, and
Polytechnique's file gives neither; no sample names financial aid.
"""

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from accounts.institutions import create_institution
from catalog.reading import Format
from catalog.retagging import retag_version
from catalog.skill_space import SkillSpace
from catalog.uploads import Progress, UploadResult, upload_catalog
from catalog.versions import active_version
from models.accounts import Institution

CATALOGS_DIR = "catalogs"
COURSERA_HOURS_PER_WEEK = 10


@dataclass(frozen=True)
class SampleCatalog:
    slug: str
    name: str
    path: str  # relative to the data folder
    file_format: Format
    mapping: Mapping[str, object]


SAMPLES: tuple[SampleCatalog, ...] = (
    SampleCatalog(
        "coursera",
        "Coursera",
        f"{CATALOGS_DIR}/coursera_courses_with_skills.csv",
        "csv",
        {
            "course_id": "{Institution} | {Title}",
            "title": "Title",
            "url": {"template": "https://www.coursera.org/search?query={Title}"},
            "skills": "Gained Skills",
            "provider": "Institution",
            "language": {"value": "en"},
            "delivery_mode": {"value": "online"},
            "duration_hours": {
                "column": "Duration",
                "parse": "duration_hours",
                "hours_per_week": COURSERA_HOURS_PER_WEEK,
            },
            "credential": {
                "column": "Learning Product",
                "values": {
                    "Course": "course",
                    "Specialization": "certificate",
                    "Professional Certificate": "certificate",
                    "Guided Project": "course",
                    "Project": "course",
                },
            },
        },
    ),
    SampleCatalog(
        "edx",
        "edX",
        f"{CATALOGS_DIR}/edx_courses.csv",
        "csv",
        {
            "course_id": "course_url",
            "title": "title",
            "url": "course_url",
            "description": "{summary} {course_description}",
            "provider": "institution",
            "language": "language",
            "delivery_mode": {"value": "online"},
            "credential": {"value": "course"},
            "cost_cad": {"column": "price", "parse": "cost_cad"},
            "duration_hours": {"template": "{course_effort} | {course_length}", "parse": "duration_hours"},
        },
    ),
    SampleCatalog(
        "viu",
        "Vancouver Island University",
        f"{CATALOGS_DIR}/viu_programs.json",
        "json",
        {
            "course_id": "nid",
            "title": "title",
            "url": {"template": "https://www.viu.ca/node/{nid}"},
            "skills": "viu_search_keywords",
            "noc_codes": "known_noc_groups",
            "credential": "credential",
            "language": {"value": "en"},
            "region": {"value": "BC"},
        },
    ),
    SampleCatalog(
        "polytechnique-montreal",
        "Polytechnique Montréal",
        f"{CATALOGS_DIR}/polymtl_courses_fr.csv",
        "csv",
        {
            "course_id": "course_code",
            "title": "title_fr",
            "url": {"template": "https://www.polymtl.ca/recherche?keys={course_code}"},
            "language": {"value": "fr"},
            "region": {"value": "QC"},
            "credential": {"value": "course"},
        },
    ),
)


@dataclass(frozen=True)
class SampleLoad:
    sample: SampleCatalog
    result: UploadResult | None  # None: already loaded from the same file and mapping


def sample_source(sample: SampleCatalog, content: bytes) -> str:
    """What an upload records as its source: the file and a digest of its bytes and mapping."""
    digest = hashlib.sha256(content + json.dumps(sample.mapping, sort_keys=True).encode()).hexdigest()[:16]
    return f"{sample.path} sha256:{digest}"


def load_sample(
    session_factory: sessionmaker[Session],
    data_dir: Path,
    sample: SampleCatalog,
    progress: Progress | None = None,
    skill_space: SkillSpace | None = None,
) -> SampleLoad:
    """Upload one sample catalog unless the institution already serves it (then only tag it again when
    it was tagged in another skill space). Owns its units of work, as `upload_catalog` does."""
    content = (data_dir / sample.path).read_bytes()
    source = sample_source(sample, content)
    with session_factory.begin() as session:
        institution = session.scalar(select(Institution).where(Institution.slug == sample.slug))
        if institution is None:
            institution = create_institution(session, sample.name, sample.slug)
        institution_id = institution.id
        current = active_version(session, institution)
        loaded = current is not None and current.source == source
        stale = current is not None and skill_space is not None and current.tagging_key != skill_space.key
        current_id = current.id if current is not None else None
    if loaded:
        if stale and skill_space is not None and current_id is not None:
            retag_version(session_factory, current_id, skill_space)  # same catalog, other model or reference data
        return SampleLoad(sample, None)
    result = upload_catalog(
        session_factory, institution_id, content, sample.file_format, mapping=sample.mapping, source=source,
        on_error="skip", progress=progress, skill_space=skill_space,
    )  # fmt: skip
    return SampleLoad(sample, result)
