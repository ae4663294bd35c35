"""The relevance judgments that measure recommendations (`tests/data/recommendation_judgments.csv`):
72 job titles typed as people type them, half in French, each with courses of the four sample
catalogs graded 0 (not helpful), 1 (useful, partial) or 2 (prepares for it), pooled widely (word-sense
traps included) and written before the ranking was tuned. Half the titles of each language are the
test half, which tuning never looks at. These tests keep the file consistent with the catalogs and
the NOC it names."""

import csv
from collections import Counter, defaultdict
from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from catalog.samples import SAMPLES, load_sample
from models.accounts import Institution
from models.catalog import Course
from tests.support.source_data import DATA_DIR, UNIT_GROUPS, csv_rows

JUDGMENTS = Path(__file__).resolve().parents[1] / "data" / "recommendation_judgments.csv"
COLUMNS = ["query", "lang", "half", "noc_code", "course", "grade", "note"]


def judgments() -> list[dict[str, str]]:
    with JUDGMENTS.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        assert reader.fieldnames == COLUMNS
        return list(reader)


def test_seventy_two_titles_half_asked_in_french_in_two_halves() -> None:
    queries = {(row["query"], row["lang"], row["half"]) for row in judgments()}
    assert len(queries) == 72 == len({(query, lang) for query, lang, _ in queries})
    assert Counter((lang, half) for _, lang, half in queries) == {
        ("en", "tune"): 18,
        ("en", "test"): 18,
        ("fr", "tune"): 18,
        ("fr", "test"): 18,
    }
    assert len({row["noc_code"] for row in judgments()}) >= 60


def test_each_query_names_one_unit_group_and_grades_enough_courses() -> None:
    unit_groups = {row["noc_code"] for row in csv_rows(UNIT_GROUPS)}
    by_query: dict[str, list[dict[str, str]]] = defaultdict(list)
    for row in judgments():
        by_query[row["query"]].append(row)
    for query, rows in by_query.items():
        assert len({row["noc_code"] for row in rows}) == 1, query
        assert rows[0]["noc_code"] in unit_groups, query
        assert len(rows) >= 15, query
        assert len({row["course"] for row in rows}) == len(rows), f"{query}: a course judged twice"
        assert {row["grade"] for row in rows} <= {"0", "1", "2"}, query
        assert any(row["grade"] != "0" for row in rows), f"{query}: nothing helpful judged"
        assert len({row["half"] for row in rows}) == 1, f"{query}: in both halves"
        assert any(row["grade"] == "0" for row in rows), f"{query}: no negative example"


def test_every_judged_course_is_in_the_sample_catalogs(reference_engine: Engine) -> None:
    with Session(reference_engine) as session:
        for sample in SAMPLES:
            load_sample(sessionmaker(reference_engine), DATA_DIR, sample)
            session.commit()
        courses = {
            f"{slug}:{course_id}"
            for slug, course_id in session.execute(
                select(Institution.slug, Course.course_id).join(
                    Course, Course.version_id == Institution.active_version_id
                )
            )
        }
    missing = sorted({row["course"] for row in judgments()} - courses)
    assert not missing, f"judged courses not in the sample catalogs: {missing[:5]}"
