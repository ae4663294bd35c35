"""The reference sources, in import order, with their publisher and licence."""

from dataclasses import dataclass

from labour_market.importing.loaders import (
    classification,
    concordance,
    elements,
    geography,
    job_titles,
    oasis,
    outlook,
    wages,
)
from labour_market.importing.writing import Loader

OGL_CANADA = "Open Government Licence – Canada"
OGL_CANADA_URL = "https://open.canada.ca/en/open-government-licence-canada"
OGL_ATTRIBUTION = "Contains information licensed under the Open Government Licence – Canada."
STATCAN = "Statistics Canada"
ESDC = "Employment and Social Development Canada (ESDC)"


@dataclass(frozen=True)
class SourceFileInfo:
    path: str
    title: str


@dataclass(frozen=True)
class ReferenceSource:
    """One unit of import: its files are written in one transaction, or not at all."""

    key: str
    publisher: str
    files: tuple[SourceFileInfo, ...]
    load: Loader
    licence: str = OGL_CANADA
    licence_url: str = OGL_CANADA_URL


def _oasis_source(spec: oasis.OasisFile, title: str) -> ReferenceSource:
    return ReferenceSource(
        f"oasis_{spec.dimension}", ESDC, (SourceFileInfo(spec.path, title),), oasis.loader_for(spec)
    )


SOURCES: tuple[ReferenceSource, ...] = (
    ReferenceSource(
        "geography",
        STATCAN,
        (SourceFileInfo(geography.REGIONS_FILE, "Standard Geographical Classification: provinces, territories and economic regions"),),
        geography.load,
    ),
    ReferenceSource(
        "noc_classification",
        STATCAN,
        (
            SourceFileInfo(classification.STRUCTURE_FILE, "NOC 2021 V1.0 classification structure"),
            SourceFileInfo(classification.UNIT_GROUPS_FILE, "NOC/CNP 2021 V1.0 unit groups, English and French titles, TEER"),
        ),
        classification.load,
    ),
    ReferenceSource(
        "job_titles",
        STATCAN,
        (SourceFileInfo(job_titles.JOB_TITLES_FILE, "NOC/CNP 2021 V1.0 example job titles, English and French"),),
        job_titles.load,
    ),
    ReferenceSource(
        "unit_group_elements",
        STATCAN,
        (SourceFileInfo(elements.ELEMENTS_FILE, "NOC 2021 V1.0 unit group profiles (elements)"),),
        elements.load,
    ),
    ReferenceSource(
        "concordance",
        STATCAN,
        (SourceFileInfo(concordance.CONCORDANCE_FILE, "NOC 2016 V1.3 to NOC 2021 V1.0 concordance"),),
        concordance.load,
    ),
    _oasis_source(oasis.SKILLS, "OaSIS 2025 v1.1 skills"),
    _oasis_source(oasis.ABILITIES, "OaSIS 2023 v1.0 abilities"),
    _oasis_source(oasis.KNOWLEDGE, "OaSIS 2023 v1.0 knowledge"),
    _oasis_source(oasis.WORK_ACTIVITIES, "OaSIS 2023 v1.0 work activities"),
    ReferenceSource(
        "cops_outlook",
        ESDC,
        (SourceFileInfo(outlook.COPS_FILE, "Canadian Occupational Projection System (COPS) 2024–2033, national summary"),),
        outlook.load,
    ),
    ReferenceSource(
        "wages_national",
        ESDC,
        (SourceFileInfo(wages.NATIONAL_FILE, "Job Bank wages 2025, Canada"),),
        wages.load_national,
    ),
    ReferenceSource(
        "wages_regional",
        ESDC,
        (SourceFileInfo(wages.REGIONAL_FILE, "Job Bank hourly wages 2016, 2020 and 2024 by province and economic region"),),
        wages.load_regional,
    ),
)
SOURCE_KEYS = tuple(source.key for source in SOURCES)
