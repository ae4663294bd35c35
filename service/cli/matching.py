"""`lmi build-index` and `lmi code`: the job-title matcher without a server.

The matcher's modules (numpy, faiss, rapidfuzz) are imported by the commands that use them, so
that `lmi migrate` and `lmi import-reference` start quickly.
"""

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from matching.backends import BACKENDS, EMBEDDING_BACKENDS, NO_EMBEDDINGS
from matching.esco import ESCO_OCCUPATIONS_FILE
from models.database import create_database_engine, create_session_factory
from service.cli.common import Commands
from service.config import Settings

if TYPE_CHECKING:
    from matching.coding import CodingSummary, CsvLayout
    from matching.snapshot import MatchingSnapshot

OUTPUT_COLUMNS_HELP = (
    "noc_code, noc_title, score, confidence, match_type, alt1/alt2 codes and scores, no_match and error (why a row "
    "was not coded: no title, a title over 200 characters, more fields than the header)"
)


def register(commands: Commands) -> None:
    build_index = commands.add_parser("build-index", help="embed the index titles once (cached in LMI_INDEX_DIR)")
    build_index.add_argument(
        "--backend", choices=EMBEDDING_BACKENDS, help="embedding model (default: LMI_MATCHER_BACKEND or e5)"
    )
    build_index.set_defaults(run=run_build_index)

    code = commands.add_parser("code", help="code a CSV of job titles to NOC 2021, without a server")
    code.add_argument("input", type=Path, metavar="INPUT.csv", help="UTF-8 CSV with a header line (, ; or tab)")
    code.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="OUTPUT.csv",
        help=f"the input's columns followed by {OUTPUT_COLUMNS_HELP}",
    )
    code.add_argument("--title-column", metavar="C", help='column of the job titles (default: "title", else the first)')
    code.add_argument(
        "--industry-column", metavar="C", help="column of the employer's industry, or the employer (optional)"
    )
    code.add_argument("--duties-column", metavar="C", help="column of what the person does, free text (optional)")
    code.add_argument(
        "--lang", choices=("auto", "en", "fr"), default="auto", help="the titles' language (default: auto)"
    )
    code.add_argument("--backend", choices=BACKENDS, help="matcher backend (default: LMI_MATCHER_BACKEND or e5)")
    code.add_argument("--quiet", action="store_true", help="no progress bars")
    code.add_argument(
        "--engine",
        choices=("local", "ray"),
        default="local",
        help="local: code in this process (default); ray: on a Ray cluster, the same rows coded the same way",
    )
    code.add_argument(
        "--address",
        metavar="ADDR",
        help="with --engine ray: the Ray cluster to use (default: RAY_ADDRESS, else a local cluster started for "
        "this run)",
    )
    code.add_argument(
        "--workers",
        type=_positive,
        metavar="N",
        help="with --engine ray: worker processes, one CPU each (default: one per core here, or per CPU of the "
        "cluster at --address)",
    )
    code.set_defaults(run=run_code)


def _positive(text: str) -> int:
    try:
        number = int(text)
    except ValueError:
        number = 0
    if number < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, got {text!r}")
    return number


def _read_snapshot(settings: Settings, command: str | None) -> "MatchingSnapshot | None":
    """The matcher's word structures (loaded from, or built and written to, LMI_INDEX_DIR); None when
    nothing is imported, said on stderr for `command` (nothing said for None)."""
    from service.resources import NOT_IMPORTED, read_matching_snapshot  # noqa: PLC0415

    engine = create_database_engine(settings.database_url)
    try:
        snapshot = read_matching_snapshot(create_session_factory(engine), settings.index_dir)
    finally:
        engine.dispose()
    if snapshot is None and command is not None:
        print(f"lmi {command}: {NOT_IMPORTED}", file=sys.stderr)
    return snapshot


def _describe(snapshot: "MatchingSnapshot", index_dir: Path) -> str:
    from matching.snapshot import snapshot_path  # noqa: PLC0415

    path = snapshot_path(index_dir, snapshot.key)
    return f"matching snapshot of {len(snapshot.lexicon.entries):,} title forms at {path}"


