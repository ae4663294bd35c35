"""A person's skills as they give them: a list, or a paragraph pasted from a résumé that is split into
skills here (on line breaks, bullets, semicolons, commas and sentence ends)."""

import re

MAX_SKILLS = 50
MAX_SKILL_LENGTH = 200
SEPARATORS = re.compile(r"[\n\r;|•·▪●◦]+|,\s*|\.\s+|\.$|\s+[-–—*]\s+|^\s*[-–—*]\s+", re.MULTILINE)
LEAD_IN = re.compile(
    r"^(?:skills?|compétences?|competences?|abilities|aptitudes|experience|expérience)\s*:\s*", re.IGNORECASE
)
SPACES = re.compile(r"\s+")


def split_skills(text: str) -> list[str]:
    """The skills of a pasted paragraph, in order, each once (the first MAX_SKILLS; each cut to
    MAX_SKILL_LENGTH characters)."""
    skills: list[str] = []
    seen: set[str] = set()
    for part in SEPARATORS.split(text):
        skill = SPACES.sub(" ", LEAD_IN.sub("", part.strip())).strip(" -–—*:()[]\"'")
        key = skill.casefold()
        if not skill or key in seen:
            continue
        seen.add(key)
        skills.append(skill[:MAX_SKILL_LENGTH])
        if len(skills) == MAX_SKILLS:
            break
    return skills


def cleaned_skills(skills: list[str]) -> list[str]:
    """A given list with spaces tidied and repeats (ignoring case) dropped, in order."""
    kept: list[str] = []
    seen: set[str] = set()
    for skill in skills:
        tidy = SPACES.sub(" ", skill).strip()
        if tidy and tidy.casefold() not in seen:
            seen.add(tidy.casefold())
            kept.append(tidy)
    return kept
