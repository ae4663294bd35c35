"""Measure `lmi code` locally and on a local Ray cluster of 1 and 2 workers, per core, on job-posting
titles, and write `reports/batch_cluster.md` with what 100 M of them would take on a cloud cluster.

The titles are published NOC titles (English and French, from the reference title file) dressed as job
postings write them: seniority, city, pay, schedule, "URGENT HIRING!!!", "(H/F)"... (the "noisy" kind of
`tests/data/people_queries_*.csv`), nearly all distinct, so that the matcher's cache of recent queries
helps little: the pessimistic case. In one run, on the same file:

* local, as `lmi code` runs today: one process, the model's default threads (one per core);
* local, one intra-op thread: the per-core baseline;
* Ray, a local cluster of 1 worker, then of 2 workers (one CPU and one intra-op thread each), through
  `matching.cluster.code_csv_on_cluster`, as `lmi code --engine ray --workers N` runs it;
* the driver's own work, per row: reading the input through (`scan_input`) on a larger file.

Every engine's output is compared with the one-thread local output.

Usage: .venv/bin/python scripts/bench_cluster_coding.py [--titles 3000] [--backend e5] [--seed 7]
Needs the imported database (`lmi import-reference`) and the index built in LMI_INDEX_DIR (`lmi build-index`).
Run it when the machine is otherwise idle: the load average is recorded with each measurement.
"""

import argparse
import csv
import os
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from matching.assembly import assemble_from_snapshot
from matching.cluster import ClusterSummary, code_csv_on_cluster
from matching.coding import CodingSummary, code_csv, inspect_input, scan_input
from matching.esco import ESCO_OCCUPATIONS_FILE
from matching.snapshot import MatchingSnapshot
from models.database import create_database_engine, create_session_factory
from service.config import Settings
from service.resources import read_matching_snapshot

REPOSITORY = Path(__file__).resolve().parents[1]
REPORT = REPOSITORY / "reports" / "batch_cluster.md"
TARGET_TITLES = 100_000_000

# The cluster of the estimate: an assumption, to be checked against the provider's page before use.
VM_TYPE = "AWS EC2 c7a.8xlarge"
VM_VCPUS = 32  # c7a: AMD EPYC 4th generation (Genoa), one vCPU is one physical core (no SMT)
VM_MEMORY_GIB = 64
VM_PRICE_PER_HOUR = 1.642  # USD, on-demand, Linux, us-east-1 (c7a.large: $0.10264/h, × 16)
PRICE_SOURCE = "AWS's public on-demand price list for us-east-1, Linux, as of mid-2025 (assumed; not fetched)"
VM_COUNT = 10
# Load beyond the runs' own: they keep the cores busy (a load average up to about the number of cores), so a
# load average above the cores plus this means other processes shared the machine.
BUSY_LOAD = 1.5

EN_CITIES = ("Toronto, ON", "Vancouver, BC", "Calgary AB", "Winnipeg", "Halifax, NS", "Ottawa", "Etobicoke", "GTA")
FR_CITIES = ("Montréal", "Québec", "Laval", "Sherbrooke", "Gatineau", "Trois-Rivières", "Beauce", "Lévis")
EN_SCHEDULES = ("Full-time", "Part-time", "PT", "weekends", "nights", "Mon-Fri days", "3rd shift", "seasonal")
FR_SCHEDULES = ("temps plein", "temps partiel", "2e quart", "soir et fin de semaine", "de jour", "saisonnier")
EN_TEMPLATES = (
    "{title} - {city} - ${wage}/hr",
    "URGENT HIRING!!! {title} ${wage}/hr {city} {schedule}",
    "Now hiring: {title} ({schedule}) - ${wage}/hr - {city}",
    "Sr. {title} | Hybrid | ${low}-{high}K | {city} | Permanent",
    "{title} - {schedule} - {city} - Apply now",
    "Senior {title} - {city}",
    "Junior {title} (Contract) - Remote",
    "{title} (Bilingual EN/FR) - {city} - ${wage}/h + benefits",
    "{title}",
)
FR_TEMPLATES = (
    "{title} - {schedule} - {wage}$/h - {city}",
    "URGENT!!! {title} recherché - {wage}$/h - {city}",
    "{title} sénior - {high}k$ - {city}",
    "{title} (H/F) - {schedule} - {city}",
    "{title} - poste permanent - {city} - bonus de signature 1000$",
    "{title} junior - télétravail",
    "{title}",
)


