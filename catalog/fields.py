"""The documented catalog schema: which fields a course has, which are required, which values they take."""

from dataclasses import dataclass, field

REQUIRED = ("course_id", "title", "url")
OPTIONAL = (
    "description",
    "skills",
    "noc_codes",
    "language",
    "delivery_mode",
    "region",
    "duration_hours",
    "cost_cad",
    "credential",
    "provider",
    "financial_aid",
    "start_dates",
)
FIELDS = REQUIRED + OPTIONAL
LANGUAGES = ("en", "fr")
DELIVERY_MODES = ("online", "in_person", "hybrid")
CREDENTIALS = ("micro-credential", "certificate", "diploma", "degree", "course")
LIST_SEPARATOR = ";"  # skills, noc_codes, financial_aid and start_dates hold several values
MAX_LENGTHS = {"course_id": 200, "title": 500, "url": 2000, "provider": 300, "description": 20_000, "region": 10}

FIELD_HELP = {
    "course_id": "the institution's own identifier of the course, unique in the catalog",
    "title": "the course or program title",
    "url": "an http(s) link to the course page",
    "description": "free text",
    "skills": "skills the course teaches, free text separated by ';'",
    "noc_codes": "NOC 2021 (5 digits) or NOC 2016 (4 digits) codes of the occupations it leads to, ';'-separated",
    "language": "language of instruction: en or fr",
    "delivery_mode": "online, in_person or hybrid",
    "region": "where it is offered: a province (ON, 35, ER35) or an economic region (ER3530, 3530)",
    "duration_hours": "total hours, a number",
    "cost_cad": "cost in Canadian dollars, a number",
    "credential": "micro-credential, certificate, diploma, degree or course",
    "provider": "who teaches it, when not the institution itself",
    "financial_aid": "aid it qualifies for, ';'-separated (OSAP, …; RAFEO is stored as OSAP)",
    "start_dates": "ISO dates (YYYY-MM-DD), ';'-separated",
}


@dataclass(frozen=True)
class CourseRecord:
    """A checked row of a catalog: text cells as given (never evaluated), lists split, numbers parsed."""

    line: int
    course_id: str
    title: str
    url: str
    url_derived: bool = False
    description: str | None = None
    skills: list[str] = field(default_factory=list)
    noc_codes: list[str] = field(default_factory=list)
    language: str | None = None
    delivery_mode: str | None = None
    region: str | None = None
    duration_hours: float | None = None
    cost_cad: float | None = None
    credential: str | None = None
    provider: str | None = None
    financial_aid: list[str] = field(default_factory=list)
    start_dates: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    """A bad cell (or row): where it is and why; `line` is the file's line (CSV) or 1-based item (JSON)."""

    line: int
    column: str | None
    reason: str
