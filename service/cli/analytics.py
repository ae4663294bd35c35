"""`lmi events purge`: delete events past their retention period (the service also does it daily), or
the events an operator names (a portal's, an institution's, a variant's, a period's) to undo a flood;
such a purge is recorded and shown by the analytics of the periods it touched."""

import argparse
import datetime as dt
import sys

from accounts.exceptions import AccountsError
from accounts.institutions import find_institution
from accounts.portals import find_portal
from analytics.retention import PurgeCriteria, count_matching, purge_before, purge_events, retention_cutoff
from service.cli.common import Commands, migrated_session
from service.config import Settings


def register(commands: Commands) -> None:
    events = commands.add_parser("events", help="manage the logged events")
    actions = events.add_subparsers(required=True, metavar="ACTION")
    purge = actions.add_parser(
        "purge",
        help="delete events past the retention period, or those of a portal, institution, variant or period",
        description="Without options: the events past LMI_EVENT_RETENTION_DAYS. With options: the events that "
        "match all of them (an operator's purge, recorded and shown in the analytics of the periods it touched).",
    )
    day = dt.date.fromisoformat
    purge.add_argument("--before", type=day, metavar="YYYY-MM-DD", help="events before this day (UTC)")
    purge.add_argument("--from", dest="start", type=day, metavar="YYYY-MM-DD", help="events from this day (UTC)")
    purge.add_argument("--to", dest="end", type=day, metavar="YYYY-MM-DD", help="events up to this day, included")
    purge.add_argument("--portal", help="id or slug: the events a portal sent or led to")
    purge.add_argument("--institution", help="id or slug: the events about an institution's programs")
    purge.add_argument("--variant", help="the events of an experiment arm")
    purge.add_argument("--dry-run", action="store_true", help="count the events, delete nothing")
    purge.set_defaults(run=run_purge)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), dt.UTC)


def run_purge(args: argparse.Namespace, settings: Settings) -> int:
    named = (args.before, args.start, args.end, args.portal, args.institution, args.variant)
    with migrated_session(settings) as session:
        if all(value is None for value in named):
            cutoff = retention_cutoff(settings.event_retention_days)
            if args.dry_run:
                print(f"{count_matching(session, PurgeCriteria(occurred_before=cutoff))} events before {cutoff}")
                return 0
            print(f"deleted {purge_before(session, cutoff)} events that occurred before {cutoff.isoformat()}")
            return 0
        ends = [
            moment for moment in (args.before and _midnight(args.before), args.end and _midnight(args.end)) if moment
        ]
        if args.end:
            ends[-1] += dt.timedelta(days=1)
        try:
            criteria = PurgeCriteria(
                occurred_from=_midnight(args.start) if args.start else None,
                occurred_before=min(ends) if ends else None,
                portal_id=find_portal(session, args.portal).id if args.portal else None,
                institution_id=find_institution(session, args.institution).id if args.institution else None,
                variant=args.variant,
            )
        except AccountsError as error:
            print(f"lmi events purge: {error}", file=sys.stderr)
            return 2
        if args.dry_run:
            print(f"{count_matching(session, criteria)} events match; nothing deleted (--dry-run)")
            return 0
        purged = purge_events(session, criteria)
    print(f"deleted {purged} events ({_described(args)}); the analytics of the periods it touched say so")
    return 0


def _described(args: argparse.Namespace) -> str:
    parts = [
        f"{name} {value}"
        for name, value in (
            ("from", args.start),
            ("to", args.end),
            ("before", args.before),
            ("portal", args.portal),
            ("institution", args.institution),
            ("variant", args.variant),
        )
        if value is not None
    ]
    return ", ".join(parts)
