"""`lmi moves`: the career moves from an occupation, without a server. What it needs (the skill space
and the career space) is built once into LMI_INDEX_DIR, keyed by its inputs, and loaded from there
afterwards: the service and this command share it."""

import argparse
import json
import sys

from fastapi.encoders import jsonable_encoder

from careers.search import CareerMoves, Transition
from labour_market.exceptions import LabourMarketError
from service.cli.common import Commands, migrated_database
from service.config import Settings

DESIRABLE = {True: "yes", False: "no", None: "unknown"}


def register(commands: Commands) -> None:
    moves = commands.add_parser("moves", help="print the career moves from an occupation (NOC 2021, or NOC 2016)")
    moves.add_argument("noc_code", metavar="NOC_CODE", help="a NOC 2021 unit group (five digits) or NOC 2016 (four)")
    moves.add_argument("--lang", choices=("en", "fr"), default="en", help="the answer's language (default: en)")
    moves.add_argument("--region", metavar="R", help="province or economic region for wages (ER3530, ON…)")
    moves.add_argument("--limit", type=int, default=10, choices=range(1, 51), metavar="N", help="moves (1-50, 10)")
    moves.add_argument("--json", action="store_true", help="print the answer as the API gives it")
    moves.set_defaults(run=run_moves)


def run_moves(args: argparse.Namespace, settings: Settings) -> int:
    from careers.career_space import load_career_space  # noqa: PLC0415 - loads numpy and faiss: only here
    from careers.search import CareerSearch  # noqa: PLC0415
    from service.resources import load_skill_space_for  # noqa: PLC0415

    with migrated_database(settings) as session_factory:
        space = load_skill_space_for(session_factory, settings.data_dir, None, settings.index_dir, progress=True)
        if space is None:
            print("lmi: nothing is imported: run `lmi import-reference` first", file=sys.stderr)
            return 2
        careers = CareerSearch(load_career_space(session_factory, space, settings.data_dir, settings.index_dir), None)
        with session_factory() as session:
            try:
                answer = careers.transitions(session, args.noc_code, args.lang, args.region, args.limit)
            except LabourMarketError as error:
                print(f"lmi: {error}", file=sys.stderr)
                return 2
    if args.json:
        print(json.dumps(jsonable_encoder(answer), ensure_ascii=False, indent=2))
    else:
        print(describe(answer))
    return 0


def describe(answer: CareerMoves) -> str:
    origin = answer.occupation
    french = answer.lang == "fr"
    lines = []
    if answer.concordance is not None:
        successors = ", ".join(answer.concordance.noc2021_codes)
        lines.append(f"NOC 2016 {answer.concordance.noc2016_code} → NOC 2021 {successors}")
    lines.append(f"{origin.noc_code} {origin.title} (TEER {origin.teer})")
    lines.append("Emplois vers lesquels passer :" if french else "Moves:")
    for place, move in enumerate(answer.transitions, start=1):
        lines.extend(_move_lines(place, move, french))
    return "\n".join(lines)


def _move_lines(place: int, move: Transition, french: bool) -> list[str]:
    change = move.wage_change
    wage = "?" if change is None else f"{change.change:+.2f} $/h ({change.percent:+.1f} %)"
    training = (" — plus de formation" if french else " — more training") if move.more_training else ""
    good = DESIRABLE[move.desirable]
    head = f"{place:>2}. {move.noc_code} {move.title}  [{move.similarity:.2f}]  TEER {move.teer}{training}"
    pay = (
        f"salaire {wage}, souhaitable : {good}"
        if french
        else f"median wage {wage}, desirable (pay and outlook): {good}"
    )
    shared = ", ".join(skill.name for skill in move.shared[:4]) or "-"
    learn = ", ".join(skill.name for skill in move.to_learn[:4]) or "-"
    carries, needs = ("acquis", "à apprendre") if french else ("carries over", "to learn")
    return [head, f"    {pay}", f"    {carries}: {shared}", f"    {needs}: {learn}"]