@dataclass(frozen=True)
class Measured:
    name: str
    workers: int  # processes coding
    rows: int
    seconds: float  # wall time of the coding, matcher already loaded for the local runs
    load_seconds: float  # loading the matcher (local), or reading + loading + starting until the first rows (Ray)
    busy_seconds: float  # time the coding processes spent coding, added up
    cpu_seconds: float  # CPU time the coding processes spent coding, added up (all their threads)
    peak_mib: float  # local: this benchmark process's peak so far; Ray: the largest worker's
    load_before: float
    load_after: float
    driver_cpu_seconds: float = 0.0  # Ray: the driver's CPU time, from reading the file through to the end

    @property
    def rows_per_second(self) -> float:
        return self.rows / self.seconds

    @property
    def per_worker(self) -> float:
        return self.rows / self.busy_seconds

    @property
    def per_cpu_second(self) -> float:
        return self.rows / self.cpu_seconds


def main() -> int:
    args = _arguments()
    settings = Settings()
    engine = create_database_engine(settings.database_url)
    snapshot = read_matching_snapshot(create_session_factory(engine), settings.index_dir)
    engine.dispose()
    if snapshot is None:
        print("reference data not imported: run `lmi import-reference` first", file=sys.stderr)
        return 2
    esco_file = settings.data_dir / ESCO_OCCUPATIONS_FILE
    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as folder:
        work = Path(folder)
        source = _postings_file(work / "postings.csv", settings.data_dir, args.titles, args.seed)
        runs: list[Measured] = []
        outputs: dict[str, Path] = {}
        for name, threads in (("local, default threads", None), ("local, 1 thread", 1)):
            outputs[name] = work / f"{len(outputs)}.csv"
            runs.append(
                _local(name, snapshot, args.backend, settings.index_dir, esco_file, threads, source, outputs[name])
            )
            _say(runs[-1])
        for workers in (1, 2):
            name = f"Ray, {workers} worker{'s' if workers > 1 else ''}"
            outputs[name] = work / f"{len(outputs)}.csv"
            runs.append(
                _on_ray(name, snapshot, args.backend, settings.index_dir, esco_file, workers, source, outputs[name])
            )
            _say(runs[-1])
        differences = {name: _differences(outputs["local, 1 thread"], path) for name, path in outputs.items()}
        scan_rate, output_bytes = _driver_rates(source, outputs["Ray, 2 workers"], work, args.scan_rows)
    report = _render(args, runs, differences, scan_rate, output_bytes)
    args.report.write_text(report, encoding="utf-8")
    print(f"wrote {args.report}")
    return 0


def _arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--titles", type=int, default=3000, help="job-posting titles to code (default 3000)")
    parser.add_argument("--backend", default="e5", help="matcher backend (default e5)")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--scan-rows", type=int, default=1_000_000, help="rows of the file the driver reads through")
    parser.add_argument("--report", type=Path, default=REPORT)
    return parser.parse_args()


def _postings_file(path: Path, data_dir: Path, count: int, seed: int) -> Path:
    """`count` job-posting titles made of published titles, English and French, one a row."""
    rng = random.Random(seed)
    titles: dict[str, list[str]] = {"en": [], "fr": []}
    with (data_dir / "noc2021" / "job_titles_en_fr.csv").open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            titles[row["lang"]].append(row["job_title"])
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "title"])
        for number in range(count):
            writer.writerow([str(number), _posting(rng, titles, "fr" if rng.random() < 0.3 else "en")])
    return path


def _posting(rng: random.Random, titles: dict[str, list[str]], lang: str) -> str:
    english = lang == "en"
    while True:
        title = rng.choice(titles[lang])
        if rng.random() < 0.15:
            title = title.upper() if rng.random() < 0.5 else title.lower()
        low = rng.randrange(40, 120, 5)
        posting = rng.choice(EN_TEMPLATES if english else FR_TEMPLATES).format(
            title=title,
            city=rng.choice(EN_CITIES if english else FR_CITIES),
            schedule=rng.choice(EN_SCHEDULES if english else FR_SCHEDULES),
            wage=f"{rng.randrange(16, 60)}.{rng.choice(('00', '50', '25'))}" if english else str(rng.randrange(16, 60)),
            low=low,
            high=low + rng.randrange(5, 30, 5),
        )
        if len(posting) <= 200:
            return posting


