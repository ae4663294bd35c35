"""The `lmi` command: one module per domain registers its subcommands; each subcommand parses, calls
the domain, prints and returns an exit code."""

import argparse
import logging
import sys
from collections.abc import Sequence

from matching.backends import BackendUnavailable
from service.cli import accounts, analytics, careers, catalog, labour_market, matching, serve
from service.config import Settings

COMMAND_MODULES = (labour_market, matching, careers, accounts, catalog, analytics, serve)


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    settings = Settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(levelname)s %(name)s: %(message)s")
    try:
        return int(args.run(args, settings) or 0)
    except BackendUnavailable as error:  # LMI_MATCHER_BACKEND or --backend minilm without its optional extra
        print(f"lmi: {error}", file=sys.stderr)
        return 2


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="lmi", description="Canadian occupation matching and labour-market information."
    )
    commands = root.add_subparsers(required=True, metavar="COMMAND")
    for module in COMMAND_MODULES:
        module.register(commands)
    return root


if __name__ == "__main__":
    sys.exit(main())
