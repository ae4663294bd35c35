"""Markdown rendering of the matcher evaluation (`scripts/eval_matching.py` → reports/matching.md)."""

import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path

from matching.backends import NO_EMBEDDINGS
from matching.evaluation import RankingScores, expected_calibration_error, ranking_scores, reliability
from matching.fusion import FEATURES, Calibration

TARGETS = (
    ("people queries (test half) top-1", "≥ 0.80"),
    ("people queries (test half) top-5", "≥ 0.93"),
    ("held-out top-1, English", "≥ 0.90"),
    ("held-out top-1, French", "≥ 0.90"),
    ("held-out top-5, English", "≥ 0.98"),
    ("held-out top-5, French", "≥ 0.98"),
    ("HTTP search p50", "≤ 15 ms"),
    ("HTTP search p99", "≤ 50 ms"),
    ("batch", "≥ 300 titles/s"),
    ("index build from scratch", "≤ 10 min"),
    ("start with a cached index", "≤ 3 s"),
)
LANGUAGES = ("en", "fr", "all")
RELIABILITY_EDGES = (0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0)


def label(backend: str) -> str:
    """How a method is named in the report: the lexical matcher alone, or fused with a backend."""
    return "fuzzy only" if backend == NO_EMBEDDINGS else f"hybrid ({backend})"


def render(
    holdout_queries: Sequence,
    holdout_sections: Mapping,
    cross_fitted: Mapping[str, Sequence[Sequence[tuple[float, str]]]],
    realistic: Sequence,
    realistic_sections: Mapping,
    realistic_no_match: Mapping[str, tuple[float, float]],
    people: Sequence,
    people_results: Mapping,
    calibrations: Mapping[str, Calibration],
    default: str,
    performance: Mapping,
    seconds: float,
    *,
    today: str,
    machine: str,
) -> str:
    lines = [
        "# Matching engine: evaluation",
        "",
        f"Measured {today} on {machine}, commit `{_commit()}`, by `scripts/eval_matching.py` "
        f"({seconds / 60:.1f} min). Default backend chosen from these figures: **{default}** "
        "(best mean of English and French held-out top-1 for the hybrid).",
        "",
    ]
    people_sections = {name: _people_section(people, results) for name, results in people_results.items()}
    lines += _summary(holdout_sections, people_sections.get(label(default)), default, performance)
    lines += _people(people, people_results, people_sections)
    lines += _holdout(holdout_queries, holdout_sections, default)
    lines += _calibration(holdout_queries, cross_fitted, calibrations, default)
    lines += _realistic(realistic, realistic_sections, realistic_no_match)
    lines += _performance(performance, default)
    return "\n".join(lines) + "\n"


def _commit() -> str:
    try:
        return subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
            cwd=Path(__file__).resolve().parent,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def _summary(sections: Mapping, people: Mapping | None, default: str, performance: Mapping) -> list[str]:
    hybrid = sections[label(default)].overall
    people_all = people["jobs"]["all"] if people else None
    build = performance.get("index build (s)", {})
    from_scratch = [value for name, value in build.items() if name.startswith(f"{default} full, from scratch")]
    cached = [value for name, value in build.items() if name.startswith(f"{default} full (")]
    build_text = (
        f"{from_scratch[0] / 60:.1f} min"
        if from_scratch
        else f"not timed in this run (--time-build); the cached index's own build took {cached[0] / 60:.1f} min"
        if cached
        else "not measured"
    )
    measured = (
        f"{people_all.top1:.3f}" if people_all else "not measured",
        f"{people_all.top5:.3f}" if people_all else "not measured",
        f"{hybrid['en'].top1:.3f}",
        f"{hybrid['fr'].top1:.3f}",
        f"{hybrid['en'].top5:.3f}",
        f"{hybrid['fr'].top5:.3f}",
        _ms(performance.get("HTTP p50 (ms)")),
        _ms(performance.get("HTTP p99 (ms)")),
        _batch_rates(performance),
        build_text,
        _seconds(performance.get("start with a cached index (s)")),
    )
    lines = ["## Targets", "", "| figure | target | measured |", "|---|---|---|"]
    lines += [f"| {name} | {target} | {value} |" for (name, target), value in zip(TARGETS, measured, strict=True)]
    return [*lines, ""]


def _ms(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} ms"


def _seconds(value: float | None) -> str:
    return "not measured" if value is None else f"{value:.1f} s"


def _scores_row(label: str, lang: str, scores: RankingScores) -> str:
    return (
        f"| {label} | {lang} | {scores.count:,} | {scores.top1:.3f} | {scores.top3:.3f} | {scores.top5:.3f} "
        f"| {scores.mrr:.3f} | {scores.no_match_rate:.3f} |"
    )