def _local(
    name: str,
    snapshot: MatchingSnapshot,
    backend: str,
    index_dir: Path,
    esco_file: Path,
    threads: int | None,
    source: Path,
    output: Path,
) -> Measured:
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    with assemble_from_snapshot(
        snapshot, backend, index_dir, progress=False, esco_file=esco_file, threads=threads
    ) as matcher:
        loaded = time.perf_counter()
        cpu = _cpu_seconds()
        summary: CodingSummary = code_csv(matcher, source, output, inspect_input(source, "title", None), progress=False)
        cpu = _cpu_seconds() - cpu
    return Measured(
        name,
        1,
        summary.rows,
        summary.seconds,
        loaded - started,
        summary.seconds,
        cpu,
        resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        load_before,
        os.getloadavg()[0],
    )


def _on_ray(
    name: str,
    snapshot: MatchingSnapshot,
    backend: str,
    index_dir: Path,
    esco_file: Path,
    workers: int,
    source: Path,
    output: Path,
) -> Measured:
    load_before, driver_cpu = os.getloadavg()[0], _cpu_seconds()
    summary: ClusterSummary = code_csv_on_cluster(
        snapshot,
        backend,
        index_dir,
        source,
        output,
        inspect_input(source, "title", None),
        esco_file=esco_file,
        workers=workers,
        progress=False,
    )
    assert summary.workers == workers, summary
    return Measured(
        name,
        workers,
        summary.rows,
        summary.coding_seconds,
        summary.ready_seconds,
        summary.busy_seconds,
        summary.cpu_seconds,
        summary.peak_worker_bytes / 2**20,
        load_before,
        os.getloadavg()[0],
        _cpu_seconds() - driver_cpu,
    )


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _say(run: Measured) -> None:
    print(
        f"{run.name}: {run.rows} rows in {run.seconds:.1f} s ({run.rows_per_second:.1f}/s), "
        f"{run.per_worker:.1f}/s per worker while coding, {run.per_cpu_second:.1f} per CPU-second, "
        f"start {run.load_seconds:.1f} s, "
        f"load {run.load_before:.2f} → {run.load_after:.2f}",
        file=sys.stderr,
    )


def _differences(reference: Path, other: Path) -> tuple[int, int]:
    """Rows whose code differs, rows that differ at all (a score's last digit)."""
    with reference.open(encoding="utf-8", newline="") as left, other.open(encoding="utf-8", newline="") as right:
        pairs = list(zip(csv.DictReader(left), csv.DictReader(right), strict=True))
    codes = sum(a["noc_code"] != b["noc_code"] for a, b in pairs)
    return codes, sum(a != b for a, b in pairs)


def _driver_rates(source: Path, coded: Path, work: Path, rows: int) -> tuple[float, float]:
    """The driver's reading rate (rows/s of scan_input over a file of `rows` rows) and the output's
    bytes per row."""
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    header, body = lines[0], lines[1:]
    big = work / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write(header)
        for start in range(0, rows, len(body)):
            handle.writelines(body[: min(len(body), rows - start)])
    started = time.perf_counter()
    scan = scan_input(big, inspect_input(big, "title", None))
    rate = scan.rows / (time.perf_counter() - started)
    with coded.open(encoding="utf-8", newline="") as handle:
        count = sum(1 for _ in csv.reader(handle)) - 1
    return rate, coded.stat().st_size / count


