"""The reasons of one answer, on hand-built programs shaped like the sample catalogs' (VIU's keyword
tags and NOC codes, Coursera's skills, edX's descriptions, Polytechnique's French titles alone): no
two read the same, each names something of its own program, none repeats the occupation's long
title, and French ones are French."""

import dataclasses
import re

import pytest

from recommendations.catalog_snapshot import CourseEntry, CourseSkill, Link, own_skills, summary
from recommendations.reasons import ProgramFacts, ReasonContext, program_reasons, short_title
from tests.recommendations.test_ranking import course as ranked_course

PHYSICAL_HEALTH = "oasis:knowledge:Physical Health"
MEDICINE = "oasis:knowledge:Medicine and Dentistry"
CUSTOMER = "oasis:knowledge:Customer and Personal Service"
LABELS = {
    "en": {PHYSICAL_HEALTH: "Physical Health", MEDICINE: "Medicine and Dentistry", CUSTOMER: "Customer Service"},
    "fr": {PHYSICAL_HEALTH: "Santé physique", MEDICINE: "Médecine et dentisterie", CUSTOMER: "Service à la clientèle"},
}
TITLES = {"en": "Licensed practical nurses", "fr": "Infirmiers auxiliaires/infirmières auxiliaires"}
LONG_TITLE = "Home support workers, caregivers and related occupations"
ENGLISH_TEMPLATE_WORDS = re.compile(
    r"\b(Teaches|Covers|covers|skills?|need|needs|lists|Its|its|begins|matches|program|course|"
    r"certificate|hours|eligible|free|and|for|of|the|your|profile|lacks)\b"
)


def course(title: str, institution: str = "Vancouver Island University", **fields: object) -> CourseEntry:
    made = ranked_course(
        f"x:{title}",
        course_id=title,
        title=title,
        url="https://example.ca/",
        institution_slug="x",
        institution_name=institution,
        delivery_mode=None,
    )
    return dataclasses.replace(made, **fields)  # type: ignore[arg-type]


def tags(*pairs: tuple[str, str | None]) -> tuple[CourseSkill, ...]:
    return tuple(CourseSkill(text, descriptor) for text, descriptor in pairs)


GIVEN_LINK = Link(0, 1.0, "given", "NOC 2016 3233, given by the institution; the concordance maps it to 32101")
# Ten programs as a search for practical nurses ranks them: nearly all cover the same gap skill.
PROGRAMS: list[tuple[CourseEntry, list[str], Link | None]] = [
    (
        course(
            "Practical Nursing",
            credential="diploma",
            skills=tags(("lpn", None), ("public health", PHYSICAL_HEALTH)),
        ),
        [PHYSICAL_HEALTH, CUSTOMER],
        GIVEN_LINK,
    ),
    (
        course("Health Care Assistant", credential="certificate", skills=tags(("public health", PHYSICAL_HEALTH))),
        [PHYSICAL_HEALTH],
        None,
    ),
    (
        course(
            "COVID-19 Training for Healthcare Workers",
            "edX",
            provider="StanfordX",
            credential="course",
            summary="Learn how to protect yourself and your patients from infection.",
        ),
        [PHYSICAL_HEALTH],
        None,
    ),
    (
        course("Overview of Parkinson's Disease", "edX", credential="course", summary="An overview of Parkinson's."),
        [PHYSICAL_HEALTH],
        None,
    ),
    (course("Applying Health Coaching", "edX", credential="course", summary="Coach patients."), [], None),
    (
        course("Hygiène industrielle", "Polytechnique Montréal", language="fr", credential="course"),
        [PHYSICAL_HEALTH],
        None,
    ),
    (
        course("Ergonomie du travail", "Polytechnique Montréal", language="fr", credential="course"),
        [PHYSICAL_HEALTH],
        None,
    ),
    (course("Biomécanique", "Polytechnique Montréal", language="fr", credential="course"), [], None),
    (
        course(
            "Patient Care Essentials",
            "Coursera",
            credential="certificate",
            duration_hours=1200,
            cost_cad=3400,
            financial_aid=("OSAP",),
            skills=tags(("Patient Care", PHYSICAL_HEALTH), ("Vital Signs", MEDICINE), ("Empathy", CUSTOMER)),
        ),
        [PHYSICAL_HEALTH, MEDICINE],
        None,
    ),
    (
        course("Anatomy Basics", "Coursera", credential="course", skills=tags(("Anatomy", MEDICINE))),
        [PHYSICAL_HEALTH, MEDICINE],
        None,
    ),
]


def facts(lang: str) -> list[ProgramFacts]:
    return [
        ProgramFacts(entry, [(descriptor, LABELS[lang][descriptor]) for descriptor in covered], link)
        for entry, covered, link in PROGRAMS
    ]


def reasons(lang: str, person_known: bool = False, title: str | None = None) -> list[str]:
    return program_reasons(lang, ReasonContext(title or TITLES[lang], person_known), facts(lang))


