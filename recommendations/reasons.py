"""Why each program is recommended, in words, in English or French: pure functions.

A reason says what this program teaches that the person needs, in its own words where it has them
(its skill tags, the start of its description, its title), with the skills of the gap it covers,
then what its institution says of it (the occupation code it gave) or its credential, duration,
cost and aid. The reasons of one answer are written together so that no two are the same: each
card leads with the tag and the skill earlier cards led with least.
"""

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from babel.numbers import format_currency, format_decimal

from catalog.linking import GIVEN
from recommendations.catalog_snapshot import CourseEntry, Link

MAX_TAGS = 3
MAX_SKILLS = 3  # gap skills named when the program has no tags of its own
MAX_SKILLS_WITH_TAGS = 2
NEAR_SPELLING = 0.8  # tags this alike are one tag spelled two ways
LOCALES = {"en": "en_CA", "fr": "fr_CA"}
_CODE = re.compile(r"\bNOC (20(?:16|21)) (\d{4,5})\b")
_WORD = re.compile(r"[^\W_]+")
_TITLE_END = re.compile(r",| and | et |\(|;")
# What a credential is called: in English, and in French with its article and demonstrative.
_NOUNS_EN = {
    "micro-credential": "micro-credential",
    "certificate": "certificate",
    "diploma": "diploma",
    "degree": "degree program",
    "course": "course",
}
_NOUNS_FR = {
    "micro-credential": ("Une", "microcertification"),
    "certificate": ("Un", "certificat"),
    "diploma": ("Un", "diplôme"),
    "degree": ("Un", "programme universitaire"),
    "course": ("Un", "cours"),
}


@dataclass(frozen=True)
class ReasonContext:
    occupation_title: str  # the NOC title, in the answer's language
    person_known: bool  # the gap is the person's own: they listed skills or their current job


@dataclass(frozen=True)
class ProgramFacts:
    course: CourseEntry
    covered: Sequence[tuple[str, str]]  # the gap skills it covers: (descriptor id, label), most needed first
    link: Link | None  # its link to the occupation, if any


def program_reasons(lang: str, context: ReasonContext, programs: Sequence[ProgramFacts]) -> list[str]:
    """One reason per program, in order, one or two sentences each, no two the same."""
    writer = _Writer(lang, context)
    reasons: list[str] = []
    for program in programs:
        variants = writer.variants(program)
        reason = next((text for text in variants if text not in reasons), variants[-1])
        writer.lead_used(program, reason)
        reasons.append(reason)
    return reasons


def short_title(title: str) -> str | None:
    """The first words of a NOC title, up to a comma, "and"/"et" or a bracket, the first of its
    gendered forms ("Infirmiers auxiliaires/infirmières auxiliaires" → "Infirmiers auxiliaires"), in
    lower case; None when they do not end with a plural ("Computer and information systems managers"
    → "Computer") or the title is a catch-all ("Other …")."""
    head = _TITLE_END.split(title, maxsplit=1)[0].split("/")[0].strip()
    words = head.split()
    if not words or not words[-1].endswith(("s", "x")) or words[0].casefold() in {"other", "autres"}:
        return None
    return head[0].lower() + head[1:] if head[1:2].islower() else head