def run_build_index(args: argparse.Namespace, settings: Settings) -> int:
    from careers.career_space import load_career_space  # noqa: PLC0415
    from matching.assembly import assemble_from_snapshot  # noqa: PLC0415
    from matching.vector_index import cache_key, cache_paths  # noqa: PLC0415
    from service.resources import load_skill_space_for  # noqa: PLC0415

    backend = args.backend or settings.matcher_backend
    index_dir = settings.index_dir
    if backend == NO_EMBEDDINGS:
        print(f"the matcher backend is {NO_EMBEDDINGS!r} (LMI_MATCHER_BACKEND): no embedding index to build")
        snapshot = _read_snapshot(settings, None)
        if snapshot is not None:
            print(_describe(snapshot, index_dir))
        return 0
    snapshot = _read_snapshot(settings, "build-index")
    if snapshot is None:
        return 2
    print(_describe(snapshot, index_dir))
    before = set(index_dir.glob("*.faiss"))
    started = time.perf_counter()
    # The service's own path to the index.
    esco_file = settings.data_dir / ESCO_OCCUPATIONS_FILE
    with assemble_from_snapshot(snapshot, backend, index_dir, progress=True, esco_file=esco_file) as matcher:
        seconds = time.perf_counter() - started
        assert matcher.embedder is not None
        titles = [entry.title for entry in snapshot.passages]
        index_path, _ = cache_paths(index_dir, matcher.embedder.name, cache_key(matcher.embedder, titles))
        state = "already built; loaded" if index_path in before else "built"
        print(f"{backend} index of {len(titles):,} titles at {index_path}: {state} in {seconds:.1f} s")
        if matcher.esco_labels is not None:
            print(f"ESCO occupations linked to NOC by the matcher: {len(matcher.esco_labels.links):,}")
        started = time.perf_counter()
        engine = create_database_engine(settings.database_url)
        session_factory = create_session_factory(engine)
        space = load_skill_space_for(session_factory, settings.data_dir, matcher.embedder, index_dir, progress=True)
        if space is not None:
            print(
                f"skill space {space.key}: {len(space.esco):,} ESCO skills, {len(space.descriptors)} OaSIS "
                f"descriptors, {len(space.occupations)} occupations in {time.perf_counter() - started:.1f} s"
            )
            started = time.perf_counter()
            careers = load_career_space(session_factory, space, settings.data_dir, index_dir, progress=True)
            print(
                f"career space {careers.key}: {len(careers.duty_texts):,} duties, the moves between "
                f"{len(careers.codes)} occupations in {time.perf_counter() - started:.1f} s"
            )
        engine.dispose()
    return 0


def run_code(args: argparse.Namespace, settings: Settings) -> int:
    from matching.coding import CodingError, inspect_input  # noqa: PLC0415

    if args.engine == "local" and (args.address is not None or args.workers is not None):
        print("lmi code: --address and --workers are options of --engine ray", file=sys.stderr)
        return 2
    try:
        layout = inspect_input(args.input, args.title_column, args.industry_column, args.duties_column)
    except CodingError as error:
        print(f"lmi code: {error}", file=sys.stderr)
        return 2
    if args.title_column is None:
        print(f"lmi code: coding the job titles of column {layout.title_column!r}", file=sys.stderr)
    snapshot = _read_snapshot(settings, "code")
    if snapshot is None:
        return 2
    backend = args.backend or settings.matcher_backend
    esco_file = settings.data_dir / ESCO_OCCUPATIONS_FILE
    try:
        summary = (
            _code_locally(args, settings, snapshot, backend, layout, esco_file)
            if args.engine == "local"
            else _code_on_cluster(args, settings, snapshot, backend, layout, esco_file)
        )
    except CodingError as error:
        print(f"lmi code: {error}", file=sys.stderr)
        print(f"lmi code: nothing was written to {args.output}", file=sys.stderr)
        return 2
    print(
        f"{summary.rows:,} rows coded into {args.output}: {summary.matched:,} matched, {summary.no_match:,} no match, "
        f"{summary.errors:,} {'row' if summary.errors == 1 else 'rows'} with errors; "
        f"{summary.seconds:.1f} s, {summary.rows_per_second:,.0f} rows/s"
    )
    from matching.cluster import ClusterSummary  # noqa: PLC0415

    if isinstance(summary, ClusterSummary) and summary.workers:
        print(
            f"coded on Ray by {summary.workers} worker {'process' if summary.workers == 1 else 'processes'} on "
            f"{summary.nodes} {'node' if summary.nodes == 1 else 'nodes'}: {summary.rows_per_worker_second:,.0f} "
            f"rows/s per worker while coding, at most {summary.peak_worker_bytes / 2**20:,.0f} MiB of memory a "
            f"worker; {summary.ready_seconds:.1f} s to read the file, load the matcher and start the workers"
        )
    return 0


def _code_locally(
    args: argparse.Namespace,
    settings: Settings,
    snapshot: "MatchingSnapshot",
    backend: str,
    layout: "CsvLayout",
    esco_file: Path,
) -> "CodingSummary":
    from matching.assembly import assemble_from_snapshot  # noqa: PLC0415
    from matching.coding import code_csv  # noqa: PLC0415

    with assemble_from_snapshot(
        snapshot, backend, settings.index_dir, progress=not args.quiet, esco_file=esco_file
    ) as matcher:
        return code_csv(matcher, args.input, args.output, layout, args.lang, progress=not args.quiet)


def _code_on_cluster(
    args: argparse.Namespace,
    settings: Settings,
    snapshot: "MatchingSnapshot",
    backend: str,
    layout: "CsvLayout",
    esco_file: Path,
) -> "CodingSummary":
    from matching.cluster import code_csv_on_cluster  # noqa: PLC0415

    return code_csv_on_cluster(
        snapshot,
        backend,
        settings.index_dir,
        args.input,
        args.output,
        layout,
        args.lang,
        esco_file=esco_file,
        address=args.address,
        workers=args.workers,
        progress=not args.quiet,
    )
