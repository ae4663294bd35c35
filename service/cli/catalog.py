"""`lmi catalog upload`, `lmi catalog load-samples` and `lmi catalog retag`: catalogs from the
command line, through the same upload as `PUT /v1/institutions/{id}/catalog`, tagged and linked
in the same skill space as the service's."""

import argparse
import sys
from collections.abc import Callable
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from tqdm import tqdm

from accounts.exceptions import AccountsError
from accounts.institutions import find_institution
from catalog.exceptions import CatalogError, InvalidCatalog
from catalog.fields import RowError
from catalog.mapping import parse_mapping
from catalog.reading import Format
from catalog.retagging import retag_stale
from catalog.samples import SAMPLES, load_sample
from catalog.skill_space import SkillSpace
from catalog.uploads import Progress, UploadResult, upload_catalog
from matching.backends import EMBEDDING_BACKENDS
from service.cli.common import Commands, migrated_database
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
    retag = actions.add_parser("retag", help="tag again the active catalogs tagged under another model or data")
    retag.add_argument("--all", action="store_true", help="every active catalog, even those up to date")
    retag.add_argument("--quiet", action="store_true", help="no progress bars")
    retag.set_defaults(run=run_retag)


def _skill_space(session_factory: sessionmaker[Session], settings: Settings, progress: bool) -> SkillSpace | None:
    """The service's skill space (its model, its cached vectors), or None with a message."""
    from catalog.skill_space import load_skill_space  # noqa: PLC0415 - loads the embedding model
    from matching.embeddings import create_embedder  # noqa: PLC0415
    from service.resources import DEFAULT_SKILL_BACKEND, NOT_IMPORTED  # noqa: PLC0415

    backend = settings.matcher_backend if settings.matcher_backend in EMBEDDING_BACKENDS else DEFAULT_SKILL_BACKEND
    embedder = create_embedder(backend, settings.index_dir)
    space = load_skill_space(session_factory, settings.data_dir, embedder, settings.index_dir, progress)
    if space is None:
        print(f"lmi catalog: courses are not tagged: {NOT_IMPORTED}", file=sys.stderr)
    return space


def _retag_stale(session_factory: sessionmaker[Session], space: SkillSpace, everything: bool, quiet: bool) -> None:
    with ExitStack() as bars:

        def progress(version_id: int) -> Callable[[int], object]:
            bar = bars.enter_context(
                tqdm(desc=f"re-tagging v{version_id:<19}", unit=" courses", disable=quiet, file=sys.stderr)
            )
            return bar.update

        def retagged(version_id: int, courses: int) -> None:
            print(f"catalog version {version_id}: {courses:,} courses tagged again")

        retag_stale(session_factory, space, everything, progress, retagged)


def run_retag(args: argparse.Namespace, settings: Settings) -> int:
    with migrated_database(settings) as session_factory:
        space = _skill_space(session_factory, settings, progress=not args.quiet)
        if space is None:
            return 2
        _retag_stale(session_factory, space, args.all, args.quiet)
    return 0


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
    with (
        migrated_database(settings) as session_factory,
        tqdm(unit=" courses", disable=args.quiet, file=sys.stderr) as bar,
    ):
        space = None if args.dry_run else _skill_space(session_factory, settings, progress=not args.quiet)
        try:
            with session_factory() as session:
                institution = find_institution(session, args.institution)
            result = upload_catalog(
                session_factory, institution.id, content, file_format, charset=args.charset, mapping=mapping,
                source=args.file.name, dry_run=args.dry_run, on_error=args.on_error, progress=_stages(bar),
                skill_space=space,
            )  # fmt: skip
        except InvalidCatalog as error:
            print(f"lmi catalog upload: {error}", file=sys.stderr)
            _print_row_errors(error.errors)
            return 2
        except (AccountsError, CatalogError) as error:
            print(f"lmi catalog upload: {error}", file=sys.stderr)
            return 2
    _report(result, f"{institution.slug} ← {args.file.name}")
    return 0


def run_load_samples(args: argparse.Namespace, settings: Settings) -> int:
    data_dir = args.data_dir or settings.data_dir
    with migrated_database(settings) as session_factory:
        space = _skill_space(session_factory, settings, progress=not args.quiet)
        for sample in SAMPLES:
            with tqdm(desc=f"{sample.slug:<24}", unit=" courses", disable=args.quiet, file=sys.stderr) as bar:
                try:
                    load = load_sample(session_factory, data_dir, sample, progress=_stages(bar), skill_space=space)
                except (OSError, CatalogError) as error:
                    print(f"lmi catalog load-samples: {sample.path}: {error}", file=sys.stderr)
                    return 2
            if load.result is None:
                print(f"{sample.slug}: unchanged (already loaded from {sample.path})")
            else:
                print(
                    f"{sample.slug}: {load.result.courses:,} courses of {load.result.rows:,} rows "
                    f"({load.result.skipped:,} skipped), version {load.result.version}"
                )
        if space is not None:
            _retag_stale(session_factory, space, everything=False, quiet=args.quiet)
    return 0


def _stages(bar: "tqdm[Any]") -> Progress:
    """Progress shown as courses tagged, then written (the bar restarts at each stage)."""
    current = [""]

    def show(stage: str, count: int) -> None:
        if stage != current[0]:
            current[0] = stage
            bar.reset()
            bar.set_postfix_str(stage)
        bar.update(count)

    return show
