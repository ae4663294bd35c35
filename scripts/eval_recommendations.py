"""Relevance of the recommended programs, against the graded judgments of tests/data → reports/recommendations.md.

For each judged query (20 occupations, half asked in French), the service's own recommender
answers over the loaded catalogs; precision@10 (a program graded 1 or 2 counts) and nDCG@10
(gain 2^grade - 1, the ideal order being the judged programs best first) are averaged over the
queries, for the ranking and two baselines: text similarity only and skill overlap only.
Programs nobody judged count as not relevant; the share of the first ten that were judged is
reported beside the figures.

Run after `make run` has loaded the sample catalogs (or `lmi catalog load-samples`):
    .venv/bin/python scripts/eval_recommendations.py
"""

import argparse
import csv
import math
import statistics
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from catalog.skill_space import SkillSpace
from models.database import create_database_engine, create_session_factory
from recommendations.ranking import DEFAULT_WEIGHTS, SKILLS_ONLY, TEXT_ONLY, Weights
from recommendations.recommend import Recommendation, RecommendationRequest, Recommender
from service.config import Settings
from service.resources import load_matching, load_skill_space_for

ROOT = Path(__file__).resolve().parent.parent
JUDGMENTS = ROOT / "tests" / "data" / "recommendation_judgments.csv"
REPORT = ROOT / "reports" / "recommendations.md"
RANKINGS: dict[str, Weights] = {"ranking": DEFAULT_WEIGHTS, "text only": TEXT_ONLY, "skill overlap only": SKILLS_ONLY}
EXAMPLES = ("PSW", "data analyst", "infirmière auxiliaire", "comptable")


@dataclass(frozen=True)
class Query:
    text: str
    lang: str
    noc_code: str
    grades: dict[str, int]


def read_judgments(path: Path) -> list[Query]:
    grades: dict[tuple[str, str, str], dict[str, int]] = defaultdict(dict)
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            grades[(row["query"], row["lang"], row["noc_code"])][row["course"]] = int(row["grade"])
    return [Query(text, lang, code, found) for (text, lang, code), found in grades.items()]


def precision_at_10(keys: list[str], grades: dict[str, int]) -> float:
    return sum(1 for key in keys[:10] if grades.get(key, 0) >= 1) / 10


def ndcg_at_10(keys: list[str], grades: dict[str, int]) -> float:
    dcg = sum((2 ** grades.get(key, 0) - 1) / math.log2(place + 2) for place, key in enumerate(keys[:10]))
    ideal = sorted(grades.values(), reverse=True)[:10]
    best = sum((2**grade - 1) / math.log2(place + 2) for place, grade in enumerate(ideal))
    return dcg / best if best else 0.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report", type=Path, default=REPORT)
    args = parser.parse_args()
    settings = Settings()
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    matching = load_matching(session_factory, settings.matcher_backend, settings.index_dir, settings.data_dir)
    if matching is None:
        print("import the reference data first (make run)", file=sys.stderr)
        return 2
    space = load_skill_space_for(session_factory, settings.data_dir, matching.matcher.embedder, settings.index_dir)
    assert space is not None
    queries = read_judgments(JUDGMENTS)
    results: dict[str, dict[str, tuple[float, float, float, str]]] = {}
    examples: dict[str, Recommendation] = {}
    with session_factory() as session:
        for name, weights in RANKINGS.items():
            recommender = Recommender(matching.matcher, space, settings.max_institution_share, weights)
            results[name] = {}
            for query in queries:
                answer = recommender.recommend(session, RecommendationRequest(job_title=query.text, lang=query.lang))
                keys = [program.course.key for program in answer.programs]
                judged = sum(1 for key in keys[:10] if key in query.grades) / 10
                matched = answer.occupation.noc_code if answer.occupation else "none"
                results[name][query.text] = (
                    precision_at_10(keys, query.grades),
                    ndcg_at_10(keys, query.grades),
                    judged,
                    matched,
                )
                if name == "ranking" and query.text in EXAMPLES:
                    examples[query.text] = answer
    matching.close()
    engine.dispose()
    args.report.write_text(render(queries, results, examples, space), encoding="utf-8")
    for name, rows in results.items():
        precision = statistics.mean(row[0] for row in rows.values())
        ndcg = statistics.mean(row[1] for row in rows.values())
        print(f"{name:<20} P@10 {precision:.3f}  nDCG@10 {ndcg:.3f}")
    print(f"report written to {args.report}")
    return 0


def render(
    queries: list[Query],
    results: dict[str, dict[str, tuple[float, float, float, str]]],
    examples: dict[str, Recommendation],
    space: SkillSpace,
) -> str:
    lines = [
        "# Program recommendations: relevance",
        "",
        "Written by `scripts/eval_recommendations.py` from the graded judgments in",
        "`tests/data/recommendation_judgments.csv` (20 occupations, 10 asked in French, 488 judged programs of the",
        "four sample catalogs, graded 0 not relevant, 1 partly, 2 relevant; written before the ranking was tuned).",
        f"Skill space: `{space.key}`. Programs that were not judged count as not relevant, so the figures are",
        "lower bounds; `judged@10` is the share of the first ten that were judged.",
        "",
        "| ranking | precision@10 | nDCG@10 | judged@10 |",
        "|---|---|---|---|",
    ]
    for name, rows in results.items():
        values = list(rows.values())
        lines.append(
            f"| {name} | {statistics.mean(v[0] for v in values):.3f} | {statistics.mean(v[1] for v in values):.3f} "
            f"| {statistics.mean(v[2] for v in values):.2f} |"
        )
    lines += ["", "By language of the query:", "", "| ranking | lang | precision@10 | nDCG@10 |", "|---|---|---|---|"]
    for name, rows in results.items():
        for lang in ("en", "fr"):
            values = [rows[q.text] for q in queries if q.lang == lang]
            lines.append(
                f"| {name} | {lang} | {statistics.mean(v[0] for v in values):.3f} "
                f"| {statistics.mean(v[1] for v in values):.3f} |"
            )
    lines += [
        "",
        "## Per query (the ranking)",
        "",
        "| query | lang | judged NOC | matched NOC | P@10 | nDCG@10 | text only nDCG | skills only nDCG |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for query in queries:
        p, n, _, matched = results["ranking"][query.text]
        lines.append(
            f"| {query.text} | {query.lang} | {query.noc_code} | {matched} | {p:.1f} | {n:.2f} "
            f"| {results['text only'][query.text][1]:.2f} | {results['skill overlap only'][query.text][1]:.2f} |"
        )
    lines += ["", "## Examples", ""]
    for text, answer in examples.items():
        occupation = answer.occupation
        title = f"{occupation.noc_code} {occupation.title}" if occupation else "no match"
        lines += [f"### “{text}” → {title}", ""]
        for program in answer.programs[:5]:
            lines.append(
                f"{program.rank}. **{program.course.title}** ({program.course.institution_name}): {program.reason}"
            )
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
