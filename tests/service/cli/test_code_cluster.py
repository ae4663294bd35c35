"""`lmi code --engine ray`: a local Ray cluster of exactly two worker processes codes a file of real
titles, English and French, with bad rows among them, into the very file `--engine local` writes.

One cluster (two CPUs, so a pool of two workers) is started for the session in this process; the CLI
run in this process uses it, one run in a subprocess connects to it with `--address`, another starts
and stops a cluster of its own. Matching is lexical (embedding every title takes minutes): the workers
load the same word structures as the local engine; the embedding model's parity is measured by
`scripts/bench_cluster_coding.py` (`reports/batch_cluster.md`).
"""

import csv
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from matching.cluster import ClusterError, ClusterInfo, MatcherRecipe, _coded_ranges, ray_session
from matching.coding import CHUNK_ROWS, inspect_input, scan_input
from models.database import create_database_engine, create_session_factory
from service.cli import main
from service.resources import read_matching_snapshot
from tests.support.source_data import DATA_DIR, JOB_TITLES, csv_rows

# Only SQLite: coding reads the lexicon once and never touches the database again (as test_matching.py).
pytestmark = pytest.mark.parametrize("database_factory", ["sqlite"], indirect=True)

WORKERS = 2


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[ClusterInfo]:
    """A local Ray cluster with two CPUs, started in this process for the session."""
    with ray_session(workers=WORKERS) as cluster:
        assert (cluster.workers, cluster.cpus) == (WORKERS, WORKERS)
        yield cluster


