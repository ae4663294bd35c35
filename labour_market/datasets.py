"""The public reference datasets: files, titles, publishers, licence and the labels shown with them.

Everything said about a dataset is said here once; the importer reads the files named here and
the profile cites the labels.
"""

from dataclasses import dataclass

OGL_CANADA = "Open Government Licence – Canada"
OGL_CANADA_URL = "https://open.canada.ca/en/open-government-licence-canada"
ATTRIBUTION_EN = "Contains information licensed under the Open Government Licence – Canada."
ATTRIBUTION_FR = "Contient des informations autorisées en vertu de la Licence du gouvernement ouvert – Canada."
STATCAN = "Statistics Canada"
ESDC = "Employment and Social Development Canada (ESDC)"

REGIONS_FILE = "geography/economic_regions_canada_en_fr.csv"
STRUCTURE_FILE = "noc2021/noc_2021_version_1.0_classification_structure_en.csv"
UNIT_GROUPS_FILE = "noc2021/unit_groups_en_fr.csv"
JOB_TITLES_FILE = "noc2021/job_titles_en_fr.csv"
ELEMENTS_FILE = "noc2021/unit_group_elements_en.csv"
CONCORDANCE_FILE = "concordance/noc2016v1_3-noc2021v1_0-eng.csv"
OASIS_SKILLS_FILE = "oasis/skills_oasis_2025_v1.1.csv"
OASIS_ABILITIES_FILE = "oasis/abilities_oasis_2023_v1.0.csv"
OASIS_KNOWLEDGE_FILE = "oasis/knowledges_oasis_2023_v1.0.csv"
OASIS_WORK_ACTIVITIES_FILE = "oasis/workactivities_oasis_2023_v1.0.csv"
COPS_FILE = "outlook/cops_summary_2024_2033.csv"
NATIONAL_WAGES_FILE = "wages/jobbank_wages_2025_national.csv"
REGIONAL_WAGES_FILE = "wages/jobbank_wages_by_region_2016_2020_2024.csv"

# Rating scales of the OaSIS dimensions (the abilities file is documented as rated 1–5 but uses 0).
OASIS_SCALES: dict[str, tuple[float, float]] = {
    "skill": (0, 5),
    "ability": (0, 5),
    "knowledge": (0, 3),
    "work_activity": (0, 5),
}
COPS_PERIOD = "2024-2033"
COPS_LABEL = "ESDC, Canadian Occupational Projection System (COPS) 2024–2033, national"
OASIS_LABEL = "ESDC OaSIS: skills 2025 v1.1; abilities, knowledge and work activities 2023 v1.0"
REGIONAL_WAGES_LABEL = "Job Bank wages by province and economic region"
NATIONAL_WAGES_LABEL = "Job Bank wages 2025, Canada"


@dataclass(frozen=True)
class DatasetFile:
    path: str  # relative to the data directory
    title: str


@dataclass(frozen=True)
class Dataset:
    """One unit of import: its files are written in one transaction, or not at all."""

    key: str
    publisher: str
    files: tuple[DatasetFile, ...]
    licence: str = OGL_CANADA
    licence_url: str = OGL_CANADA_URL


def _single(key: str, publisher: str, path: str, title: str) -> Dataset:
    return Dataset(key, publisher, (DatasetFile(path, title),))


DATASETS: tuple[Dataset, ...] = (  # in import order: later ones refer to earlier ones
    _single(
        "geography",
        STATCAN,
        REGIONS_FILE,
        "Standard Geographical Classification: provinces, territories and economic regions",
    ),
    Dataset(
        "noc_classification",
        STATCAN,
        (
            DatasetFile(STRUCTURE_FILE, "NOC 2021 V1.0 classification structure"),
            DatasetFile(UNIT_GROUPS_FILE, "NOC/CNP 2021 V1.0 unit groups, English and French titles, TEER"),
        ),
    ),
    _single("job_titles", STATCAN, JOB_TITLES_FILE, "NOC/CNP 2021 V1.0 example job titles, English and French"),
    _single("unit_group_elements", STATCAN, ELEMENTS_FILE, "NOC 2021 V1.0 unit group profiles (elements)"),
    _single("concordance", STATCAN, CONCORDANCE_FILE, "NOC 2016 V1.3 to NOC 2021 V1.0 concordance"),
    _single("oasis_skill", ESDC, OASIS_SKILLS_FILE, "OaSIS 2025 v1.1 skills"),
    _single("oasis_ability", ESDC, OASIS_ABILITIES_FILE, "OaSIS 2023 v1.0 abilities"),
    _single("oasis_knowledge", ESDC, OASIS_KNOWLEDGE_FILE, "OaSIS 2023 v1.0 knowledge"),
    _single("oasis_work_activity", ESDC, OASIS_WORK_ACTIVITIES_FILE, "OaSIS 2023 v1.0 work activities"),
    _single(
        "cops_outlook",
        ESDC,
        COPS_FILE,
        "Canadian Occupational Projection System (COPS) 2024–2033, national summary",
    ),
    _single("wages_national", ESDC, NATIONAL_WAGES_FILE, NATIONAL_WAGES_LABEL),
    _single(
        "wages_regional",
        ESDC,
        REGIONAL_WAGES_FILE,
        "Job Bank hourly wages 2016, 2020 and 2024 by province and economic region",
    ),
)
SOURCE_KEYS: tuple[str, ...] = tuple(dataset.key for dataset in DATASETS)
