"""An attacker with an analyst's key and an institution's key reads every figure the analytics publish
about a set of small scripted cells (the arms and the sessions the issue's attacker recovered among
them) over every period of the last days and overlapping ones, every breakdown, baseline comparisons,
the experiment, the funnel, the usage measures, targets and CSV, and tries to pin a suppressed count to
one value (tests/support/attacker.py). Every figure that is not a count must be a function of the
published counts. On SQLite and PostgreSQL."""

import csv
import datetime as dt
import io
import uuid
from collections import Counter
from collections.abc import Callable, Hashable, Iterator
from dataclasses import dataclass, field
from itertools import pairwise, product
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete
from sqlalchemy.orm import Session
from statsmodels.stats.proportion import confint_proportions_2indep

from accounts.institutions import create_institution
from accounts.keys import create_key
from accounts.portals import portal_named
from analytics.disclosure import DisclosureRule, cell_name
from analytics.figures import NOT_AN_INSTITUTIONS, RATES
from analytics.funnel import STEPS as FUNNEL
from analytics.periods import Period
from analytics.queries import GROUP_BYS, TYPE_MEASURES, Scope, count_events, funnel_counts
from analytics.rollups import delete_events
from analytics.store import event_row, insert_new
from models.events import AnalyticsTarget
from tests.support.attacker import LARGE, Knowledge, Rounding, sum_form

MEASURES = {**TYPE_MEASURES, "helpful": "helpful"}  # published measure → event type (helpful: feedback that was)
ROUNDING = Rounding()


@dataclass(frozen=True)
class Group:
    """Sessions alike: each begins with a search (and a page view when `pages`) and ends `seconds`
    later with its other events, spread over the sessions in turn."""

    days_ago: int
    sessions: int
    seconds: int
    variant: str | None
    lang: str
    region: str
    noc: str
    program: str | None  # "a:1": program 1 of institution a
    steps: dict[str, int]  # impression, click, inquiry, referral, feedback, helpful (of the feedback)
    portal: bool = False
    pages: bool = False


GROUPS = [
    Group(
        5,
        30,
        300,
        "control",
        "en",
        "3530",
        "72106",
        "b:1",
        {"impression": 60, "click": 14, "inquiry": 3, "referral": 2},
    ),
    Group(5, 8, 120, "B", "en", "3530", "72106", "a:1", {"impression": 16, "click": 2, "referral": 1}),
    # The day's hidden session count (4), which the average gave away.
    Group(4, 4, 90, "control", "fr", "59", "31301", "a:2", {"impression": 8, "click": 1}, pages=True),
    # The arms of the issue: 12 impressions, 3 clicks and 2 referrals against 20 and 10.
    Group(3, 3, 60, "B", "en", "3530", "32101", "a:1", {"impression": 12, "click": 3, "referral": 2}),
    Group(
        3,
        6,
        200,
        "control",
        "fr",
        "3530",
        "32101",
        "b:1",
        {"impression": 20, "click": 10, "inquiry": 1, "feedback": 2, "helpful": 1},
    ),
    # 11 sessions, 480 s in all: published as 10 sessions, the average 480/11 gave the 11 away.
    Group(2, 10, 40, "B", "en", "59", "72106", "a:1", {"impression": 15, "click": 4}, portal=True),
    Group(2, 1, 80, "B", "en", "59", "72106", "b:2", {"impression": 10, "click": 1, "referral": 1}, portal=True),
    Group(1, 2, 30, None, "fr", "59", "31301", "b:2", {"impression": 5, "click": 1}, pages=True),
]
ROBOT_EVENTS = 5


@dataclass
class Cells:
    today: dt.date
    keys: dict[str, str]
    institutions: dict[str, int]  # "a", "b" → id
    portal_id: int
    counts: Counter[Hashable] = field(default_factory=Counter)  # ("n", measure, atom) and ("s", day) → exact
    atoms: set[tuple[Any, ...]] = field(default_factory=set)

    def headers(self, role: str, **more: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.keys[role]}", **more}

    def day(self, days_ago: int) -> dt.date:
        return self.today - dt.timedelta(days=days_ago)