def _render(
    args: argparse.Namespace,
    runs: Sequence[Measured],
    differences: dict[str, tuple[int, int]],
    scan_rate: float,
    output_bytes: float,
) -> str:
    by_name = {run.name: run for run in runs}
    today, baseline = by_name["local, default threads"], by_name["local, 1 thread"]
    one, two = by_name["Ray, 1 worker"], by_name["Ray, 2 workers"]
    per_core = min(one.per_cpu_second, two.per_cpu_second)  # the lower, to stay on the safe side
    core_hours = TARGET_TITLES / per_core / 3600
    price_per_core_hour = VM_PRICE_PER_HOUR / VM_VCPUS
    cluster_rate = per_core * VM_VCPUS * VM_COUNT
    coding_hours = TARGET_TITLES / cluster_rate / 3600
    scan_hours = TARGET_TITLES / scan_rate / 3600
    start_hours = max(one.load_seconds, two.load_seconds) * 3 / 3600  # workers on many nodes: assume thrice
    wall_hours = scan_hours + start_hours + coding_hours
    cost = wall_hours * VM_COUNT * VM_PRICE_PER_HOUR
    write_rate = cluster_rate * output_bytes / 2**20
    loads = [value for run in runs for value in (run.load_before, run.load_after)]

    def fmt(value: float) -> str:
        return f"{value:,.1f}"

    table = "\n".join(
        f"| {run.name} | {run.workers} | {run.rows:,} | {fmt(run.seconds)} | {fmt(run.rows_per_second)} | "
        f"{fmt(run.per_worker)} | {fmt(run.per_cpu_second)} | {fmt(run.load_seconds)} | {run.peak_mib:,.0f} | "
        f"{run.load_before:.2f} → {run.load_after:.2f} | {differences[run.name][0]} / {differences[run.name][1]} |"
        for run in runs
    )
    speedup = two.rows_per_second / one.rows_per_second
    ray_cost = baseline.per_cpu_second / one.per_cpu_second - 1
    differing = sum(codes for name, (codes, _) in differences.items() if name.startswith("Ray"))
    busy = max(loads) > (os.cpu_count() or 1) + BUSY_LOAD
    quiet = (
        "**The machine was not quiet**: other developers' test suites and index builds shared its two cores\n"
        f"(load average over one minute between {min(loads):.1f} and {max(loads):.1f} during the runs, in the "
        "table).\nWall-clock rates are therefore lower bounds, and the scaling from one worker to two hardly "
        "shows.\nThe per-core figure the estimate uses is measured in **CPU time** instead: the titles a coding "
        "process\ncodes per second of CPU it gets (all its threads, Ray's included), which the load changes "
        "much less\n(it still pays for caches and memory bandwidth shared with the others: noise of ±10-20 %)."
        if busy
        else f"The machine was otherwise idle (load average over one minute at most {max(loads):.1f} with the "
        "runs' own processes, in the "
        "table).\nThe per-core figure the estimate uses is in CPU time: the titles a coding process codes per "
        "second\nof CPU (all its threads, Ray's included)."
    )
    scaling = (
        "Here the\n  second worker mostly took CPU from other developers' processes and from the first one; "
        "the CPU-time\n  rates, which stay close, are what predicts the scaling on cores of their own."
        if busy
        else "With two\n  workers on two cores, the driver and the operating system take what the workers do not."
    )
    overhead = (
        f"costs {ray_cost:.0%} more CPU a title than in the local process"
        if ray_cost > 0
        else f"does not show: a worker spent {-ray_cost:.0%} less CPU a title than the local process, within\n"
        "  the noise of a loaded machine (the same runs vary by 15-25 % from one run of this script to the next)"
    )
    return f"""# Batch coding on a cluster: `lmi code --engine ray`

Measured on {date.today().isoformat()} by
`scripts/bench_cluster_coding.py --titles {args.titles} --backend {args.backend} --seed {args.seed}`
on this machine: {os.cpu_count()} cores ({platform.machine()}, AMD EPYC Zen 4 under KVM), Python
{platform.python_version()}, the `{args.backend}` matcher with the ESCO links, as `lmi code` runs it.

{quiet}

## The titles

{args.titles:,} job-posting titles made from published NOC titles (70 % English, 30 % French), dressed as
postings write them ("URGENT HIRING!!! Welder $24.50/hr Etobicoke nights", "Sr. Accountant | Hybrid |
$85-95K | Calgary AB | Permanent", « Soudeur - 2e quart - 28$/h - Beauce », "(H/F)"), nearly all distinct:
the matcher's cache of recent query vectors helps little, which is the pessimistic case (real postings
repeat titles a great deal). The same file for every run.

## Throughput

* seconds: the coding, the matcher loaded (for Ray: from the moment the workers start coding to the last
  range coded); rows/s: rows ÷ those seconds.
* per worker: rows per second of one coding process while it codes (Ray: rows ÷ the workers' coding time
  added up); per CPU-second: rows ÷ the CPU time of the coding processes.
* start: loading the matcher (local) or, for Ray, everything before the workers start coding: reading the
  file through, loading the matcher on the driver, starting the cluster, loading the matcher in every worker.
* peak MiB: for Ray, the largest worker's resident memory; for the local runs, this benchmark process's.
* differs: against the one-thread local output, rows whose code differs / rows that differ at all.

| run | processes | rows | seconds | rows/s | per worker | per CPU-second | start (s) | peak MiB | load | differs |
|---|---|---|---|---|---|---|---|---|---|---|
{table}

* **Per core**: a Ray worker (one CPU, one intra-op thread) codes {fmt(one.per_cpu_second)} titles per
  CPU-second alone and {fmt(two.per_cpu_second)} beside another; one local process with one thread
  {fmt(baseline.per_cpu_second)}. Ray's own cost per row (reading the range, the CSV text, the object
  store, its threads in the worker) {overhead}.
* **1 → 2 workers**: {speedup:.2f}× the rows per second of one worker (wall time of the coding); the
  workers share nothing but the input file, the object store and the driver, which only writes. {scaling}
* **Today's local engine** (one process, the model's threads on both cores) codes {fmt(today.rows_per_second)}
  titles/s, {fmt(today.per_cpu_second)} per CPU-second: the lexical search and scoring run in one Python
  thread, and a second core helps the model only.
* **Start**: a local Ray cluster and its workers take {fmt(one.load_seconds)} s (one worker) and
  {fmt(two.load_seconds)} s (two) before coding starts, against {fmt(baseline.load_seconds)} s to load
  the matcher locally: Ray pays off on files that take minutes, not seconds.
* **Same output**: {"no row's code differs" if differing == 0 else f"{differing} rows' codes differ"}
  between the Ray runs and the local one (the table). It need not be exact with an embedding model: a
  title's vector depends in its last bits on the titles embedded in the same batch (ONNX Runtime's
  products for a batch of one and of eight differ by ~1e-8), and a worker meets the titles in its own
  order. Chunks of 256 rows are coded together as locally, so the batches are mostly the same. With the
  words-only backend the files are identical byte for byte (the tests check it on a two-worker cluster).
* **The driver** used {fmt(two.driver_cpu_seconds)} CPU-seconds for the {two.rows:,} rows of the two-worker
  run, all included: reading the file through, loading the matcher once (most of it), Ray's client, and
  writing the output. Reading the input through before coding (`scan_input`: the same CSV reader, noting where
  each chunk of 256 rows ends) runs at {scan_rate:,.0f} rows/s; the output takes {output_bytes:,.0f} bytes a row.
* **One worker a core**: a worker runs the model with one intra-op thread, on the matcher's embedding
  thread, while its main thread searches the next titles' words; the two overlap a little, so a worker
  uses a little more than one core at moments (the CPU-time rate counts both).
* **Memory**: a worker peaks at {two.peak_mib:,.0f} MiB (the word structures, the e5 model and the
  faiss index of 59,450 titles).

## 100 M job-posting titles

From the per-core rate above ({fmt(per_core)} titles per CPU-second, the lower of the two Ray runs):

* **Work**: {TARGET_TITLES:,} ÷ {fmt(per_core)} = **{core_hours:,.0f} core-hours** of coding.
* **Cluster (an assumption)**: {VM_COUNT} × {VM_TYPE}: {VM_VCPUS} vCPU, each a physical core of the same
  CPU generation as this machine, and {VM_MEMORY_GIB} GiB ({VM_MEMORY_GIB * 1024 // VM_VCPUS:,} MiB a worker,
  against the {two.peak_mib:,.0f} MiB measured), at **${VM_PRICE_PER_HOUR:.3f} an hour each**:
  {PRICE_SOURCE}.
  One worker per vCPU: {VM_VCPUS * VM_COUNT} workers, {cluster_rate:,.0f} titles/s. The driver runs on one
  of the nodes (it needs the database and writes the output).
* **Time**: reading the input through on the driver, before any coding: {scan_hours * 60:,.0f} min
  (100 M rows at the rate above); starting the workers: ~{start_hours * 60:,.0f} min (the local start
  thrice, for many nodes); coding: {coding_hours:,.2f} h. **About {wall_hours:,.1f} hours** in all.
* **Cost**: {wall_hours:,.2f} h × {VM_COUNT} × ${VM_PRICE_PER_HOUR:.3f} = **about ${cost:,.0f}** on demand,
  that is ${price_per_core_hour:.4f} a core-hour. The cost hardly depends on the number of nodes, the time
  does: {VM_COUNT * 4} nodes code in a quarter of the time for about the same money (the read-through and
  the start do not shrink). Spot capacity usually costs much less (not assumed); Ray Data restarts a
  worker lost with its node.
* **What dominates**: coding, and in it the work per title: one forward pass of e5-small on one thread
  and the Python lexical search and scoring. Ray adds little per row (above) and a start of minutes at
  most. The driver writes {write_rate:,.1f} MiB/s of output at that rate, far below a disk's speed; its
  single-threaded read-through of the input before coding is the one serial step that grows with the file.
  The input must be readable at the same path from every node (a shared file system, ~6 GB for 100 M
  titles of ~60 bytes), as must the index folder (LMI_INDEX_DIR: the ~100 MB embedding index and the
  model files).
* **Uncertain**: the per-core rate comes from a 2-core VM (how loaded it was: above); a cloud vCPU may be faster
  or slower by tens of percent, and the price is assumed, not looked up. Re-run this script on one node
  of the target cluster type before committing to a budget.
* **Not counted**: de-duplicating the titles first. Postings repeat titles a great deal; coding each
  distinct (title, industry, duties) once would divide the work by the data's repetition factor.
"""


if __name__ == "__main__":
    sys.exit(main())
