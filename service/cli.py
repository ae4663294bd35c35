"""The `lmi` command: migrate, import the reference data, build the embedding index, code a CSV, serve."""

import argparse
import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, get_args

from labour_market.importing.csv_source import MissingSourceFileError, SourceFormatError
from labour_market.importing.runner import import_reference
from labour_market.importing.sources import SOURCE_KEYS
from models.database import create_database_engine, create_session_factory
from models.migrate import upgrade_to_head
from service.config import MatcherBackend, Settings

if TYPE_CHECKING:
    from matching.lexicon import Lexicon

# The matcher's modules (numpy, faiss, rapidfuzz) are imported by the commands that use them.
MATCHER_BACKENDS: tuple[str, ...] = get_args(MatcherBackend)
EMBEDDING_BACKENDS = tuple(backend for backend in MATCHER_BACKENDS if backend != "none")
OUTPUT_COLUMNS_HELP = "noc_code, noc_title, score, confidence, match_type, alt1/alt2 codes and scores, no_match"


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    return int(args.run(args, settings) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="lmi", description="Canadian occupation matching and labour-market information.")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=_migrate)

    importer = commands.add_parser("import-reference", help="import the public reference data into the database")
    importer.add_argument("--data-dir", type=Path, help="reference data folder (default: LMI_DATA_DIR or ../shared/data)")
    importer.add_argument("--only", action="append", choices=SOURCE_KEYS, metavar="SOURCE",
                          help=f"import only this source (repeatable): {', '.join(SOURCE_KEYS)}")
    importer.add_argument("--force", action="store_true", help="re-import sources whose files have not changed")
    importer.add_argument("--quiet", action="store_true", help="no progress bars")
    importer.set_defaults(run=_import_reference)

    build_index = commands.add_parser("build-index", help="embed the index titles once (cached in LMI_INDEX_DIR)")
    build_index.add_argument(
        "--backend", choices=EMBEDDING_BACKENDS, help="embedding model (default: LMI_MATCHER_BACKEND or e5)"
    )
    build_index.set_defaults(run=_build_index)

    code = commands.add_parser("code", help="code a CSV of job titles to NOC 2021, without a server")
    code.add_argument("input", type=Path, metavar="INPUT.csv", help="UTF-8 CSV with a header line (, ; or tab)")
    code.add_argument("-o", "--output", type=Path, required=True, metavar="OUTPUT.csv",
                      help=f"the input's columns followed by {OUTPUT_COLUMNS_HELP}")
    code.add_argument("--title-column", metavar="C", help='column of the job titles (default: "title", else the first)')
    code.add_argument("--industry-column", metavar="C", help="column of the employer's industry (optional)")
    code.add_argument("--lang", choices=("auto", "en", "fr"), default="auto", help="the titles' language (default: auto)")
    code.add_argument("--backend", choices=MATCHER_BACKENDS, help="matcher backend (default: LMI_MATCHER_BACKEND or e5)")
    code.add_argument("--quiet", action="store_true", help="no progress bars")
    code.set_defaults(run=_code)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="interface to bind (default: LMI_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: LMI_PORT or 8000)")
    serve.set_defaults(run=_serve)
    return parser


def _migrate(_args: argparse.Namespace, settings: Settings) -> int:
    upgrade_to_head(create_database_engine(settings.database_url))
    print("database schema is up to date")
    return 0


def _import_reference(args: argparse.Namespace, settings: Settings) -> int:
    data_dir = args.data_dir or settings.data_dir
    engine = create_database_engine(settings.database_url)
    try:
        reports = import_reference(engine, data_dir, only=args.only, force=args.force, show_progress=not args.quiet)
    except (SourceFormatError, MissingSourceFileError) as error:
        print(f"lmi import-reference: {error}", file=sys.stderr)
        print("nothing of that source was imported; the database keeps what it held before", file=sys.stderr)
        return 2
    finally:
        engine.dispose()
    for report in reports:
        if report.imported:
            counts = ", ".join(f"{rows:,} rows from {path}" for path, rows in report.rows.items())
            print(f"{report.key:<22} imported in {report.seconds:5.1f} s: {counts}")
        else:
            print(f"{report.key:<22} unchanged (use --force to re-import)")
    return 0


def _read_lexicon(settings: Settings, command: str) -> "Lexicon | None":
    from service.search.resources import NOT_IMPORTED, read_lexicon

    engine = create_database_engine(settings.database_url)
    try:
        lexicon = read_lexicon(create_session_factory(engine))
    finally:
        engine.dispose()
    if lexicon is None:
        print(f"lmi {command}: {NOT_IMPORTED}", file=sys.stderr)
    return lexicon


def _build_index(args: argparse.Namespace, settings: Settings) -> int:
    from matching.assembly import NO_EMBEDDINGS, assemble_matcher, semantic_passages
    from matching.vector_index import cache_key, cache_paths

    backend = args.backend or settings.matcher_backend
    if backend == NO_EMBEDDINGS:
        print(f"the matcher backend is {NO_EMBEDDINGS!r} (LMI_MATCHER_BACKEND): no embedding index to build")
        return 0
    lexicon = _read_lexicon(settings, "build-index")
    if lexicon is None:
        return 2
    index_dir = settings.index_dir
    before = set(index_dir.glob("*.faiss"))
    started = time.perf_counter()
    matcher = assemble_matcher(lexicon, backend, index_dir, progress=True)  # the service's own path to the index
    seconds = time.perf_counter() - started
    assert matcher.embedder is not None
    titles = [entry.title for entry in semantic_passages(lexicon)]
    index_path, _ = cache_paths(index_dir, matcher.embedder.name, cache_key(matcher.embedder, titles))
    state = "already built; loaded" if index_path in before else "built"
    print(f"{backend} index of {len(titles):,} titles at {index_path}: {state} in {seconds:.1f} s")
    return 0


def _code(args: argparse.Namespace, settings: Settings) -> int:
    from matching.assembly import assemble_matcher
    from service.csv_coding import CodingError, code_csv, inspect_input

    try:
        layout = inspect_input(args.input, args.title_column, args.industry_column)
    except CodingError as error:
        print(f"lmi code: {error}", file=sys.stderr)
        return 2
    if args.title_column is None:
        print(f"lmi code: coding the job titles of column {layout.title_column!r}", file=sys.stderr)
    lexicon = _read_lexicon(settings, "code")
    if lexicon is None:
        return 2
    backend = args.backend or settings.matcher_backend
    matcher = assemble_matcher(lexicon, backend, settings.index_dir, progress=not args.quiet)
    try:
        summary = code_csv(matcher, args.input, args.output, layout, args.lang, progress=not args.quiet)
    except CodingError as error:
        print(f"lmi code: {error}", file=sys.stderr)
        print(f"lmi code: nothing was written to {args.output}", file=sys.stderr)
        return 2
    print(
        f"{summary.rows:,} rows coded into {args.output}: {summary.matched:,} matched, {summary.no_match:,} no match; "
        f"{summary.seconds:.1f} s, {summary.rows_per_second:,.0f} rows/s"
    )
    return 0


def _serve(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from service.app import create_app

    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
