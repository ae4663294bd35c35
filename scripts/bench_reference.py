"""Benchmark of the reference store: import time, database size, profile latency (p50/p99).

    .venv/bin/python scripts/bench_reference.py [--postgres-url URL] [--requests N]

Prints a Markdown report and writes it to reports/reference.md.
"""

import argparse
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from labour_market.importing.runner import import_reference
from models.database import create_database_engine
from models.geography import Region
from models.occupations import NocClass
from service.app import create_app
from service.config import UNLIMITED_RATES, Settings

REPO_ROOT = Path(__file__).resolve().parent.parent


def percentile(samples: list[float], fraction: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def timed_import(url: str, data_dir: Path) -> float:
    engine = create_database_engine(url)
    started = time.perf_counter()
    import_reference(engine, data_dir, show_progress=False)
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed


def profile_paths(url: str, count: int) -> list[str]:
    engine = create_database_engine(url)
    with engine.connect() as connection:
        codes = list(connection.scalars(select(NocClass.code).where(NocClass.level == 5)))
        regions = list(connection.scalars(select(Region.wage_code)))
    engine.dispose()
    rng = random.Random(2021)
    return [
        f"/v1/occupations/{rng.choice(codes)}?lang={rng.choice(['en', 'fr'])}&region={rng.choice(regions)}"
        for _ in range(count)
    ]


def latencies_ms(get: Callable[[str], int], paths: list[str]) -> list[float]:
    for path in paths[:20]:  # warm-up
        get(path)
    samples = []
    for path in paths:
        started = time.perf_counter()
        status = get(path)
        samples.append((time.perf_counter() - started) * 1000)
        assert status == 200, (path, status)
    return samples


def in_process(url: str, data_dir: Path, paths: list[str]) -> list[float]:
    with TestClient(create_app(Settings(database_url=url, data_dir=data_dir, matcher_backend="none"))) as client:
        return latencies_ms(lambda path: client.get(path).status_code, paths)


def over_http(url: str, data_dir: Path, paths: list[str]) -> list[float]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {
        **os.environ,
        **UNLIMITED_RATES,
        "DATABASE_URL": url,
        "LMI_DATA_DIR": str(data_dir),
        "LMI_LOG_LEVEL": "warning",
        "LMI_MATCHER_BACKEND": "none",
    }
    server = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env, cwd=REPO_ROOT
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=10) as client:
            for _ in range(300):  # the matcher is built at startup (a few seconds)
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.1)
            return latencies_ms(lambda path: client.get(path).status_code, paths)
    finally:
        server.terminate()
        server.wait(10)


def postgres_schema_url(admin_url: str) -> tuple[str, str]:
    schema = f"lmi_bench_{uuid.uuid4().hex[:8]}"
    engine = create_database_engine(admin_url)
    with engine.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    url = make_url(admin_url).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False), schema


def postgres_size_mb(admin_url: str, schema: str) -> float:
    engine = create_database_engine(admin_url)
    with engine.connect() as connection:
        size = connection.scalar(
            text(
                "SELECT sum(pg_total_relation_size(format('%I.%I', schemaname, tablename))) "
                "FROM pg_tables WHERE schemaname = :schema"
            ),
            {"schema": schema},
        )
    engine.dispose()
    return float(size or 0) / 1e6


def drop_schema(admin_url: str, schema: str) -> None:
    engine = create_database_engine(admin_url)
    with engine.begin() as connection:
        connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", type=Path, default=Settings().data_dir)
    parser.add_argument(
        "--postgres-url", help="also measure PostgreSQL, e.g. postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--output", type=Path, default=REPO_ROOT / "reports" / "reference.md")
    args = parser.parse_args()
    data_dir = args.data_dir.resolve()

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        sqlite_file = Path(tmp) / "bench.sqlite3"
        backends = [("SQLite", f"sqlite:///{sqlite_file}", None)]
        if args.postgres_url:
            url, schema = postgres_schema_url(args.postgres_url)
            backends.append(("PostgreSQL", url, schema))
        for name, url, schema in backends:
            print(f"{name}: importing…", file=sys.stderr)
            import_seconds = timed_import(url, data_dir)
            if schema is None:
                size_mb = sum(p.stat().st_size for p in Path(tmp).glob("bench.sqlite3*")) / 1e6
            else:
                size_mb = postgres_size_mb(args.postgres_url, schema)
            paths = profile_paths(url, args.requests)
            print(f"{name}: {len(paths)} profile requests in process and over HTTP…", file=sys.stderr)
            local = in_process(url, data_dir, paths)
            remote = over_http(url, data_dir, paths)
            rows.append((name, import_seconds, size_mb, local, remote))
            if schema is not None:
                drop_schema(args.postgres_url, schema)

    lines = [
        "# Reference store benchmark",
        "",
        f"Measured by `scripts/bench_reference.py` on {os.cpu_count()} cores; import from an empty database, "
        f"{args.requests} profile requests (random unit group, language and region, one client, keep-alive).",
        "",
        "| database | import (s) | size (MB) | profile p50 in process (ms) | p99 in process (ms) "
        "| p50 over HTTP (ms) | p99 over HTTP (ms) |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, import_seconds, size_mb, local, remote in rows:
        lines.append(
            f"| {name} | {import_seconds:.1f} | {size_mb:.1f} | {statistics.median(local):.1f} | "
            f"{percentile(local, 0.99):.1f} | {statistics.median(remote):.1f} | {percentile(remote, 0.99):.1f} |"
        )
    report = "\n".join(lines) + "\n"
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(report)
    print(report)


if __name__ == "__main__":
    main()