def own_words(entry: CourseEntry, lang: str) -> list[str]:
    """What of a program a reason may name: its tags, title, description, institution, credential."""
    credential = {
        "en": {"diploma": "diploma", "certificate": "certificate", "course": "course"},
        "fr": {"diploma": "diplôme", "certificate": "certificat", "course": "cours"},
    }[lang]
    words = [skill.text for skill in entry.skills] + [entry.title, entry.institution_name]
    words += [entry.summary] if entry.summary else []
    return words + ([credential[entry.credential]] if entry.credential else [])


@pytest.mark.parametrize("lang", ["en", "fr"])
@pytest.mark.parametrize("person_known", [False, True])
def test_no_two_reasons_of_an_answer_are_the_same_and_each_names_its_program(lang: str, person_known: bool) -> None:
    written = reasons(lang, person_known)
    assert len(written) == len(PROGRAMS)
    assert len(set(written)) == len(written)
    for reason, (entry, _, _) in zip(written, PROGRAMS, strict=True):
        assert any(word in reason for word in own_words(entry, lang)), reason
        assert TITLES[lang] not in reason
        assert reason.endswith((".", "»", "”")) and (reason[0].isupper() or reason.startswith(("«", "“")))


def test_the_old_template_is_gone_and_no_sentence_opens_every_card() -> None:
    for lang in ("en", "fr"):
        written = reasons(lang)
        assert not any("Son contenu correspond" in r or "Its content matches" in r for r in written)
        first_sentences = [re.split(r"(?<=[.;])\s", reason)[0] for reason in written]
        assert len(set(first_sentences)) > len(written) // 2


def test_a_long_occupation_title_is_never_pasted_in() -> None:
    written = reasons("en", title=LONG_TITLE)
    assert not any(LONG_TITLE in reason for reason in written)
    assert any("home support workers need" in reason for reason in written)


def test_french_reasons_are_french_outside_the_programs_own_quoted_words() -> None:
    for person_known in (False, True):
        for reason in reasons("fr", person_known):
            unquoted = re.sub(r"«[^»]*»", "", reason)
            assert not ENGLISH_TEMPLATE_WORDS.search(unquoted), reason
            assert "public health" not in unquoted  # English tags only ever appear quoted
    french = reasons("fr")
    assert french[0].startswith(
        "Couvre Santé physique et Service à la clientèle, des compétences clés de cette profession ; "
        "son catalogue cite « public health »"
    )
    assert "Un diplôme que Vancouver Island University destine à cette profession (CNP 2016 3233)." in french[0]
    assert french[5] == "« Hygiène industrielle » couvre Santé physique, une compétence clé de cette profession."
    assert "manque à votre profil" in reasons("fr", person_known=True)[1]


def test_english_reasons_quote_tags_teach_and_state_the_institution_s_code_and_the_facts() -> None:
    english = reasons("en")
    assert english[0] == (
        "Teaches public health; covers Physical Health and Customer Service, skills licensed practical nurses need. "
        "A diploma that Vancouver Island University lists for licensed practical nurses (NOC 2016 3233)."
    )
    assert english[2] == (
        "Covers Physical Health, a skill licensed practical nurses need. "
        "Its description begins: “Learn how to protect yourself and your patients from infection.”"
    )
    assert english[4] == (
        "Its description is close to the duties of licensed practical nurses: “Coach patients.”"
    )  # no gap skill, no tags: the program's own words
    assert english[7] == "Its title, “Biomécanique”, is close to the duties of licensed practical nurses."
    assert english[8].endswith("A certificate of 1,200 hours, $3,400, eligible for OSAP.")
    assert "and your profile lacks" in reasons("en", person_known=True)[0]


def test_each_card_leads_with_a_skill_no_earlier_card_led_with() -> None:
    written = reasons("en")
    # Eight cards led with Physical Health: the first Coursera program, which covers Medicine too,
    # leads with it and with its tag standing for it ("Empathy" stands for no skill it covers).
    assert written[8].startswith(
        "Teaches Vital Signs and Patient Care; covers Medicine and Dentistry, and Physical Health, skills"
    )
    # The second: Medicine led one card, Physical Health eight, so Medicine leads again.
    assert written[9].startswith("Teaches Anatomy; covers Medicine and Dentistry, and Physical Health, skills")
    same = [
        ProgramFacts(course(f"Course {n}"), [(PHYSICAL_HEALTH, "Physical Health"), (MEDICINE, "Medicine")], None)
        for n in range(3)
    ]
    first, second, third = program_reasons("en", ReasonContext("Licensed practical nurses", False), same)
    assert first.startswith("“Course 0” covers Physical Health and Medicine")
    assert second.startswith("“Course 1” covers Medicine and Physical Health")
    assert third.startswith("“Course 2” covers Physical Health and Medicine")