class _Writer:
    def __init__(self, lang: str, context: ReasonContext):
        self.fr = lang == "fr"
        self.lang = "fr" if self.fr else "en"
        self.context = context
        self.short = short_title(context.occupation_title)
        self.occupation_words = _stems(context.occupation_title)
        self.acronym = "".join(
            word[0] for word in _WORD.findall(context.occupation_title.casefold()) if word not in {"and", "et"}
        )
        self.leads: Counter[str] = Counter()  # how many cards led with each tag or skill

    def variants(self, program: ProgramFacts) -> list[str]:
        """The reason, then longer ones to use when an earlier card already reads the same."""
        teaching = self.teaching(program)
        evidence = self.evidence(program, alone=not program.covered)
        titled = self.teaching(program, titled=True)
        credential = "" if evidence else self.facts(program.course, link=None) or ""
        return [
            _sentences(teaching, evidence),
            _sentences(teaching, credential),
            _sentences(titled, evidence),
            _sentences(titled, evidence, self.offered_by(program.course)),
        ]

    def lead_used(self, program: ProgramFacts, reason: str) -> None:
        """Count the first tag and the first skill the reason names: later cards lead with others."""
        tied, others, skills = self.ordered(program)
        for lead in (tied or others)[:1] + skills[:1]:
            if lead in reason:
                self.leads[lead.casefold()] += 1

    # What it teaches

    def ordered(self, program: ProgramFacts) -> tuple[list[str], list[str], list[str]]:
        """Its own tags that stand for a gap skill it covers, its other tags worth naming, and the
        gap skills it covers, each led by those earlier cards led with least.

        Tags follow the skills they stand for; a tag standing for the same descriptor as one before
        it comes after the others, and one spelled nearly like one before it (VIU's "counseling" and
        "counselling", "mechanical" and "mechanics") not at all. A tag that is the program's title or
        names the occupation ("electrician" for electricians) says nothing of what the program teaches."""
        course = program.course
        skills = self.least_led([label for _, label in program.covered])
        order = {label: place for place, label in enumerate(skills)}
        rank = {descriptor: order[label] for descriptor, label in program.covered}
        title = course.title.casefold().strip()
        labels = {label.casefold() for label in skills}  # a tag that is a skill's name: the skill says it
        candidates = sorted(
            (rank.get(skill.descriptor_id or "", len(rank)), position, skill.text, skill.descriptor_id)
            for position, skill in enumerate(course.skills)
        )
        kept: list[tuple[bool, bool, str]] = []  # (repeats a descriptor, stands for a gap skill, text)
        descriptors: set[str] = set()
        for _, _, text, descriptor in candidates:
            key = text.casefold()
            if not key or key == title or key in labels or self.names_occupation(key):
                continue
            if any(SequenceMatcher(None, key, other.casefold()).ratio() >= NEAR_SPELLING for _, _, other in kept):
                continue
            kept.append((descriptor in descriptors, descriptor in rank, text))
            if descriptor is not None:
                descriptors.add(descriptor)
        kept.sort(key=lambda tag: tag[0])  # stable: a repeated descriptor goes after the others
        tied = [text for _, gap, text in kept if gap]
        others = [text for _, gap, text in kept if not gap]
        return self.least_led(tied), self.least_led(others), skills

    def least_led(self, items: list[str]) -> list[str]:
        return sorted(items, key=lambda item: self.leads[item.casefold()])

    def names_occupation(self, tag: str) -> bool:
        words = _stems(tag)
        return bool(words) and (words <= self.occupation_words or (len(tag) > 1 and tag == self.acronym))

    def teaching(self, program: ProgramFacts, titled: bool = False) -> str:
        """What it teaches: its own tags that stand for gap skills it covers ("Teaches …"), then those
        skills; else the skills and the tags its catalog lists, quoted when they are not in the
        answer's language. Led by its title when `titled` or when it has neither tags nor a description."""
        tied, others, skills = self.ordered(program)
        course = program.course
        native = course.language == self.lang
        teaches = native and bool(tied)
        clauses = []
        if teaches:
            clauses.append(f"{'enseigne' if self.fr else 'teaches'} {self.join(tied[:MAX_TAGS])}")
        skills = skills[: MAX_SKILLS_WITH_TAGS if teaches else MAX_SKILLS]
        if skills:
            clauses.append(f"{'couvre' if self.fr else 'covers'} {self.join(skills)}, {self.needed(len(skills))}")
        listed = [] if teaches else (tied + others)[:MAX_TAGS]
        if listed:
            words = listed if native else [self.quote(tag) for tag in listed]
            clauses.append(f"{'son catalogue cite' if self.fr else 'its catalog lists'} {self.join(words)}")
        if not clauses:
            return ""
        text = (" ; " if self.fr else "; ").join(clauses)
        if titled or not (tied or others or course.summary):
            return f"{self.quote(course.title)} {text}"
        return text[0].upper() + text[1:]

    def needed(self, count: int) -> str:
        if self.fr:
            noun = "une compétence" if count == 1 else "des compétences"
            if self.context.person_known:
                return f"{noun} de cette profession qui {'manque' if count == 1 else 'manquent'} à votre profil"
            return f"{noun} {'clé' if count == 1 else 'clés'} de cette profession"
        noun = "a skill" if count == 1 else "skills"
        who = f"{self.short} need" if self.short else "this occupation needs"
        return f"{noun} {who} and your profile lacks" if self.context.person_known else f"{noun} {who}"

    # What else it is

    def evidence(self, program: ProgramFacts, alone: bool) -> str:
        """Its institution's word for the occupation, else the start of its description (for a
        program without tags), else its duration, cost and aid; `alone` (it covers no gap skill):
        else how its title relates to the occupation."""
        course = program.course
        if program.link is not None and program.link.source == GIVEN:
            return self.facts(course, link=program.link) or ""
        who = self.short or "this occupation"
        if course.summary and not course.skills:
            quoted = self.quote(course.summary)
            if not alone:
                return f"Sa description commence ainsi : {quoted}" if self.fr else f"Its description begins: {quoted}"
            return (
                f"Sa description est proche des fonctions de cette profession : {quoted}"
                if self.fr
                else f"Its description is close to the duties of {who}: {quoted}"
            )
        facts = self.facts(course, link=None, bare_credential=False)
        if facts or not alone:
            return facts or ""
        title = self.quote(course.title)
        return (
            f"Son intitulé, {title}, est proche des fonctions de cette profession"
            if self.fr
            else f"Its title, {title}, is close to the duties of {who}"
        )

    def facts(self, course: CourseEntry, link: Link | None, bare_credential: bool = True) -> str | None:
        """Its credential, duration, cost and aid, and the occupation code its institution gave: "A
        diploma of 1,200 hours ($3,400, eligible for OSAP) that VIU lists for welders (NOC 2016 7237)";
        None when there is nothing to say (only the credential, unless `bare_credential`)."""
        details = []
        if course.cost_cad is not None:
            details.append(self.money(course.cost_cad))
        if course.financial_aid:
            aid = self.join(list(course.financial_aid))
            details.append(f"admissible à l'aide {aid}" if self.fr else f"eligible for {aid}")
        hours = self.hours(course.duration_hours) if course.duration_hours else None
        if link is None and not details and hours is None and not (bare_credential and course.credential):
            return None
        if self.fr:
            article, noun = _NOUNS_FR.get(course.credential or "", ("Une", "formation"))
        else:
            article, noun = "A", _NOUNS_EN.get(course.credential or "", "program")
        text = f"{article} {noun}"
        if hours is not None:
            text += f" {'de' if self.fr else 'of'} {hours}"
        if details:
            text += f" ({', '.join(details)})" if link is not None else f", {', '.join(details)}"
        if link is not None:
            code = self.code(link)
            institution = course.institution_name
            if self.fr:
                text += f" que {institution} destine à cette profession{code}"
            else:
                text += f" that {institution} lists for {self.short or 'this occupation'}{code}"
        return text

    def offered_by(self, course: CourseEntry) -> str:
        who = course.provider or course.institution_name
        return f"Offert par {who}" if self.fr else f"Offered by {who}"

    def code(self, link: Link) -> str:
        found = _CODE.search(link.evidence)
        if found is None:
            return ""
        return f" ({'CNP' if self.fr else 'NOC'} {found.group(1)} {found.group(2)})"

    # Words

    def join(self, items: list[str]) -> str:
        """Items as a list: "a, b and c", or "Medicine and Dentistry, and Physical Health" when one has "and"."""
        if len(items) <= 1:
            return "".join(items)
        last = " et " if self.fr else " and "
        compound = any(last in item or "," in item for item in items)
        return ", ".join(items[:-1]) + ("," if compound else "") + last + items[-1]

    def quote(self, text: str) -> str:
        text = " ".join(text.split())
        return f"« {text} »" if self.fr else f"“{text}”"

    def hours(self, hours: float) -> str:
        amount = format_decimal(round(hours, 1), locale=LOCALES[self.lang])
        if self.fr:
            return f"{amount} heure" if hours < 2 else f"{amount} heures"
        return f"{amount} hour" if hours == 1 else f"{amount} hours"

    def money(self, amount: float) -> str:
        if amount == 0:
            return "sans frais" if self.fr else "free"
        pattern = "#,##0\u00a0¤" if self.fr else "¤#,##0"
        return format_currency(round(amount), "CAD", format=pattern, locale=LOCALES[self.lang], currency_digits=False)


def _sentences(*parts: str) -> str:
    """The parts as sentences: each ends with a full stop unless it ends with one already (in or
    just before a closing quote)."""
    texts = [part.strip() for part in parts if part and part.strip()]
    return " ".join(text if _ended(text) else f"{text}." for text in texts)


def _ended(text: str) -> bool:
    unquoted = text.removesuffix("»").removesuffix("”").rstrip()
    return unquoted.endswith((".", "!", "?", "…"))


def _stems(text: str) -> set[str]:
    """Words without a plural ending, for comparing a tag with an occupation's title."""
    return {word.removesuffix("s").removesuffix("x") for word in _WORD.findall(text.casefold()) if len(word) > 2}


def no_match_message(lang: str) -> str:
    return (
        "Aucune profession ne correspond à ce titre d'emploi : essayez un autre titre ou un code de la CNP."
        if lang == "fr"
        else "No occupation matches this job title: try another title or a NOC code."
    )
