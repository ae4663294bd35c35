"""`lmi migrate` and `lmi import-reference`: the reference database."""

import argparse
import sys
from pathlib import Path

from labour_market.datasets import SOURCE_KEYS
from labour_market.importing.csv_source import MissingSourceFileError, SourceFormatError
from labour_market.importing.runner import import_reference
from models.database import create_database_engine
from models.migrate import upgrade_to_head
from service.cli.common import Commands
from service.config import Settings


def register(commands: Commands) -> None:
    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=run_migrate)

    importer = commands.add_parser("import-reference", help="import the public reference data into the database")
    importer.add_argument(
        "--data-dir", type=Path, help="reference data folder (default: LMI_DATA_DIR or ../shared/data)"
    )
    importer.add_argument(
        "--only",
        action="append",
        choices=SOURCE_KEYS,
        metavar="SOURCE",
        help=f"import only this source (repeatable): {', '.join(SOURCE_KEYS)}",
    )
    importer.add_argument("--force", action="store_true", help="re-import sources whose files have not changed")
    importer.add_argument("--quiet", action="store_true", help="no progress bars")
    importer.set_defaults(run=run_import_reference)


def run_migrate(_args: argparse.Namespace, settings: Settings) -> int:
    engine = create_database_engine(settings.database_url)
    try:
        upgrade_to_head(engine)
    finally:
        engine.dispose()
    print("database schema is up to date")
    return 0


def run_import_reference(args: argparse.Namespace, settings: Settings) -> int:
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