def atom_of(row: dict[str, Any]) -> tuple[Any, ...]:
    return (
        row["occurred_at"].date().isoformat(),
        row["variant"],
        row["course_key"],
        row["institution_id"],
        row["region"],
        row["lang"],
        row["noc_code"],
        row["portal_id"],
    )


def insert_cells(session: Session, cells: Cells) -> None:
    rows = []
    for number, group in enumerate(GROUPS):
        day = cells.day(group.days_ago)
        slug, _, course = (group.program or "").partition(":")
        program = {"course_key": f"attack-{slug}:{course}", "institution_id": cells.institutions[slug]}
        context = {
            "variant": group.variant,
            "lang": group.lang,
            "region": group.region,
            "noc_code": group.noc,
            "portal_id": cells.portal_id if group.portal else None,
        }
        starts = [
            dt.datetime.combine(day, dt.time(8), dt.UTC) + dt.timedelta(minutes=10 * index)
            for index in range(group.sessions)
        ]
        names = [f"atk-{number}-{index}" for index in range(group.sessions)]
        for name, start in zip(names, starts, strict=True):
            rows.append(_row("search", start, session_id=name, **context))
            if group.pages:
                rows.append(_row("page_view", start, session_id=name, **context))
        for step, count in group.steps.items():
            if step == "helpful":
                continue
            for index in range(count):
                turn = index % group.sessions
                fields = {**context, **program} if step != "feedback" else dict(context)
                helpful = {"helpful": index < group.steps.get("helpful", 0)} if step == "feedback" else {}
                end = starts[turn] + dt.timedelta(seconds=group.seconds)
                rows.append(_row(step, end, session_id=names[turn], **fields, **helpful))
        cells.counts[("s", day.isoformat())] += group.sessions
    robot_day = cells.day(3)
    for index in range(ROBOT_EVENTS):
        at = dt.datetime.combine(robot_day, dt.time(9), dt.UTC)
        rows.append(_row("search", at, robot=True, session_id=f"atk-bot-{index}", variant="B", lang="en"))
    for row in rows:
        if row["robot"]:
            continue
        atom = atom_of(row)
        cells.atoms.add(atom)
        cells.counts[("n", row["type"], atom)] += 1
        if row["type"] == "feedback" and row["helpful"]:
            cells.counts[("n", "helpful", atom)] += 1
    insert_new(session, rows)


def _row(event_type: str, at: dt.datetime, robot: bool = False, **fields: Any) -> dict[str, Any]:
    event_id = uuid.uuid4().hex
    return event_row(f"event:{event_id}", event_id, event_type, "server", at, robot, **fields)


@pytest.fixture(scope="module")
def cells(client: TestClient, reference_engine: Engine) -> Iterator[Cells]:
    today = dt.datetime.now(dt.UTC).date()
    with Session(reference_engine) as session:
        delete_events(session)  # the events, and their roll-ups
        session.execute(delete(AnalyticsTarget))
        tag = uuid.uuid4().hex[:6]
        institutions = {name: create_institution(session, f"Attack {name}", f"attack-{name}") for name in "ab"}
        session.flush()
        portal = portal_named(session, f"Attack portal {tag}")
        keys = {"analyst": create_key(session, "analyst")[1], "admin": create_key(session, "admin")[1]}
        keys["institution"] = create_key(session, "institution", institutions["a"].id)[1]
        found = Cells(today, keys, {name: item.id for name, item in institutions.items()}, portal.id)
        insert_cells(session, found)
        session.commit()
    yield found
    with Session(reference_engine) as session:
        delete_events(session)  # the events, and their roll-ups
        session.execute(delete(AnalyticsTarget))
        session.commit()


