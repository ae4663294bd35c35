"""`lmi events purge`: delete events past their retention period (the service also does it daily)."""

import argparse
import datetime as dt

from analytics.retention import purge_before, retention_cutoff
from service.cli.common import Commands, migrated_session
from service.config import Settings


def register(commands: Commands) -> None:
    events = commands.add_parser("events", help="manage the logged events")
    actions = events.add_subparsers(required=True, metavar="ACTION")
    purge = actions.add_parser(
        "purge", help="delete events that occurred before a date (default: LMI_EVENT_RETENTION_DAYS ago)"
    )
    purge.add_argument("--before", type=dt.date.fromisoformat, metavar="YYYY-MM-DD", help="first day to keep (UTC)")
    purge.set_defaults(run=run_purge)


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    cutoff = (
        dt.datetime.combine(args.before, dt.time(), dt.UTC)
        if args.before
        else retention_cutoff(settings.event_retention_days)
    )
    with migrated_session(settings) as session:
        purged = purge_before(session, cutoff)
    print(f"deleted {purged} events that occurred before {cutoff.isoformat()}")
    return 0
