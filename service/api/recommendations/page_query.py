"""What the public page's form asks (it is a GET form, so the address holds the whole query and can be
shared): read leniently from the address, each bad value named for the person, and written back as
the page's canonical address."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

from careers.skill_text import MAX_SKILL_LENGTH, MAX_SKILLS, SEPARATORS
from recommendations.ranking import Filters
from service.api.recommendations.page_text import PageLanguage
from service.api.recommendations.schemas import LABEL_MAX_LENGTH, SKILL_MAX_LENGTH, SKILLS_MAX

TITLE_MAX = 200
MODES = ("online", "in_person", "hybrid")
COST_STEPS = (0, 500, 1000, 5000)
HOUR_STEPS = (10, 40, 100, 500)
AIDS = ("OSAP",)
NOC_CODE = re.compile(r"[0-9]{5}")
SKILL_SEPARATORS = re.compile(r"[,;\n]+")
# The address's parameters, in the order the canonical address lists them.
PARAMETERS = (
    "q",
    "noc",
    "noc_q",
    "can",
    "region",
    "mode",
    "cost",
    "hours",
    "aid",
    "teach",
    "current",
    "skills",
    "lang",
)


@dataclass(frozen=True)
class PageQuery:
    """The search as the person asked it; `errors` are keys of the page's texts, by field."""

    lang: PageLanguage
    title: str = ""
    noc: str | None = None  # an occupation chosen under "did you mean", for this title only
    region: str = ""
    mode: str = ""
    cost: int | None = None
    hours: int | None = None
    aid: str = ""
    teach: str = ""
    current: str = ""
    skills: str = ""
    can: str = ""  # what the person can do ("What can you do?"): the other way in, without a job title
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def asks(self) -> bool:
        """Whether there is a job-title search to answer."""
        return bool(self.title) and not self.errors

    @property
    def asks_by_skills(self) -> bool:
        """Whether there is a search by what the person can do to answer (a job title, when there is
        one too, is answered instead)."""
        return bool(self.can) and not self.title and not self.errors

    def skill_list(self) -> list[str]:
        return split_skills(self.skills)

    def filters(self) -> Filters:
        return Filters(
            delivery_mode=self.mode or None,
            max_cost_cad=float(self.cost) if self.cost is not None else None,
            max_duration_hours=float(self.hours) if self.hours is not None else None,
            language=self.teach or None,
            financial_aid=self.aid or None,
        )

    def address(self, **changes: str | None) -> str:
        """The page's address for this query, with some parameters changed (None removes one)."""
        values: dict[str, str | None] = {
            "q": self.title,
            "noc": self.noc,
            "region": self.region,
            "mode": self.mode,
            "cost": str(self.cost) if self.cost is not None else None,
            "hours": str(self.hours) if self.hours is not None else None,
            "aid": self.aid,
            "teach": self.teach,
            "current": self.current,
            "skills": self.skills,
            "can": self.can,
            "lang": self.lang,
            **changes,
        }
        values["noc_q"] = values["q"] if values["noc"] else None  # the title the occupation was chosen for
        present = [(name, values[name]) for name in PARAMETERS if values[name]]
        return "/?" + urlencode(present) if present else "/"


def read_query(parameters: Mapping[str, str], lang: PageLanguage) -> PageQuery:
    """The page's query from its address; values that no form control gives (a tampered address) are
    dropped rather than refused, except those the person typed, which are checked."""
    title = " ".join(parameters.get("q", "").split())
    current = " ".join(parameters.get("current", "").split())
    skills = parameters.get("skills", "").strip()
    errors: dict[str, str] = {}
    if len(title) > TITLE_MAX:
        errors["q"] = "error_title_long"
    if len(current) > TITLE_MAX:
        errors["current"] = "error_current_long"
    listed = split_skills(skills)
    if len(listed) > SKILLS_MAX or any(len(skill) > SKILL_MAX_LENGTH for skill in listed):
        errors["skills"] = "error_skills"
    can = parameters.get("can", "").strip()
    can_listed = can_skills(can)
    if len(can_listed) > MAX_SKILLS or any(len(skill) > MAX_SKILL_LENGTH for skill in can_listed):
        errors["can"] = "error_can"
    noc = parameters.get("noc", "")
    chosen_for = " ".join(parameters.get("noc_q", "").split())
    region = parameters.get("region", "").strip()
    return PageQuery(
        lang=lang,
        title=title,
        noc=noc if NOC_CODE.fullmatch(noc) and chosen_for == title else None,
        region=region if len(region) <= LABEL_MAX_LENGTH else "",
        mode=_one_of(parameters.get("mode"), MODES),
        cost=_step(parameters.get("cost"), COST_STEPS),
        hours=_step(parameters.get("hours"), HOUR_STEPS),
        aid=_one_of(parameters.get("aid"), AIDS),
        teach=_one_of(parameters.get("teach"), ("en", "fr")),
        current=current,
        skills=skills,
        can=can,
        errors=errors,
    )


def split_skills(text: str) -> list[str]:
    """Skills as typed, one per comma, semicolon or line."""
    return [skill.strip() for skill in SKILL_SEPARATORS.split(text) if skill.strip()]


def can_skills(text: str) -> list[str]:
    """What the person can do, as the careers domain splits it (on lines, commas, semicolons, bullets
    and sentence ends), each once whatever its case: counted and measured here, since the domain
    itself would keep only the first MAX_SKILLS, each cut to MAX_SKILL_LENGTH characters."""
    skills: dict[str, str] = {}
    for part in SEPARATORS.split(text):
        skill = " ".join(part.split()).strip(" -–—*:()[]\"'")
        if len(skill) >= 2:
            skills.setdefault(skill.casefold(), skill)
    return list(skills.values())


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _step(value: str | None, steps: tuple[int, ...]) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() and int(value) in steps else None
