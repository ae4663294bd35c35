"""Benchmark of recommendations: latency over HTTP with the four sample catalogs loaded, upload and
tagging time of the 3,404-row Coursera catalog, and the server's memory → reports/bench_recommendations.md.

    .venv/bin/python scripts/bench_recommendations.py [--requests N]

Run after `make run` has imported the data, built the index and loaded the samples (it uses the
configured database and index; the Coursera upload is rolled back, so nothing changes).
Targets: p50 ≤ 50 ms, p99 ≤ 150 ms.
"""

import argparse
import os
import platform
import random
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy.orm import Session

from accounts.institutions import create_institution
from catalog.samples import SAMPLES
from catalog.uploads import TAGGED, upload_catalog
from models.database import create_database_engine, create_session_factory
from service.config import UNLIMITED_RATES, Settings
from service.resources import load_skill_space_for

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORT = REPO_ROOT / "reports" / "bench_recommendations.md"
# Typed the way people type: abbreviations, seniority, accents or none, both languages.
TITLES = [
    "PSW", "Sr. backend dev", "data analyst", "line cook", "truck driver", "web designer", "mechanical engineer",
    "marketing coordinator", "cybersecurity analyst", "bookkeeper", "RN", "electrician apprentice", "welder",
    "early childhood educator", "HR manager", "accountant", "pastry chef", "customer service rep", "carpenter",
    "software developer", "infirmière auxiliaire", "comptable", "électricien", "éducatrice en petite enfance",
    "soudeur", "gestionnaire des ressources humaines", "ingénieur en aérospatiale", "esthéticienne",
    "agent de service à la clientèle", "pâtissière", "infirmiere", "programmeur", "plombier", "camionneur",
    "technicienne comptable", "cuisinier", "analyste de données", "préposé aux bénéficiaires", "mécanicien",
    "enseignante",
]  # fmt: skip
REGIONS = [None, "ER3530", "ON", "QC", "ER2465", "BC"]


def bodies(count: int) -> list[dict[str, object]]:
    rng = random.Random(2026)
    made = []
    for _ in range(count):
        body: dict[str, object] = {"job_title": rng.choice(TITLES)}
        region = rng.choice(REGIONS)
        if region:
            body["region"] = region
        if rng.random() < 0.3:
            body["skills"] = rng.sample(["Excel", "customer service", "soins", "Python", "comptabilité", "welding"], 2)
        if rng.random() < 0.2:
            body["current_job_title"] = rng.choice(TITLES)
        made.append(body)
    return made


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def over_http(count: int) -> tuple[list[float], float, float]:
    """Latencies (ms) of `count` requests after a warm-up, the server's start-up seconds and its RSS (MB)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, **UNLIMITED_RATES, "LMI_LOG_LEVEL": "warning", "OMP_NUM_THREADS": "1"}
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env, cwd=REPO_ROOT
    )
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) as client:
            for _ in range(3000):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.1)
            startup = time.perf_counter() - started
            for body in bodies(40):  # warm-up: the catalog snapshot, caches
                client.post("/v1/recommendations", json=body)
            latencies = []
            for body in bodies(count):
                sent = time.perf_counter()
                response = client.post("/v1/recommendations", json=body)
                latencies.append((time.perf_counter() - sent) * 1000)
                if response.status_code != 200:
                    raise SystemExit(f"{body}: {response.status_code} {response.text[:300]}")
            return latencies, startup, rss_mb(server.pid)
    finally:
        server.terminate()
        server.wait(30)


def coursera_upload_seconds(settings: Settings) -> tuple[float, float, int]:
    """Upload and tagging of the Coursera sample as a new institution, rolled back: (total s, tagging s, courses)."""
    engine = create_database_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    space = load_skill_space_for(session_factory, settings.data_dir, None, settings.index_dir)
    assert space is not None, "import the reference data first (make run)"
    sample = next(sample for sample in SAMPLES if sample.slug == "coursera")
    content = (settings.data_dir / sample.path).read_bytes()
    tagging = [0.0, 0.0]

    def progress(stage: str, _: int) -> None:
        if stage == TAGGED:
            tagging[1] = time.perf_counter()
            if not tagging[0]:
                tagging[0] = time.perf_counter()

    with Session(engine) as session:
        institution = create_institution(session, "Benchmark Coursera", "benchmark-coursera")
        started = time.perf_counter()
        result = upload_catalog(
            session, institution, content, sample.file_format, mapping=sample.mapping, on_error="skip",
            progress=progress, skill_space=space,
        )  # fmt: skip
        session.flush()
        total = time.perf_counter() - started
        session.rollback()
    engine.dispose()
    return total, tagging[1] - started, result.courses


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=400)
    args = parser.parse_args()
    settings = Settings()
    total, tagging, courses = coursera_upload_seconds(settings)
    latencies, startup, memory = over_http(args.requests)
    cuts = statistics.quantiles(latencies, n=100)
    p50, p99 = cuts[49], cuts[98]
    report = "\n".join(
        [
            "# Recommendations: speed and memory",
            "",
            "Written by `scripts/bench_recommendations.py` on "
            f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}; "
            f"database `{settings.database_url.split(':', 1)[0]}`, matcher `{settings.matcher_backend}`.",
            "",
            "| measure | value | target |",
            "|---|---|---|",
            f"| recommendation p50 over HTTP ({len(latencies)} requests, one client) | {p50:.1f} ms | ≤ 50 ms |",
            f"| recommendation p99 over HTTP | {p99:.1f} ms | ≤ 150 ms |",
            f"| mean | {statistics.mean(latencies):.1f} ms | |",
            f"| upload of the Coursera catalog ({courses:,} courses kept of 3,404 rows), tagging and linking included "
            f"| {total:.1f} s | |",
            f"| of which tagging and linking (embedding every course) | {tagging:.1f} s | |",
            f"| server start-up with the indexes cached | {startup:.1f} s | |",
            f"| server memory (RSS) after the run | {memory:.0f} MB | |",
            "",
            "Requests mix 40 job titles typed the way people type (20 English, 20 French), with a region in 5 of 6,",
            "listed skills in 3 of 10 and a current job in 1 of 5. The server runs with `OMP_NUM_THREADS=1`.",
            "",
        ]
    )
    REPORT.write_text(report, encoding="utf-8")
    print(report)


if __name__ == "__main__":
    main()