def windows(cells: Cells) -> list[tuple[dt.date, dt.date]]:
    """Every period within the scripted days and the day after, and two wider ones around them."""
    days = [cells.day(days_ago) for days_ago in range(6, -1, -1)]
    spans = [(start, end) for index, start in enumerate(days) for end in days[index:]]
    return [*spans, (cells.day(40), cells.today), (cells.day(20), cells.day(2))]


def group_key(group_by: str, atom: tuple[Any, ...]) -> str | None:
    day, variant, course, institution, region, lang, noc, portal = atom
    date = dt.date.fromisoformat(day)
    keys: dict[str, Any] = {
        "day": day,
        "week": (date - dt.timedelta(days=date.weekday())).isoformat(),
        "month": day[:7],
        "institution": institution,
        "course": course,
        "occupation": noc,
        "teer": noc[1] if noc else None,
        "region": region,
        "lang": lang,
        "variant": variant,
        "portal": portal,
    }
    value = keys[group_by]
    return None if value is None else str(value)


class Reader:
    """What the attacker reads, turned into equations on the day cells' rounded values; and the checks
    that every other figure follows from the published counts."""

    def __init__(self, cells: Cells):
        self.cells = cells
        self.knowledge = Knowledge()
        self.unexplained: list[str] = []
        self.event_days = sorted({atom[0] for atom in cells.atoms})

    def days(self, start: dt.date, end: dt.date) -> list[str]:
        """The window's days that hold events (on the others every cell is 0, and so is its rounding)."""
        return [day for day in self.event_days if start.isoformat() <= day <= end.isoformat()]

    def count_form(self, event_type: str, day: str, filters: frozenset[tuple[str, str]]) -> dict[Hashable, int]:
        return sum_form(
            ("n", event_type, atom)
            for atom in self.cells.atoms
            if atom[0] == day and all(matches(atom, name, value) for name, value in filters)
        )

    @staticmethod
    def session_form(day: str, filters: frozenset[tuple[str, str]]) -> dict[Hashable, int]:
        """A day's sessions (an analyst's only: an institution's key sees none), or a group's that day."""
        if not filters:
            return {("s", day): 1}
        ((name, value),) = filters
        return {("gs", name, value, day): 1}

    def publish(
        self, measure: str, days: list[str], filters: frozenset[tuple[str, str]], value: int | None, where: str
    ) -> None:
        cells = []
        for day in days:
            if measure == "sessions":
                form = self.session_form(day, filters)
            elif measure.startswith("funnel_"):
                form = {("f", dict(filters).get("institution", "all"), measure.removeprefix("funnel_"), day): 1}
            elif measure == "usage_sessions":
                form = {("s", day): 1}
            else:
                form = self.count_form(MEASURES[measure], day, filters)
            cells.append(self.knowledge.cell((measure, day, filters), form))
            if value is None and form:
                self.knowledge.target(form, f"{where} {measure} on {day}")
        self.knowledge.published(cells, value, f"{where} {measure}")

    def counts(
        self,
        row: dict[str, Any],
        days: list[str],
        filters: frozenset[tuple[str, str]],
        where: str,
        *,
        hidden: tuple[str, ...],
    ) -> None:
        for measure in (*MEASURES, "sessions"):
            if measure not in hidden:
                self.publish(measure, days, filters, row[measure], where)
        for rate, (top, bottom) in RATES.items():
            expected = None if row[top] is None or not row[bottom] else round(row[top] / row[bottom], 4)
            if row[rate] != expected:
                self.unexplained.append(f"{where} {rate}: {row[rate]} is not {row[top]}/{row[bottom]}")

    def summary(
        self, answer: dict[str, Any], start: dt.date, end: dt.date, group_by: str | None, institution: int | None
    ) -> None:
        hidden = NOT_AN_INSTITUTIONS if institution is not None else ()
        where = f"[{start}..{end}] {group_by or 'total'} {'institution' if institution else 'analyst'}"
        scope = frozenset({("institution", str(institution))}) if institution is not None else frozenset()
        days = self.days(start, end)
        current = answer["current"]
        self.counts(current["totals"], days, scope, where, hidden=hidden)
        if institution is None:
            self.publish("usage_sessions", days, scope, current["usage"]["sessions"], f"{where} usage")
            self.usage(current["usage"], where)
        if group_by:
            self.groups(current["groups"], start, end, group_by, scope, where, hidden)
        if answer.get("experiment"):
            self.experiment(answer, where)

    def groups(
        self,
        rows: list[dict[str, Any]],
        start: dt.date,
        end: dt.date,
        group_by: str,
        scope: frozenset[tuple[str, str]],
        where: str,
        hidden: tuple[str, ...],
    ) -> None:
        days = self.days(start, end)
        if group_by in ("day", "week", "month"):
            for row in rows:
                self.counts(
                    row,
                    [day for day in days if bucket(day, group_by) == row["key"]],
                    scope,
                    f"{where} {row['key']}",
                    hidden=hidden,
                )
            return
        keys = {
            group_key(group_by, atom)
            for atom in self.cells.atoms
            if atom[0] in days and all(matches(atom, n, v) for n, v in scope)
        }
        shown = {row["key"] for row in rows}
        for key in keys - shown:  # a group without a person's event is left out: all its counts are 0
            for event_type in MEASURES.values():
                for day in days:
                    self.knowledge.bound(
                        self.count_form(event_type, day, scope | {(group_by, key or "none")}),
                        0,
                        0,
                        f"{where} {key} absent",
                    )
        for row in rows:
            self.counts(row, days, scope | {(group_by, row["key"] or "none")}, f"{where} {row['key']}", hidden=hidden)
        if "sessions" not in hidden:
            for day in days:  # each session is in one group at least, and a group's sessions are the day's
                group_sessions = {("gs", group_by, row["key"] or "none", day): 1 for row in rows}
                self.knowledge.bound({**group_sessions, ("s", day): -1}, 0, LARGE, f"{where} {day} sessions cover")
                for name in group_sessions:
                    self.knowledge.bound({name: 1, ("s", day): -1}, -LARGE, 0, f"{where} {day} group within day")

    def usage(self, usage: dict[str, Any], where: str) -> None:
        minutes, count = usage["session_minutes"], usage["sessions"]
        if count is None and (minutes is not None or usage["average_session_seconds"] is not None):
            self.unexplained.append(f"{where}: a duration is published while the sessions are suppressed")
        if count and minutes is not None and usage["average_session_seconds"] != round(minutes * 60 / count, 1):
            self.unexplained.append(f"{where}: the average is not session_minutes × 60 / sessions")
        if minutes is not None and minutes % ROUNDING.round_to:
            self.unexplained.append(f"{where}: session_minutes {minutes} is not rounded")
        rate = usage["bounce_rate"]
        if rate is not None and (
            not count or all(round(b / count, 4) != rate for b in range(0, count + 1, ROUNDING.round_to))
        ):
            self.unexplained.append(f"{where}: the bounce rate {rate} is not a published count over {count}")

    def experiment(self, answer: dict[str, Any], where: str) -> None:
        rows = {row["key"]: row for row in answer["current"]["groups"] if row["key"]}
        if answer["experiment"]["reference_variant"] is None:
            return
        reference = rows[answer["experiment"]["reference_variant"]]
        for arm in answer["experiment"]["arms"]:
            for difference in arm["differences"]:
                counts = rows[arm["variant"]]
                events = "clicks" if difference["rate"] == "ctr" else "referrals"
                mine, theirs = counts[events], reference[events]
                if mine is None or theirs is None or not counts["impressions"] or not reference["impressions"]:
                    self.unexplained.append(f"{where} {arm['variant']}: a difference from suppressed counts")
                    continue
                low, high = confint_proportions_2indep(
                    mine, counts["impressions"], theirs, reference["impressions"], method="newcomb", compare="diff"
                )
                expected = round(mine / counts["impressions"] - theirs / reference["impressions"], 4)
                if (difference["difference"], difference["ci_low"], difference["ci_high"]) != (
                    expected,
                    round(low, 4),
                    round(high, 4),
                ):
                    self.unexplained.append(f"{where} {arm['variant']} {difference['rate']}: not from published counts")

    def change(self, current: dict[str, Any], baseline: dict[str, Any], where: str) -> None:
        for measure, value in (current["change"] or {}).items():
            now, before = current[measure], baseline[measure]
            expected = None if now is None or before is None or before == 0 else round((now - before) / before, 4)
            if value != expected:
                self.unexplained.append(f"{where} change of {measure}: {value} is not from {now} and {before}")

    def funnel(self, answer: dict[str, Any], start: dt.date, end: dt.date, institution: int | None) -> None:
        where = f"[{start}..{end}] funnel {'institution' if institution else 'analyst'}"
        scope = str(institution) if institution else "all"
        filters = frozenset({("institution", scope)}) if institution else frozenset()
        days = self.days(start, end)
        published: list[int | None] = []
        steps = FUNNEL if institution is None else FUNNEL[1:]  # an institution's starts at its programs shown
        for step in answer["steps"]:
            published.append(step["sessions"])
            if step["step"] not in steps:
                continue
            self.publish(f"funnel_{step['step']}", days, filters, step["sessions"], where)
            index = FUNNEL.index(step["step"])
            previous = published[index - 1] if index else None
            for share, base in (("share_of_previous", previous), ("share_of_first", published[0])):
                expected = None if step["sessions"] is None or not base else round(step["sessions"] / base, 4)
                if index and step[share] != expected:
                    self.unexplained.append(f"{where} {step['step']} {share}: not from published counts")
        for day in days:  # each step's sessions are among the previous step's, and the day's
            for earlier, later in pairwise(steps):
                self.knowledge.bound(
                    {("f", scope, later, day): 1, ("f", scope, earlier, day): -1}, -LARGE, 0, f"{where} nested"
                )
            self.knowledge.bound({("f", scope, steps[0], day): 1, ("s", day): -1}, -LARGE, 0, f"{where} within day")


