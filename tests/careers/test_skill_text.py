"""Reading skills out of a pasted text, and tidying a given list: no database, no model."""

from careers.skill_text import MAX_SKILL_LENGTH, MAX_SKILLS, cleaned_skills, split_skills


def test_a_resume_section_is_split_on_its_separators() -> None:
    text = "Skills: bookkeeping, payroll; QuickBooks\n- year-end close\n• bank reconciliations. Sage 50"
    assert split_skills(text) == [
        "bookkeeping",
        "payroll",
        "QuickBooks",
        "year-end close",
        "bank reconciliations",
        "Sage 50",
    ]


def test_french_text_keeps_its_words_and_drops_repeats() -> None:
    assert split_skills("Compétences : montage vidéo ; sous-titrage ; Montage vidéo") == [
        "montage vidéo",
        "sous-titrage",
    ]


def test_hyphens_inside_words_do_not_split() -> None:
    assert split_skills("year-end, sous-titrage, e-mail") == ["year-end", "sous-titrage", "e-mail"]


def test_a_long_text_gives_at_most_the_limit_each_cut_to_length() -> None:
    skills = split_skills(", ".join(f"skill number {n}" for n in range(80)) + ", " + "x" * 500)
    assert len(skills) == MAX_SKILLS
    long_one = split_skills("y" * 500)
    assert long_one == ["y" * MAX_SKILL_LENGTH]


def test_nothing_readable_gives_no_skill() -> None:
    assert split_skills(" ; , \n - ") == []


def test_a_given_list_is_tidied_in_order() -> None:
    assert cleaned_skills(["  pruning   fruit trees ", "Pruning fruit trees", "", "driving a tractor"]) == [
        "pruning fruit trees",
        "driving a tractor",
    ]
