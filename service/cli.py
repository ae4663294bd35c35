"""The `lmi` command: migrate, import the reference data, serve."""

import argparse
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from labour_market.importing.csv_source import MissingSourceFileError, SourceFormatError
from labour_market.importing.runner import import_reference
from labour_market.importing.sources import SOURCE_KEYS
from models.database import create_database_engine
from models.migrate import upgrade_to_head
from service.config import Settings


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
