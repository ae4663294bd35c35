"""`lmi institutions` and `lmi keys`: who may change catalogs. A key is printed once and stored hashed."""

import argparse
import sys
from typing import get_args

from accounts.exceptions import AccountsError
from accounts.institutions import create_institution, find_institution, list_institutions
from accounts.keys import Role, create_key, revoke_key
from accounts.portals import portal_named, portal_of_institution
from service.cli.common import Commands, migrated_session
from service.config import Settings

KEY_WARNING = "store this key now: it is shown only once"


def register(commands: Commands) -> None:
    institutions = commands.add_parser("institutions", help="create or list institutions")
    actions = institutions.add_subparsers(required=True, metavar="ACTION")
    create = actions.add_parser("create", help="create an institution and print its id and API key (once)")
    create.add_argument("name", help="the institution's name")
    create.add_argument("--slug", help="short name used in URLs (default: made from the name)")
    create.set_defaults(run=run_create_institution)
    listing = actions.add_parser("list", help="list the institutions")
    listing.set_defaults(run=run_list_institutions)

    keys = commands.add_parser("keys", help="create or revoke API keys")
    key_actions = keys.add_subparsers(required=True, metavar="ACTION")
    create_key_parser = key_actions.add_parser("create", help="create a key and print it (once)")
    create_key_parser.add_argument("--role", required=True, choices=get_args(Role))
    create_key_parser.add_argument(
        "--institution", help="id or slug: the institution (--role institution), or the institution whose portal it is"
    )
    create_key_parser.add_argument("--name", help="the portal's name (--role portal, when it is no institution's)")
    create_key_parser.set_defaults(run=run_create_key)
    revoke = key_actions.add_parser("revoke", help="revoke a key by its prefix (the 8 characters after lmi_)")
    revoke.add_argument("prefix")
    revoke.set_defaults(run=run_revoke_key)


def run_create_institution(args: argparse.Namespace, settings: Settings) -> int:
    with migrated_session(settings) as session:
        try:
            institution = create_institution(session, args.name, args.slug)
        except AccountsError as error:
            print(f"lmi institutions create: {error}", file=sys.stderr)
            return 2
        _, key = create_key(session, "institution", institution.id)
        session.commit()
        print(f"institution {institution.id} ({institution.slug}): {institution.name}")
        print(f"API key: {key}")
        print(KEY_WARNING, file=sys.stderr)
    return 0


def run_list_institutions(_args: argparse.Namespace, settings: Settings) -> int:
    with migrated_session(settings) as session:
        for institution in list_institutions(session):
            print(f"{institution.id}\t{institution.slug}\t{institution.name}")
    return 0


def run_create_key(args: argparse.Namespace, settings: Settings) -> int:
    if args.role == "portal" and (args.institution is None) == (args.name is None):
        print("lmi keys create: a portal key needs --institution or --name (one of them)", file=sys.stderr)
        return 2
    if args.role != "portal" and args.name is not None:
        print("lmi keys create: --name names a portal; use it with --role portal", file=sys.stderr)
        return 2
    with migrated_session(settings) as session:
        try:
            institution = find_institution(session, args.institution) if args.institution else None
            if args.role == "portal":
                portal = (
                    portal_of_institution(session, institution) if institution else portal_named(session, args.name)
                )
                _, key = create_key(session, "portal", portal_id=portal.id)
                print(f"portal {portal.id} ({portal.slug}): {portal.name}")
            else:
                _, key = create_key(session, args.role, institution.id if institution else None)
        except (AccountsError, ValueError) as error:
            print(f"lmi keys create: {error}", file=sys.stderr)
            return 2
        session.commit()
    print(f"API key: {key}")
    print(KEY_WARNING, file=sys.stderr)
    return 0


def run_revoke_key(args: argparse.Namespace, settings: Settings) -> int:
    with migrated_session(settings) as session:
        try:
            key = revoke_key(session, args.prefix)
        except AccountsError as error:
            print(f"lmi keys revoke: {error}", file=sys.stderr)
            return 2
        session.commit()
        print(f"revoked the {key.role} key {key.prefix}")
    return 0