def matches(atom: tuple[Any, ...], name: str, value: str) -> bool:
    """Whether an event of this combination is in the group `name` = `value` ("none": without it)."""
    key = group_key(name, atom)
    return (key or "none") == value


def bucket(day: str, group_by: str) -> str:
    date = dt.date.fromisoformat(day)
    return {"day": day, "week": (date - dt.timedelta(days=date.weekday())).isoformat(), "month": day[:7]}[group_by]


def read(client: TestClient, path: str, headers: dict[str, str], **params: str) -> dict[str, Any]:
    response = client.get(path, params=params, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


def exact_truth(cells: Cells, engine: Engine, knowledge: Knowledge, key: bytes) -> Callable[[Hashable], int]:
    """Every unknown's exact value, for the check that the exact counts satisfy every bound: the
    counts the script made, the sessions and funnel steps per day as the database counts them, and each
    day cell's rounded value as the service rounds it (with its key, which the attacker has not)."""
    truth: dict[Hashable, int] = {}
    days = [cells.day(days_ago) for days_ago in range(7)]
    with Session(engine) as session:
        for day in days:
            window = Period(day, day)
            for scope in ("all", str(cells.institutions["a"])):
                counted = funnel_counts(session, window, Scope(None if scope == "all" else int(scope)))
                for counts in counted.values():
                    for step in ("searched", "saw_programs", "clicked", "inquired_or_referred"):
                        truth[("f", scope, step, day.isoformat())] = getattr(counts, step) or 0
            truth[("s", day.isoformat())] = (
                count_events(session, window, Scope())[None].get(None, {}).get("sessions", 0)
            )
            for group_by in GROUP_BYS:
                for group, daily in count_events(session, window, Scope(), group_by).items():
                    truth[("gs", group_by, group or "none", day.isoformat())] = daily[None]["sessions"]
    rule = DisclosureRule(exact=False, key=key)

    def value(name: Hashable) -> int:
        if name in truth:
            return truth[name]
        if isinstance(name, tuple) and name[0] == "k":
            measure, day, filters = name[1]
            count = sum(coefficient * value(part) for part, coefficient in knowledge.cells[name[1]].items())
            return rule.rounded(count, cell_name(measure, day, tuple(filters))) // ROUNDING.round_to
        return cells.counts.get(name, 0)

    return value


def csv_differences(
    client: TestClient, headers: dict[str, str], params: dict[str, str], answer: dict[str, Any]
) -> list[str]:
    """The CSV must hold the JSON's figures, no more precise."""
    response = client.get("/v1/analytics/summary", params=params, headers={**headers, "Accept": "text/csv"})
    rows = {row["key"]: row for row in csv.DictReader(io.StringIO(response.text))}
    found = []
    for row in [answer["current"]["totals"], *answer["current"]["groups"]]:
        key = "total" if row is answer["current"]["totals"] else (row["key"] or "")
        for measure in [*MEASURES, *RATES, "sessions"]:
            value = rows[key][measure]
            if value != ("" if row[measure] is None else str(row[measure])):
                found.append(f"CSV {params} {key} {measure}: {value} against {row[measure]}")
    return found


def target_differences(client: TestClient, cells: Cells) -> list[str]:
    """Targets' progress: from the published figures of the same period."""
    headers = cells.headers("analyst")
    start, end = cells.day(5), cells.day(1)
    targets = [
        {"measure": "clicks", "value": 200},
        {"measure": "referrals", "value": 20},
        {
            "measure": "ctr",
            "change": 0.1,
            "baseline_from": cells.day(12).isoformat(),
            "baseline_to": cells.day(6).isoformat(),
        },
    ]
    found = []
    totals = read(client, "/v1/analytics/summary", headers, **{"from": start.isoformat(), "to": end.isoformat()})[
        "current"
    ]["totals"]
    for body in targets:
        response = client.post(
            "/v1/analytics/targets", json={"from": start.isoformat(), "to": end.isoformat(), **body}, headers=headers
        )
        assert response.status_code == 201, response.text
        target = response.json()
        if target["actual"] != totals[body["measure"]]:
            found.append(f"target {body['measure']}: actual {target['actual']} against {totals[body['measure']]}")
        goal = target["goal"]
        if target["progress"] != (None if target["actual"] is None or not goal else round(target["actual"] / goal, 4)):
            found.append(f"target {body['measure']}: progress not from published figures")
    return found


def test_no_suppressed_count_can_be_pinned(client: TestClient, cells: Cells, reference_engine: Engine) -> None:
    reader = Reader(cells)
    institution = cells.institutions["a"]
    for start, end in windows(cells):
        period = {"from": start.isoformat(), "to": end.isoformat()}
        for role, scope in (("analyst", None), ("institution", institution)):
            headers = cells.headers(role)
            for group_by in (None, *GROUP_BYS):
                params = {**period, **({"group_by": group_by} if group_by else {})}
                answer = read(client, "/v1/analytics/summary", headers, **params)
                reader.summary(answer, start, end, group_by, scope)
                if group_by in (None, "variant", "day"):
                    reader.unexplained += csv_differences(client, headers, params, answer)
            reader.funnel(read(client, "/v1/analytics/funnel", headers, **period), start, end, scope)
    # Comparisons of overlapping periods, and the experiment against each arm.
    for days_ago in range(1, 6):
        day = cells.day(days_ago).isoformat()
        baseline = {"compare_from": cells.day(days_ago + 1).isoformat(), "compare_to": day}
        for reference in ("control", "B"):
            params = {
                "from": day,
                "to": cells.day(days_ago - 1).isoformat(),
                "group_by": "variant",
                "reference_variant": reference,
                **baseline,
            }
            answer = read(client, "/v1/analytics/summary", cells.headers("analyst"), **params)
            reader.summary(answer, cells.day(days_ago), cells.day(days_ago - 1), "variant", None)
            reader.summary(
                {"current": answer["baseline"]}, cells.day(days_ago + 1), cells.day(days_ago), "variant", None
            )
            reader.change(answer["current"]["totals"], answer["baseline"]["totals"], f"compare {day}")
    reader.unexplained += target_differences(client, cells)
    truth = exact_truth(cells, reference_engine, reader.knowledge, client.app.state.disclosure_key)
    assert reader.unexplained == []
    assert reader.knowledge.pinned(truth) == []
    assert len(reader.knowledge.targets) > 100  # the attacker had suppressed cells to work on


def test_the_attacker_pins_what_rounding_each_period_would_give_away() -> None:
    """The attacker is not toothless: had each period's count been rounded on its own (as before), the
    day with 4 sessions between days of 38 and 9 would be pinned from four overlapping periods."""
    days = [38, 4, 9, 11, 2]
    knowledge = Knowledge()
    for first in range(len(days)):
        for last in range(first, len(days)):
            value = sum(days[first : last + 1])
            shown = None if 0 < value < 10 else int((value + 2.5) // 5) * 5
            low, high = (1, 9) if shown is None else (max(10, shown - 2), shown + 2) if shown else (0, 0)
            knowledge.bound(sum_form(("d", day) for day in range(first, last + 1)), low, high, f"days {first}-{last}")
            if shown is None:
                knowledge.target(sum_form(("d", day) for day in range(first, last + 1)), f"days {first}-{last}")
    assert "days 1-1: pinned to 4" in knowledge.pinned(lambda name: days[name[1]])  # type: ignore[index]


def test_the_issue_s_interval_search_recovers_nothing(client: TestClient, cells: Cells) -> None:
    """The issue's attack: search the rounding ranges of the arms for the exact counts whose Newcombe
    intervals give the published ones. The arm whose clicks and referrals are suppressed gets no
    interval; the other comparisons are functions of published counts, which every candidate shares."""
    day = cells.day(3).isoformat()
    answer = read(
        client, "/v1/analytics/summary", cells.headers("analyst"), **{"from": day, "to": day, "group_by": "variant"}
    )
    arms = {row["key"]: row for row in answer["current"]["groups"]}
    published = {
        arm: (arms[arm]["impressions"], arms[arm]["clicks"], arms[arm]["referrals"]) for arm in ("B", "control")
    }

    def candidates(value: int | None) -> range:
        return range(1, 14) if value is None else range(max(0, value - 4), value + 5)

    intervals = {
        difference["rate"]: difference for arm in answer["experiment"]["arms"] for difference in arm["differences"]
    }
    shown, clicks, referrals = published["B"]
    survivors = set()
    for exact in product(candidates(shown), candidates(clicks), candidates(referrals)):
        if any(kept > exact[0] for kept in exact[1:]):
            continue
        fits = True
        for rate, kept in (("ctr", exact[1]), ("referral_rate", exact[2])):
            if rate in intervals:
                base = published["control"]
                low, high = confint_proportions_2indep(
                    kept, exact[0], base[1 if rate == "ctr" else 2], base[0], method="newcomb", compare="diff"
                )
                fits &= (round(low, 4), round(high, 4)) == (intervals[rate]["ci_low"], intervals[rate]["ci_high"])
        if fits:
            survivors.add(exact)
    # The search does not single out the exact counts (it either keeps many candidates, or, where an
    # interval was computed from published counts, misses the exact ones).
    assert survivors != {(12, 3, 2)}
