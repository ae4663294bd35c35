"""What the public page's form asks (it is a GET form, so the address holds the whole query and can be
shared): read leniently from the address, each bad value named for the person, and written back as
the page's canonical address."""

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import urlencode

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
PARAMETERS = ("q", "noc", "noc_q", "region", "mode", "cost", "hours", "aid", "teach", "current", "skills", "lang")


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
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def asks(self) -> bool:
        """Whether there is a search to answer."""
        return bool(self.title) and not self.errors

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
        errors=errors,
    )


def split_skills(text: str) -> list[str]:
    """Skills as typed, one per comma, semicolon or line."""
    return [skill.strip() for skill in SKILL_SEPARATORS.split(text) if skill.strip()]


def _one_of(value: str | None, allowed: tuple[str, ...]) -> str:
    return value if value in allowed else ""


def _step(value: str | None, steps: tuple[int, ...]) -> int | None:
    return int(value) if value is not None and value.isascii() and value.isdigit() and int(value) in steps else None