def test_identical_programs_still_get_different_reasons() -> None:
    twins = [
        ProgramFacts(
            course("Human Anatomy", "Coursera", provider=provider, skills=tags(("Anatomy", MEDICINE))),
            [(MEDICINE, "Medicine and Dentistry")],
            None,
        )
        for provider in ("University A", "University B")
    ]
    first, second = program_reasons("en", ReasonContext("Licensed practical nurses", False), twins)
    assert first == "Teaches Anatomy; covers Medicine and Dentistry, a skill licensed practical nurses need."
    assert (
        second
        == "“Human Anatomy” teaches Anatomy; covers Medicine and Dentistry, a skill licensed practical nurses need."
    )


def test_tags_that_name_the_occupation_the_title_or_a_skill_or_repeat_another_are_left_out() -> None:
    design, mechanical, social = "oasis:knowledge:Design", "oasis:knowledge:Mechanical", "oasis:skill:Social"
    welding = course(
        "Welding",
        skills=tags(
            ("welder", mechanical),  # names the occupation
            ("Welding", None),  # the title
            ("blueprint reading", design),
            ("Mechanical", mechanical),  # a covered skill's name: the skill says it
            ("metal fabrication", mechanical),
        ),
    )
    psychology = course(
        "Psychology",
        skills=tags(
            ("counseling", social),
            ("counselling", social),  # the same tag spelled otherwise
            ("group facilitation", social),  # stands for the same skill: after the others
            ("statistics", "oasis:skill:Numeracy"),  # stands for no skill the program covers
        ),
    )
    welders = ReasonContext("Welders and related machine operators", False)
    covered = [(mechanical, "Mechanical"), (design, "Design")]
    (reason,) = program_reasons("en", welders, [ProgramFacts(welding, covered, None)])
    assert (
        reason == "Teaches metal fabrication and blueprint reading; covers Mechanical and Design, skills welders need."
    )
    (reason,) = program_reasons("en", welders, [ProgramFacts(psychology, [(social, "Social Perceptiveness")], None)])
    assert reason == "Teaches counseling and group facilitation; covers Social Perceptiveness, a skill welders need."
    (reason,) = program_reasons("en", welders, [ProgramFacts(psychology, [], None)])
    assert reason == (
        "Its catalog lists counseling, statistics and group facilitation. "
        "Its title, “Psychology”, is close to the duties of welders."
    )
    (reason,) = program_reasons("en", ReasonContext("Licensed practical nurses", False), facts("en")[:1])
    assert "lpn" not in reason  # the occupation's initials


@pytest.mark.parametrize(
    ("title", "short"),
    [
        ("Home support workers, caregivers and related occupations", "home support workers"),
        ("Licensed practical nurses", "licensed practical nurses"),
        ("Electricians (except industrial and power system)", "electricians"),
        ("Welders and related machine operators", "welders"),
        ("Infirmiers auxiliaires/infirmières auxiliaires", "infirmiers auxiliaires"),
        ("Computer and information systems managers", None),
        ("Other customer and information services representatives", None),
        ("IT systems analysts", "IT systems analysts"),
    ],
)
def test_short_titles(title: str, short: str | None) -> None:
    assert short_title(title) == short


def test_the_snapshot_keeps_the_tags_the_catalog_gave_that_fit_and_name_a_skill_and_the_first_sentence() -> None:
    def tag(
        text: str, source: str = "given", fits: bool = True, esco: float | None = None, oasis: float | None = None
    ) -> dict[str, object]:
        return {
            "text": text,
            "source": source,
            "fits_course": fits,
            "skill": {"id": "esco:x", "label": "x", "confidence": esco} if esco is not None else None,
            "descriptor": {"id": PHYSICAL_HEALTH, "label": "Physical Health", "confidence": oasis}
            if oasis is not None
            else None,
        }

    stored = [
        tag("Patient Care", esco=0.7, oasis=0.9),
        tag("Menu Design", fits=False, esco=0.9, oasis=0.9),  # a neighbouring row's tag
        tag("nursing", source="inferred", esco=0.9),  # inferred from the title, not the catalog's
        tag(" Triage ", esco=0.6, oasis=0.2),  # names an ESCO skill, stands for no descriptor
        tag("red seal"),  # a search word: no skill near it
        tag("apprenticeship", esco=0.14, oasis=0.23),
    ]
    assert own_skills(stored) == (CourseSkill("Patient Care", PHYSICAL_HEALTH), CourseSkill("Triage", None))
    assert summary(None) is None and summary("  ") is None and summary("NA") is None
    assert summary("NA Learn to code.In this course you will…") == "Learn to code."
    assert summary("This course is part of a MicroMasters® Program Begin your journey in marketing.") == (
        "Begin your journey in marketing."
    )
    long = summary("word " * 60)
    assert long is not None and long.endswith("…") and len(long) <= 121