@pytest.fixture(scope="session")
def cluster_index_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The index folder of these tests: the word structures and ESCO links, built by the first run."""
    return tmp_path_factory.mktemp("cluster-index")


@pytest.fixture
def cluster_env(
    reference_database_url: str, cluster_index_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> dict[str, str]:
    """The reference database, lexical matching and the session's index folder, in this process's
    environment; returned as the environment of a subprocess."""
    settings = {
        "DATABASE_URL": reference_database_url,
        "LMI_MATCHER_BACKEND": "none",
        "LMI_INDEX_DIR": str(cluster_index_dir),
        "LMI_DATA_DIR": str(DATA_DIR),
    }
    for name, value in settings.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("RAY_ADDRESS", raising=False)
    environment = {name: value for name, value in os.environ.items() if name != "RAY_ADDRESS"}
    return {**environment, **settings}


def postings_file(path: Path, delimiter: str = ",") -> Path:
    """About 700 real titles (three chunks), English and French in turn, some with an industry or
    duties, with bad rows and blank lines among them, written with a BOM."""
    titles = list(csv_rows(JOB_TITLES))[::79]
    rows: list[list[str]] = [["id", "Job title", "Industry", "Duties"]]
    for number, row in enumerate(titles[: 3 * CHUNK_ROWS - 60]):
        title = row["job_title"]
        if number % 50 == 3:
            rows.append([])
        if number % 61 == 7:
            rows.append([str(number), "", "retail", ""])  # no title
        elif number % 67 == 9:
            rows.append([str(number), title * 20, "", ""])  # too long
        elif number % 71 == 11:
            rows.append([str(number), title, "", "", "stray", "fields"])
        elif number % 73 == 13:
            rows.append([str(number), title, "", "x" * 1001])  # duties too long
        elif number % 5 == 0:
            rows.append([str(number), f"{title}\nTemps plein", "hôpital" if row["lang"] == "fr" else "hospital", ""])
        elif number % 7 == 0:
            rows.append([str(number), title.lower(), "", "shelve and lend books in the public library"])
        else:
            rows.append([str(number), title, "", ""])
    rows += [["9001", "31301", "", ""], ["9002", "7514", "transport", ""]]
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


def code(source: Path, output: Path, *options: str) -> int:
    columns = ("--title-column", "Job title", "--industry-column", "Industry", "--duties-column", "Duties")
    return main(["code", str(source), "-o", str(output), *columns, "--quiet", *options])


def test_two_ray_workers_write_the_file_the_local_engine_writes(
    cluster_env: dict[str, str], ray_cluster: ClusterInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = postings_file(tmp_path / "postings.csv")
    local, clustered = tmp_path / "local.csv", tmp_path / "ray.csv"

    assert code(source, local) == 0
    local_summary = capsys.readouterr().out
    assert code(source, clustered, "--engine", "ray") == 0
    out = capsys.readouterr().out

    assert clustered.read_bytes() == local.read_bytes()
    assert local_summary.split(";")[0].split(": ")[1] == out.split(";")[0].split(": ")[1]  # matches, errors
    assert "coded on Ray by 2 worker processes on 1 node" in out
    with clustered.open(encoding="utf-8", newline="") as handle:
        coded = list(csv.DictReader(handle))
    assert len(coded) == 3 * CHUNK_ROWS - 60 + 2
    assert {row["error"].split(" (")[0] for row in coded if row["error"]} == {
        "no title",
        "title longer than 200 characters",
        "6 fields, but the header has 4",
        "duties longer than 1000 characters",
    }
    assert sum(row["no_match"] == "false" for row in coded) > 0.9 * len(coded)
    assert [row["match_type"] for row in coded[-2:]] == ["code", "noc2016_code"]
    assert coded[-2]["noc_code"] == "31301"
    assert sorted(path.name for path in tmp_path.iterdir()) == ["local.csv", "postings.csv", "ray.csv"]


def test_a_subprocess_connects_with_address_and_another_starts_its_own_cluster(
    cluster_env: dict[str, str], ray_cluster: ClusterInfo, tmp_path: Path
) -> None:
    import ray  # noqa: PLC0415 - the session's cluster is up: its address

    address = ray.get_runtime_context().gcs_address
    source = postings_file(tmp_path / "postings.csv", delimiter=";")
    local = tmp_path / "local.csv"
    assert code(source, local) == 0
    lmi = str(Path(sys.executable).with_name("lmi"))
    columns = ["--title-column", "Job title", "--industry-column", "Industry", "--duties-column", "Duties"]
    command = [lmi, "code", str(source), *columns, "--quiet", "--engine", "ray"]
    runs = {"address": ["--address", address], "own": ["--workers", "2"]}
    started = {  # at once: most of each run is waiting for processes to start
        name: subprocess.Popen(
            [*command, "-o", str(tmp_path / f"{name}.csv"), *options],
            env=cluster_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for name, options in runs.items()
    }
    for name, process in started.items():
        out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
        assert (tmp_path / f"{name}.csv").read_bytes() == local.read_bytes(), name
        assert "coded on Ray by 2 worker processes on 1 node" in out
    assert ray.cluster_resources().get("CPU") == WORKERS  # the subprocess's own cluster was another one


def test_an_unreadable_file_stops_before_the_cluster_is_used(
    cluster_env: dict[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "in.csv"
    good = "".join(f"{number},Cashier\n" for number in range(1000))
    source.write_bytes(b"id,title\n" + good.encode() + "1000,Caissière\n".encode("latin-1"))
    output = tmp_path / "out.csv"

    assert main(["code", str(source), "-o", str(output), "--quiet"]) == 2
    local = capsys.readouterr().err
    # an address where no cluster answers: it is never reached, the file is refused first
    assert main(["code", str(source), "-o", str(output), "--quiet", "--engine", "ray", "--address", "127.0.0.1:9"]) == 2
    clustered = capsys.readouterr().err

    assert "in.csv: not UTF-8 text" in local and clustered == local
    assert not output.exists()


def test_options_of_the_ray_engine(
    cluster_env: dict[str, str], ray_cluster: ClusterInfo, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = postings_file(tmp_path / "postings.csv")
    output = tmp_path / "out.csv"
    assert main(["code", str(source), "-o", str(output), "--workers", "2"]) == 2
    assert "--address and --workers are options of --engine ray" in capsys.readouterr().err

    assert code(source, output, "--engine", "ray", "--workers", "3") == 2
    err = capsys.readouterr().err
    assert "3 workers asked for, but the cluster has 2 CPUs" in err and f"nothing was written to {output}" in err

    with pytest.raises(SystemExit):
        main(["code", str(source), "-o", str(output), "--engine", "ray", "--workers", "0"])
    assert "expected a whole number of at least 1" in capsys.readouterr().err
    assert not output.exists()


def test_a_worker_that_cannot_load_the_matcher_stops_the_run(
    reference_database_url: str, ray_cluster: ClusterInfo, cluster_index_dir: Path, tmp_path: Path
) -> None:
    source = postings_file(tmp_path / "postings.csv")
    layout = inspect_input(source, "Job title", None)
    engine = create_database_engine(reference_database_url)
    snapshot = read_matching_snapshot(create_session_factory(engine), cluster_index_dir)
    engine.dispose()
    assert snapshot is not None
    missing = cluster_index_dir / "e5-not-built.faiss"
    recipe = MatcherRecipe(snapshot, "none", cluster_index_dir, None, (missing,))
    ranges = scan_input(source, layout).ranges(1)
    with pytest.raises(ClusterError, match=f"{missing} not found on this node: the index folder"):
        list(_coded_ranges(recipe, source, layout, "auto", ranges, ray_cluster))
