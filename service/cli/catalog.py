"""`lmi catalog upload` and `lmi catalog load-samples`: catalogs from the command line, through the
same upload as `PUT /v1/institutions/{id}/catalog`."""

import argparse
import sys
from pathlib import Path

from tqdm import tqdm

from accounts.exceptions import AccountsError
from accounts.institutions import find_institution
from catalog.exceptions import CatalogError, InvalidCatalog
from catalog.fields import RowError
from catalog.mapping import parse_mapping
from catalog.reading import Format
from catalog.samples import SAMPLES, load_sample
from catalog.uploads import UploadResult, upload_catalog
from service.cli.common import Commands, migrated_session
from service.config import Settings

SHOWN_ERRORS = 20


def register(commands: Commands) -> None:
    catalog = commands.add_parser("catalog", help="upload course catalogs")
    actions = catalog.add_subparsers(required=True, metavar="ACTION")
    upload = actions.add_parser("upload", help="upload a CSV or JSON catalog as the institution's new version")
    upload.add_argument("institution", help="id or slug")
    upload.add_argument("file", type=Path)
    upload.add_argument("--format", choices=("csv", "json"), help="default: from the file name (.json, else CSV)")
    upload.add_argument("--charset", help="the file's encoding (default: UTF-8, else Windows-1252)")
    upload.add_argument("--mapping", help="JSON object from field names to columns, or @FILE holding it")
    upload.add_argument("--dry-run", action="store_true", help="check every row, change nothing")
    upload.add_argument("--on-error", choices=("reject", "skip"), default="reject")
    upload.add_argument("--quiet", action="store_true", help="no progress bar")
    upload.set_defaults(run=run_upload)
    samples = actions.add_parser("load-samples", help="load the four sample catalogs of the data folder")
    samples.add_argument("--data-dir", type=Path, help="reference data folder (default: LMI_DATA_DIR)")
    samples.add_argument("--quiet", action="store_true", help="no progress bars")
    samples.set_defaults(run=run_load_samples)


def _mapping(text: str | None) -> dict[str, object] | None:
    """`--mapping`: JSON text, or @FILE holding it."""
    if text is None:
        return None
    return parse_mapping(Path(text[1:]).read_text(encoding="utf-8") if text.startswith("@") else text)


def _print_row_errors(errors: list[RowError]) -> None:
    for error in errors[:SHOWN_ERRORS]:
        print(f"  line {error.line}, column {error.column}: {error.reason}", file=sys.stderr)
    if len(errors) > SHOWN_ERRORS:
        print(f"  … and {len(errors) - SHOWN_ERRORS:,} more", file=sys.stderr)


def _report(result: UploadResult, target: str) -> None:
    state = "checked (dry run)" if result.dry_run else f"version {result.version} is now active"
    print(f"{target}: {result.courses:,} courses of {result.rows:,} rows, {result.skipped:,} skipped; {state}")
    _print_row_errors(result.errors)


def run_upload(args: argparse.Namespace, settings: Settings) -> int:
    file_format: Format = args.format or ("json" if args.file.suffix.lower() == ".json" else "csv")
    try:
        content = args.file.read_bytes()
        mapping = _mapping(args.mapping)
    except (OSError, CatalogError) as error:
        print(f"lmi catalog upload: {error}", file=sys.stderr)
        return 2
    with migrated_session(settings) as session, tqdm(unit=" courses", disable=args.quiet, file=sys.stderr) as bar:
        try:
            institution = find_institution(session, args.institution)
            result = upload_catalog(
                session, institution, content, file_format, charset=args.charset, mapping=mapping,
                source=args.file.name, dry_run=args.dry_run, on_error=args.on_error, progress=bar.update,
            )  # fmt: skip
        except InvalidCatalog as error:
            print(f"lmi catalog upload: {error}", file=sys.stderr)
            _print_row_errors(error.errors)
            return 2
        except (AccountsError, CatalogError) as error:
            print(f"lmi catalog upload: {error}", file=sys.stderr)
            return 2
        session.commit()
    _report(result, f"{institution.slug} ← {args.file.name}")
    return 0


def run_load_samples(args: argparse.Namespace, settings: Settings) -> int:
    data_dir = args.data_dir or settings.data_dir
    with migrated_session(settings) as session:
        for sample in SAMPLES:
            with tqdm(desc=f"{sample.slug:<24}", unit=" courses", disable=args.quiet, file=sys.stderr) as bar:
                try:
                    load = load_sample(session, data_dir, sample, progress=bar.update)
                except (OSError, CatalogError) as error:
                    print(f"lmi catalog load-samples: {sample.path}: {error}", file=sys.stderr)
                    return 2
                session.commit()  # each catalog in a transaction of its own
            if load.result is None:
                print(f"{sample.slug}: unchanged (already loaded from {sample.path})")
            else:
                print(
                    f"{sample.slug}: {load.result.courses:,} courses of {load.result.rows:,} rows "
                    f"({load.result.skipped:,} skipped), version {load.result.version}"
                )
    return 0
