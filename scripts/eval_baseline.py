"""Rankings of an earlier version of the matcher on the people queries, for the report's "before".

Run it with that version's code first on the path, e.g. from a worktree of the earlier commit:

    git worktree add /tmp/before cba562b
    PYTHONPATH=/tmp/before .venv/bin/python scripts/eval_baseline.py --label cba562b

It uses only what every version has (`assemble_matcher`, `search_many` of (title, industry) pairs)
and writes `reports/matching_baseline.json`: per query, the codes ranked and the first score.
"""

import argparse
import csv
import json
import sys
from pathlib import Path

from matching.assembly import assemble_matcher
from models.database import create_database_engine, create_session_factory
from service.config import Settings
from service.resources import read_lexicon_sources

REPOSITORY = Path(__file__).resolve().parent.parent
PEOPLE_QUERIES = (
    REPOSITORY / "tests" / "data" / "people_queries_en.csv",
    REPOSITORY / "tests" / "data" / "people_queries_fr.csv",
)
OUTPUT = REPOSITORY / "reports" / "matching_baseline.json"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--label", required=True, help="the version measured (a commit)")
    parser.add_argument("--backend", default="e5")
    arguments = parser.parse_args()
    settings = Settings()
    engine = create_database_engine(settings.database_url)
    with create_session_factory(engine)() as session:
        lexicon = read_lexicon_sources(session).build()
    engine.dispose()
    rows = [row for path in PEOPLE_QUERIES for row in csv.DictReader(path.open(encoding="utf-8", newline=""))]
    matcher = assemble_matcher(lexicon, arguments.backend, settings.index_dir)
    results = matcher.search_many([(row["query"], row["industry"] or None) for row in rows], "auto", 10)
    rankings = {
        f"{row['lang']}\t{row['query']}\t{row['industry']}\t{row['duties']}": {
            "codes": [] if result.no_match else [match.noc_code for match in result.results],
            "score": result.results[0].score if result.results else 0.0,
        }
        for row, result in zip(rows, results, strict=True)
    }
    OUTPUT.write_text(
        json.dumps(
            {"label": arguments.label, "backend": arguments.backend, "rankings": rankings}, ensure_ascii=False, indent=0
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {OUTPUT.relative_to(REPOSITORY)}: {len(rankings):,} queries", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