SCORES_HEADER = [
    "| method | lang | queries | top-1 | top-3 | top-5 | MRR | no match |",
    "|---|---|---:|---:|---:|---:|---:|---:|",
]


def _holdout(queries: Sequence, sections: Mapping, default: str) -> list[str]:
    by_lang = {lang: sum(q.lang == lang for q in queries) for lang in ("en", "fr")}
    lines = [
        "## Held-out index titles",
        "",
        f"A stratified 5% of the index titles ({by_lang['en']:,} English, {by_lang['fr']:,} French; every 20th "
        "title of each language after shuffling inside each unit group, seed 2021) were removed from the "
        "lexicon and the embedding index, then searched as typed (language detected, `lang=auto`). "
        "A query counts as right at rank k when its own unit group is among the first k results; "
        '"no match" counts as wrong. The hybrid\'s figures are out of sample: each half of the '
        'queries is scored with fusion weights fitted on the other half. "Embeddings only" ranks unit '
        "groups by their best title's cosine similarity.",
        "",
        *SCORES_HEADER,
    ]
    for name, section in sections.items():
        lines += [_scores_row(name, lang, section.overall[lang]) for lang in LANGUAGES]
    lines += [
        "",
        f"### By TEER (top-1 / top-5), {label(default)} and fuzzy only",
        "",
        "| TEER | queries EN / FR | default EN | default FR | fuzzy only EN | fuzzy only FR |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    hybrid = sections[label(default)].by_stratum
    fuzzy = sections["fuzzy only"].by_stratum
    for teer in sorted(hybrid):
        h, f = hybrid[teer], fuzzy[teer]
        lines.append(
            f"| {teer} | {h['en'].count:,} / {h['fr'].count:,} | {h['en'].top1:.3f} / {h['en'].top5:.3f} "
            f"| {h['fr'].top1:.3f} / {h['fr'].top5:.3f} | {f['en'].top1:.3f} / {f['en'].top5:.3f} "
            f"| {f['fr'].top1:.3f} / {f['fr'].top5:.3f} |"
        )
    return [*lines, ""]


def _calibration(
    queries: Sequence, cross_fitted: Mapping, calibrations: Mapping[str, Calibration], default: str
) -> list[str]:
    lines = [
        "## Calibration",
        "",
        "`score` is a logistic function of the evidence about a unit group (below), fitted per backend on "
        "the held-out titles. The table checks it out of sample: the first result of every held-out "
        "query, binned by score, against how often it was right. Bars: ■ observed accuracy, "
        "│ the mean score (a calibrated score puts the bar end at the mark).",
        "",
    ]
    for backend, rankings in cross_fitted.items():
        scores = [ranking[0][0] for ranking in rankings if ranking]
        correct = [ranking[0][1] in query.expected for query, ranking in zip(queries, rankings, strict=True) if ranking]
        bins = reliability(scores, correct, RELIABILITY_EDGES)
        lines += [
            f"### {label(backend)}: expected calibration error {expected_calibration_error(bins):.3f}",
            "",
            "| score | results | mean score | right | |",
            "|---|---:|---:|---:|---|",
        ]
        for b in bins:
            lines.append(
                f"| {b.low:.1f}–{b.high:.1f} | {b.count:,} | {b.mean_score:.3f} | {b.accuracy:.3f} "
                f"| `{_bar(b.accuracy, b.mean_score)}` |"
            )
        lines.append("")
    first = calibrations[default]
    lines += [
        f"Confidence bands: **high** ≥ {first.high_threshold}, **medium** ≥ {first.medium_threshold}, "
        f"otherwise low; **no match** when the best score is below {first.no_match_threshold} "
        "(less than a 15% chance of being right).",
        "",
        "Fitted weights (`matching/calibration.json`):",
        "",
        "| feature | " + " | ".join(calibrations) + " |",
        "|---|" + "---:|" * len(calibrations),
    ]
    for position, feature in enumerate(FEATURES):
        lines.append(
            f"| {feature} | " + " | ".join(f"{c.weights[position]:+.2f}" for c in calibrations.values()) + " |"
        )
    lines.append("| bias | " + " | ".join(f"{c.bias:+.2f}" for c in calibrations.values()) + " |")
    return [*lines, ""]


def _bar(accuracy: float, mean_score: float, width: int = 20) -> str:
    filled = round(accuracy * width)
    mark = min(width - 1, round(mean_score * width))
    cells = ["■" if position < filled else " " for position in range(width)]
    cells[mark] = "│"
    return "".join(cells)


def _people_section(queries: Sequence, results: object) -> dict:
    """Ranking scores of the job titles by language and by kind × language, and the non-answers."""
    rankings = results.rankings  # type: ignore[attr-defined]
    jobs = [(q, r) for q, r in zip(queries, rankings, strict=True) if q.expected]
    section: dict = {"jobs": {}, "kinds": {}, "non_answers": {}, "missed": {}}
    for lang in LANGUAGES:
        chosen = [(q, r) for q, r in jobs if lang in ("all", q.lang)]
        section["jobs"][lang] = ranking_scores([r for _, r in chosen], [q.expected for q, _ in chosen])
        section["missed"][lang] = sum(not r for _, r in chosen) / max(1, len(chosen))
        non = [r for q, r in zip(queries, rankings, strict=True) if not q.expected and lang in ("all", q.lang)]
        section["non_answers"][lang] = (sum(not r for r in non) / max(1, len(non)), len(non))
    for kind in sorted({q.stratum for q, _ in jobs}):
        for lang in LANGUAGES:
            chosen = [(q, r) for q, r in jobs if q.stratum == kind and lang in ("all", q.lang)]
            if chosen:
                scores = ranking_scores([r for _, r in chosen], [q.expected for q, _ in chosen])
                section["kinds"][(kind, lang)] = scores
    firsts = [
        (score, r[0] in q.expected)
        for q, r, score in zip(queries, rankings, results.first_scores, strict=True)  # type: ignore[attr-defined]
        if r and q.expected
    ]
    section["bins"] = reliability([s for s, _ in firsts], [c for _, c in firsts], RELIABILITY_EDGES)
    return section


def _people(queries: Sequence, results: Mapping, sections: Mapping) -> list[str]:
    jobs = [q for q in queries if q.expected]
    counts = {lang: sum(q.lang == lang for q in jobs) for lang in ("en", "fr")}
    non = {lang: sum(q.lang == lang and not q.expected for q in queries) for lang in ("en", "fr")}
    lines = [
        "## People queries: the test half",
        "",
        "`tests/data/people_queries_en.csv` and `people_queries_fr.csv` hold job titles written for this "
        "evaluation the way people type them in a survey or a career portal, not the index's wording: generic "
        "titles that the industry or duties decide, employers and brands, colloquial and new titles, titles of "
        "other countries' systems, multi-job answers, abbreviations, typos, job-ad noise, and non-answers, each "
        "coded to the unit group a careful coder would choose (a few accept two or three). Within each language "
        "and kind they are split in two halves by a hash of their text; the tuning half is fitted with the "
        "held-out titles (calibration) and looked at while building; **only the test half is reported here**: "
        f"{len(jobs)} job titles ({counts['en']} English, {counts['fr']} French) and "
        f"{non['en'] + non['fr']} non-answers ({non['en']} English, {non['fr']} French). "
        "Searched as `POST /v1/occupations/search/batch` does, with the industry and duties given, `lang=auto`. "
        '"before" is the matcher as it was before this round (rankings written by `scripts/eval_baseline.py`; '
        "it had no duties, and took the industry as a tie-breaker).",
        "",
        *SCORES_HEADER,
    ]
    for name, section in sections.items():
        lines += [_scores_row(name, lang, section["jobs"][lang]) for lang in LANGUAGES]
    lines += [
        "",
        '| method | non-answers answered "no match" (EN / FR) | job titles wrongly answered "no match" (EN / FR) '
        "| expected calibration error of the first result |",
        "|---|---:|---:|---:|",
    ]
    for name, section in sections.items():
        en, fr = section["non_answers"]["en"][0], section["non_answers"]["fr"][0]
        lines.append(
            f"| {name} | {en:.3f} / {fr:.3f} | {section['missed']['en']:.3f} / {section['missed']['fr']:.3f} "
            f"| {expected_calibration_error(section['bins']):.3f} |"
        )
    names = list(sections)
    lines += [
        "",
        "### By kind and language (top-1 / top-5)",
        "",
        "| kind | lang | queries | " + " | ".join(names) + " |",
        "|---|---|---:|" + "---:|" * len(names),
    ]
    kinds = sorted({kind for section in sections.values() for kind, _ in section["kinds"]})
    for kind in kinds:
        for lang in LANGUAGES:
            cells, count = [], 0
            for section in sections.values():
                scores = section["kinds"].get((kind, lang))
                if scores is not None:
                    count = scores.count
                cells.append(f"{scores.top1:.3f} / {scores.top5:.3f}" if scores else "–")
            if count:
                lines.append(f"| {kind} | {lang} | {count} | " + " | ".join(cells) + " |")
    last = names[-1]
    lines += [
        "",
        f"### Calibration on the test half ({last})",
        "",
        "The first result of each job title, binned by score, against how often it was right.",
        "",
        "| score | results | mean score | right | |",
        "|---|---:|---:|---:|---|",
    ]
    for b in sections[last]["bins"]:
        lines.append(
            f"| {b.low:.1f}–{b.high:.1f} | {b.count:,} | {b.mean_score:.3f} | {b.accuracy:.3f} "
            f"| `{_bar(b.accuracy, b.mean_score)}` |"
        )
    return [*lines, ""]


def _realistic(queries: Sequence, sections: Mapping, no_match: Mapping[str, tuple[float, float]]) -> list[str]:
    jobs = [q for q in queries if q.expected]
    non_jobs = len(queries) - len(jobs)
    lines = [
        "## Realistic queries, first set (`tests/data/realistic_queries.csv`)",
        "",
        f"{len(queries)} queries written for this test, not taken from the index: {len(jobs)} job titles "
        f"({sum(q.lang == 'en' for q in jobs)} English, {sum(q.lang == 'fr' for q in jobs)} French) "
        "as people type them "
        f"(typos, abbreviations, job-ad noise, French without accents, gendered forms) and {non_jobs} inputs that "
        "are not jobs. Searched against the full index with the fitted weights, `lang=auto`. A few queries accept "
        "two or three unit groups a careful coder would accept.",
        "",
        *SCORES_HEADER,
    ]
    for name, section in sections.items():
        lines += [_scores_row(name, lang, section.overall[lang]) for lang in LANGUAGES]
    lines += [
        "",
        '| method | non-jobs answered "no match" | job titles wrongly answered "no match" |',
        "|---|---:|---:|",
    ]
    for name, (rejected, missed) in no_match.items():
        lines.append(f"| {name} | {rejected:.3f} | {missed:.3f} |")
    lines += [
        "",
        "### By category (top-1 / top-5, all languages)",
        "",
        "| category | queries | " + " | ".join(sections) + " |",
        "|---|---:|" + "---:|" * len(sections),
    ]
    categories = sorted({category for section in sections.values() for category in section.by_stratum})
    for category in categories:
        cells = []
        count = 0
        for section in sections.values():
            scores = section.by_stratum[category]["all"]
            count = scores.count
            cells.append(f"{scores.top1:.3f} / {scores.top5:.3f}")
        lines.append(f"| {category} | {count} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def _batch_rates(performance: Mapping) -> str:
    rates = f"{performance['batch titles/s']:.0f} held-out titles/s"
    if "batch people queries/s" in performance:
        rates += f", {performance['batch people queries/s']:.0f} people queries/s"
    return rates


def _performance(performance: Mapping, default: str) -> list[str]:
    lines = [
        f"## Speed and memory ({default})",
        "",
        f"Single searches: {performance['queries timed']} distinct queries as people type them (the realistic "
        "queries and the tuning half of the people queries; about a fifth are index titles, answered from their "
        "words alone), one at a time, after a warm-up, in a fresh process holding only this backend. "
        "HTTP: the realistic and all the people queries, sent one after another to `lmi serve` (uvicorn, one "
        "worker) started on the cached index, one in four of them while a batch of 1,000 new 200-character "
        "titles runs; its start is the median of three, from launch to the first `200` from `/readyz`. "
        "Batch: `search_many` in chunks of 1,000 over "
        f"{performance['batch titles']:,} held-out titles and over the "
        f"{performance.get('batch people queries', 0):,} people queries of the test half with their industry "
        "and duties, none searched before (the matcher keeps the vectors of recent queries, so repeated titles "
        "would be faster). On the full index most held-out titles are index titles, whose words alone decide; "
        "the people queries, most of them embedded, are the figure for a researcher's file of survey answers.",
        "",
        "| figure | value |",
        "|---|---:|",
    ]
    for name, value in performance.items():
        if name in ("index build (s)", "queries timed", "batch titles", "batch people queries"):
            continue
        lines.append(f"| {name} | {value:,.1f} |")
    lines += [
        "",
        "Index builds (embedding every distinct title, then the HNSW graph; a build reuses the "
        "vectors of texts a cached index of the same model already holds, so only the first build of "
        "each model is from scratch):",
        "",
        "| index | seconds |",
        "|---|---:|",
    ]
    for name, seconds in performance.get("index build (s)", {}).items():
        lines.append(f"| {name} | {seconds:,.0f} |")
    return [*lines, ""]
