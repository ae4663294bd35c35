"""reports/load.md and its charts, from the runs `scripts/load_test.py` keeps in var/load/*.json.

The charts are SVG written here (no plotting library is installed: matplotlib is not, and plotly needs
kaleido for a static image): latency over time per bucket, every failed request, the faults shaded and
the readiness polls as a strip under the time axis."""

import math
import platform
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path
from typing import Any

ROUTE_ORDER = (
    "search (unseen)",
    "search (popular)",
    "recommendations (en)",
    "recommendations (fr)",
    "page /",
    "page /results",
    "profile",
    "suggest",
    "events",
    "events (retry)",
    "tracked link",
)
ROUTE_TEXT = {
    "search (unseen)": "`GET /v1/occupations/search`, a title never sent before",
    "search (popular)": "`GET /v1/occupations/search`, one of 40 common titles",
    "recommendations (en)": "`POST /v1/recommendations`, English, portal key",
    "recommendations (fr)": "`POST /v1/recommendations`, French, portal key",
    "page /": "`GET /?q=…&region=…&lang=…`, the whole page (a fifth without a title)",
    "page /results": "`GET /results?q=…`, the fragment the page's script fetches",
    "profile": "`GET /v1/occupations/{code}?lang=&region=`",
    "suggest": "`GET /v1/titles/suggest?prefix=…`",
    "events": "`POST /v1/events`, 1 to 25 events, portal key",
    "events (retry)": "the same batch sent again after a `5xx` or no answer, after `Retry-After`",
    "tracked link": "`GET /r/{token}` of a program recommended earlier (302)",
}
SETUP = (
    "- **Commands**, from a fresh clone of the commit measured: `scripts/load_test.py scaling --workers 1,2,4 "
    "--clients 8 --seconds 60`, then `contention --clients 2 --seconds 45`, then `faults --pg-cluster 15/loadtest "
    "--kill-every 45` (its `postgres`, `disk` and `kills` phases), then `mixed --seconds 600 --rate 12 --workers "
    "2`, one after the other, with `LMI_INDEX_DIR` holding the "
    "e5 model files and the indexes: nothing was rebuilt, and each `lmi serve` answered `/readyz` 200 from every "
    "worker {start_range} after it was started.",
    "- **PostgreSQL**: a cluster of its own for these runs (`pg_createcluster 15 loadtest --port 5433`, the "
    "main cluster's `pg_hba.conf`, trust on loopback; PostgreSQL 15, `max_connections` 100, `shared_buffers` "
    "128 MB as the main one) holding `lmi_load`: `lmi import-reference` (10 s) and `lmi catalog load-samples` "
    "(2 min, 5,154 courses, the skill space's embeddings already cached). A cluster of its own, because stopping "
    "PostgreSQL is one of the faults and other tests may use the main cluster (port 5432) at the same time.",
    "- **Clients**: one process, asyncio + httpx, HTTP/1.1 with a pool of keep-alive connections (the kernel "
    "hands each new connection to one worker), no cookies kept (each page request is a new visit), a 30 s "
    'timeout. A portal\'s key from `lmi keys create --role portal --name "Load test"` for recommendations and '
    "events. Every request's sending time, route, status (or transport error) and latency is kept in "
    "var/load/*.json; an error is any answer other than 2xx/3xx, or none.",
    "- **Events lost**: after each run, every `event_id` of a batch answered `202` (less the ones its answer "
    "listed as rejected) is looked up in the `event` table, and so is every impression of a recommendation "
    "answered `200` and every click of a tracked link answered `302`. A batch answered `5xx` or not at all is "
    "sent again with the same ids after its `Retry-After` (1 s without one), up to 6 times, as the problem's "
    "page tells a portal to; a retry is counted once.",
    "- **kill -9**: of the worker with the lowest pid, among the supervisor's children "
    "(`/proc/<pid>/task/<pid>/children`, command line containing `spawn_main`); the fault ends when a new worker "
    "process exists and has logged `Application startup complete` (it accepts no connection before).",
    "- **PostgreSQL restart**: `pg_ctlcluster 15 loadtest stop -m fast` (it closes the sessions at once), "
    "15 s down, `pg_ctlcluster 15 loadtest start`; the fault ends when a new connection succeeds.",
    "- **Full disk**: a tmpfs mounted for the run (`mount -t tmpfs -o size=<database + 48>m`; the script runs "
    "as root) holding a copy of a SQLite database with the reference data and the sample catalogs (made once "
    "in var/load/sqlite-base.sqlite3), served by `lmi serve --workers 2`; filled by a junk file written until "
    "`ENOSPC`, deleted 30 s later (the end of the fault), unmounted after the run.",
    "- **Readiness**: `/readyz` every 0.5 s on a new connection, so either worker answers a poll.",
)
FIXES = (
    "Before the fix, every request that needed the database while PostgreSQL was stopping, stopped or "
    "starting was answered `500 Internal server error` (`about:blank`), a traceback logged for each (see "
    "[the run before the fix](load_before_fix.md)); a few of them came from "
    "the rate limits' check of the portal's key, which runs before any route. uvicorn also closes the connection "
    "after such an unhandled error, so a client's next request on it can fail without an answer.",
    "",
    "- `service/problems.py`: a problem type `database-unavailable` (503, its page at "
    "`/problems/database-unavailable`); `database_unavailable(error)` says when an error is the database not "
    "answering just now: a SQLAlchemy `OperationalError` (PostgreSQL refusing or closing connections, "
    "starting up, shutting down), any DBAPI error whose connection was invalidated, the pool's `TimeoutError` "
    "(no connection free in time) and, for SQLite, only the result codes of a busy, locked, read-only, full, "
    "unopenable or failing file (`SQLITE_BUSY`, `LOCKED`, `READONLY`, `FULL`, `CANTOPEN`, `IOERR`): SQLite "
    "reports a missing table or a syntax error as `OperationalError` too, and those stay `500`. Such an error "
    "is answered `503` `application/problem+json` with `Retry-After: 5` and `retry_after` (handlers for "
    "`DBAPIError` and the pool's `TimeoutError`; any other database error still goes on to the `500` handler), "
    "and logged as one warning line without the statement or its parameters. The handler of unexpected errors "
    "answers the same when such an error comes from a middleware.",
    "- `service/http/rate_limit.py`: when the database cannot check a key just now, the request is counted per "
    "address and the answer is not remembered (it was a `500` from the middleware); the route itself then "
    "answers `database-unavailable` if it needs the database, and a search or a suggestion is served.",
    "- Events: the route already commits before answering `202`; a batch whose commit fails is now a `503` with "
    "`Retry-After` (never a `202`), and sent again with the same ids it is counted once.",
    "- `tests/service/test_database_unavailable.py` (4 tests, 4 s, on a new SQLite file each): events on a full "
    "file (SQLite's `max_page_count`, the same `SQLITE_FULL` as a full disk) are a `503` with `Retry-After` and "
    "none is stored, then the same batch is stored once there is room; an unreachable PostgreSQL is a `503` "
    "problem on a profile while `/readyz` says `database: unreachable`; a key the database cannot check is "
    "counted per address (the page of a problem is served; events with that key are a `503`); a missing table "
    "is not taken for an unavailable database, a full file is.",
    "- README: the problem type, and the events paragraph.",
)
SCALING_NOTE = (
    "On these 2 cores more workers do not search faster, and cannot: an unseen search costs the same CPU whatever "
    "the number of workers (the *searches per CPU second* column), and one worker already has most of the two "
    "cores (the client process and PostgreSQL take the rest), so the ratios to one worker are the noise of a "
    "machine with no idle core (earlier runs, with other developers' benchmarks on the same cores, gave 2 "
    "workers 0.85, 0.90 and 1.44 times one). Each worker adds about 0.9 GB. What more cores would give follows "
    "from the CPU cost: at about 43 unseen searches per CPU second, 150 a second need about 3.5 cores of workers "
    "(an estimate from this machine's cores, not measured on a larger host). With 4 workers the clients' "
    "keep-alive connections can be shared unevenly: the kernel hands each new connection to whichever worker "
    "accepts first (in a 30 s probe of an earlier run one of 4 workers got none). Several workers are for "
    "resilience here (a killed worker does not stop the service) and for hosts with more cores.",
)
CONTENTION_NOTE = (
    "Searches slow down beside an upload or batches because the two cores are shared: the upload's tagging and "
    "the batches embed on the worker that took them, with that worker's threads. They are not queued behind "
    "them: within a worker a person's search goes before the chunks of a batch, an upload or a re-tagging in "
    "the embedding queue (at most 16 texts a chunk), and the other worker has no part in them. Where uploads "
    "and batches are frequent, a host of their own (the same image, its own `LMI_WORKERS`) keeps them off the "
    "cores that answer people. A batch gives way to searches within its worker, so under a steady stream of "
    "searches it goes slowly (its titles per second above): what waits is the batch, never the person.",
)
FINDINGS = (
    "- **A killed worker can go unnoticed for 20 s.** uvicorn's supervisor checks each worker every 0.5 s: "
    "`waitpid`, then a ping over a pipe, waiting for the pong up to `timeout_worker_healthcheck` "
    "(`WORKER_HEALTHCHECK_SECONDS` in `service/cli/serve.py`). When the kill lands while the supervisor waits for "
    "that worker's pong, the pong never comes, and the death is no end of file either (the supervisor keeps the "
    "worker's end of the pipe open as well): it waits the whole timeout (py-spy showed its main thread in "
    "`Process._healthcheck` → `Connection.poll`). The timeout was 60 s in the first runs (3 of 8 kills, and 3 "
    "of 15 before, waited 58 to 60 s); it is now 20 s, long enough for a worker that unpickles its models at "
    "start (4 to 11 s seen here) not to be taken for a hung one, and the kills below show the waits it leaves. "
    "Otherwise the death is noticed within 0.5 s. Meanwhile the other worker serves everything, so no request "
    "fails and no event is lost, at half the capacity. The remedy belongs in the supervisor (wait for the pong "
    "in short steps and stop when the child has died).",
    "- **Requests in flight on a killed worker get no answer** (`RemoteProtocolError`, `ReadError`), and so does "
    "a request the client sends at that moment on a keep-alive connection to it: inherent to `kill -9`. The "
    "harness resent such event batches after 1 s with the same ids; none was lost or counted twice.",
    "- **Readiness cannot see a killed worker**: a poll reaches either worker and the survivor answers 200, which "
    "is true of the host, which keeps serving.",
    "- **Readiness while PostgreSQL is down tells the truth**: `503` with `database: unreachable or not migrated` "
    "from the first poll after PostgreSQL refused connections to the first after it accepted them again (polls "
    "every 0.5 s); afterwards the pool's pre-ping replaced the dead connections: no error after the restart. "
    "Searches and suggestions, which need no database, were answered throughout.",
    "- **Readiness stays 200 while SQLite's disk is full**: the database answers reads, and searches, profiles "
    "and suggestions were served; every write (events, recommendations and the page's searches, which log "
    "impressions, tracked links) was answered `503 database-unavailable` and logged as one warning line. "
    "`/readyz` does not test writing (it would have to write at every probe).",
    "- **Readiness did not see a schema older than the code** (fixed). During this work another developer "
    "changed migration 0007 in place (work in progress); the load-test databases, migrated before, lacked a new "
    'column, and every event write was a `500` (`ProgrammingError: column "prev_day" of relation '
    '"event_session_day" does not exist`) while `/readyz` answered 200. Code deployed before `lmi migrate` would '
    "do the same, so `/readyz` now reads the database's Alembic revision (one row) and answers `503 not-ready` "
    "with `checks.schema` `behind` and `schema_revision` while it is older than the code's newest migration.",
    "- **An unhandled error costs a second request**: after one, Starlette sends the `500` and re-raises, and "
    "uvicorn then closes the connection, so a client reusing that keep-alive connection fails without an answer "
    "(`ReadError`s came with the `500`s of the run above). `database-unavailable` is answered by an exception "
    "handler and keeps the connection.",
    "- **The public page** answers the JSON problem while the database is unavailable (as it answered the JSON "
    "`500` before); a short bilingual HTML page, like its `429` page, would suit people better.",
    "- **Unseen searches**: 4% of them were still decided by the words alone (`match_type` `exact`), for instance "
    "when the only change was *casual* or *occasionnel*, which normalization removes; the others were embedded, "
    "each a text never embedded before by that server (every `normalized` distinct).",
)
MIX_TEXT = {
    "search (unseen)": "search (unseen)",
    "search (popular)": "search (popular)",
    "recommendations": "recommendations (65% English, 35% French)",
    "page": "public page (60% `/`, 40% `/results`)",
    "profile": "occupation profile",
    "suggest": "title suggestions",
    "events": "events",
    "tracked link": "tracked link",
}


def render(
    mixed: dict[str, Any] | None,
    scaling: dict[str, Any] | None,
    faults: dict[str, Any] | None,
    folder: Path,
    scaling_earlier: Sequence[dict[str, Any]] = (),
    contention: dict[str, Any] | None = None,
) -> str:
    lines = [
        "# Load and fault tests: `lmi serve --workers N` on PostgreSQL",
        "",
        f"Written by `scripts/load_test.py` on {platform.machine()}, {_cores(mixed, scaling)} cores, Python "
        f"{platform.python_version()}. The server (`lmi serve`, uvicorn's supervisor and its workers, the real "
        "e5 models from `LMI_INDEX_DIR`, `LMI_MATCHER_BACKEND=e5`, the rate limits raised with `UNLIMITED_RATES`: "
        "every client shares one address) and the clients (one asyncio + httpx process) run on the same "
        "machine, over loopback; PostgreSQL 15 on the same machine too. Nothing else heavy ran meanwhile (other "
        "developers edited code and ran short tests); the load averages are given with each run.",
        "",
    ]
    lines += summary_section(mixed, scaling, faults, contention)
    setup = [line.replace("{start_range}", _start_range(mixed, scaling, faults)) for line in SETUP]
    lines += ["## How it was run", "", *setup, "", "## Fixes made to the service", "", *FIXES, ""]
    lines += ["## What else the faults showed", "", *FINDINGS, ""]
    if mixed:
        lines += mixed_section(mixed, folder)
    if scaling:
        lines += scaling_section(scaling)
    if scaling:
        lines += [*SCALING_NOTE, ""]
    for earlier in scaling_earlier:
        lines += [
            f"The same measurement earlier ({_when(earlier)[0].lower()}{_when(earlier)[1:]}; other developers' "
            "tests and benchmarks loaded the machine differently):",
            "",
            *scaling_section(earlier)[4:],
        ]
    if contention:
        lines += contention_section(contention)
    if faults:
        lines += faults_section(faults, folder)
    return "\n".join(lines) + "\n"


def _cores(*records: dict[str, Any] | None) -> str:
    return next((str(record["cores"]) for record in records if record and "cores" in record), "?")


# --- the summary ----------------------------------------------------------------------------------------


def summary_section(
    mixed: dict[str, Any] | None,
    scaling: dict[str, Any] | None,
    faults: dict[str, Any] | None,
    contention: dict[str, Any] | None = None,
) -> list[str]:
    lines = ["## Summary", ""]
    if mixed:
        samples = samples_of(mixed)
        errors = sum(failed(status) for _, _, status, _, _ in samples)
        stored = mixed["stored"]
        p99 = {route: _p99(samples, route) for route in ROUTE_ORDER if any(s[1] == route for s in samples)}
        lines.append(
            f"- **Mixed load**, {mixed['duration'] / 60:.0f} min, {mixed['workers']} workers on PostgreSQL, open loop "
            f"at {mixed['rate']:g} requests/s (at most {mixed['max_in_flight']} in flight): {len(samples):,} "
            f"requests, **{errors} errors** (non-2xx/3xx or no answer), {mixed['shed']} shed; "
            f"**{stored['events_missing']} of {stored['events_acknowledged']:,} acknowledged events lost**. "
            "p99: " + "; ".join(f"{route} {ms(value)}" for route, value in p99.items()) + f". {load_text(mixed)}."
        )
    if scaling:
        runs = scaling["runs"]
        base = next((run["requests_per_second"] for run in runs if run["workers"] == 1), math.nan)
        lines.append(
            f"- **Unseen searches**, {scaling['clients']} clients in a closed loop, {scaling['seconds']:.0f} s each: "
            + ", ".join(
                f"{run['workers']} worker{'s' if run['workers'] > 1 else ''} {run['requests_per_second']:.1f}/s "
                f"(×{run['requests_per_second'] / base:.2f}, p50 {ms(run['p50'])}, p99 {ms(run['p99'])})"
                for run in runs
            )
            + "."
        )
    if contention:
        lines.append(_contention_summary(contention))
    for phase in (faults or {}).get("phases", []):
        samples = samples_of(phase)
        if phase["name"] == "kills":
            lines.append(_kills_summary(phase))
            continue
        for index, fault in enumerate(phase["faults"]):
            following = phase["faults"][index + 1 :]
            fault = fault | {"until": following[0]["start"] if following else math.inf}  # noqa: PLW2901
            lines.append(
                f"- **{fault['name']}** ({phase['workers']} workers on {_backend(phase)}): "
                + _fault_summary(fault, samples, phase)
            )
    return [*lines, ""]


def _start_range(*records: dict[str, Any] | None) -> str:
    seconds = [record["server_start_seconds"] for record in records if record and "server_start_seconds" in record]
    for record in records:
        seconds += [run["start_seconds"] for run in (record or {}).get("runs", [])]
        seconds += [phase["server_start_seconds"] for phase in (record or {}).get("phases", [])]
    return f"{min(seconds):.0f} to {max(seconds):.0f} s" if seconds else "seconds"


def _backend(phase: dict[str, Any]) -> str:
    return "SQLite" if phase["database"].startswith("sqlite") else "PostgreSQL"


def _p99(samples: Sequence[tuple[float, str, int | None, float, str | None]], route: str) -> float:
    return percentile([latency for _, name, status, latency, _ in samples if name == route and not failed(status)], 99)


def _fault_summary(
    fault: dict[str, Any], samples: Sequence[tuple[float, str, int | None, float, str | None]], phase: dict[str, Any]
) -> str:
    start, end = fault["start"], fault["end"]
    # An error belongs to the fault when the request was in flight at any moment of it.
    errors = [s for s in samples if failed(s[2]) and s[0] + s[3] / 1000 >= start and s[0] < end]
    after = [s for s in samples if end <= s[0] < fault["until"]]  # until the next fault
    after_5xx = [s for s in after if s[2] is None or s[2] >= 500]
    kinds = Counter(f"{status or 'no answer'} {error or ''}".strip() for _, _, status, _, error in errors)
    polls = [poll for poll in phase["polls"] if start - 1 <= poll[0] < end + 5]
    not_ready = [poll for poll in polls if poll[1] != 200]
    readiness = (
        f"readiness answered 200 throughout ({len(polls)} polls)"
        if not not_ready
        else f"readiness not 200 from {not_ready[0][0]:.1f} s to {not_ready[-1][0]:.1f} s "
        f"({polls_text(not_ready)}), 200 again from "
        + next((f"{poll[0]:.1f} s" for poll in polls if poll[0] > not_ready[-1][0] and poll[1] == 200), "–")
    )
    stored = phase["stored"]
    return (
        f"{end - start:.1f} s from the fault to its end; {len(errors)} requests in flight then failed ("
        + (", ".join(f"{kind} ×{count}" for kind, count in kinds.most_common()) or "none")
        + f"); **{len(after_5xx)} 5xx or unanswered among the {len(after):,} requests sent after it ended** "
        + ("(until the next fault)" if math.isfinite(fault["until"]) else "(to the end of the run)")
        + "; "
        f"{readiness}; **{stored['events_missing']} of {stored['events_acknowledged']:,} acknowledged events "
        "lost** in the run."
    )


# --- figures --------------------------------------------------------------------------------------------


def samples_of(record: dict[str, Any]) -> list[tuple[float, str, int | None, float, str | None]]:
    return [(row[0], row[1], row[2], row[3], row[4]) for row in record["samples"]]


def failed(status: int | None) -> bool:
    return status is None or status >= 400


def percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ms(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:,.0f} ms" if value >= 10 else f"{value:.1f} ms"


def number(value: float) -> str:
    return f"{value:,.0f}"


def load_text(record: dict[str, Any]) -> str:
    loads = [load for _, load in record.get("loads", [])]
    during = f"; during it {min(loads):.1f} to {max(loads):.1f}, mean {sum(loads) / len(loads):.1f}" if loads else ""
    return f"load average (1 min) {record['load_before']:.1f} before, {record['load_after']:.1f} after{during}"


def route_table(samples: Sequence[tuple[float, str, int | None, float, str | None]]) -> list[str]:
    by_route: dict[str, list[tuple[int | None, float]]] = defaultdict(list)
    for _, route, status, latency, _ in samples:
        by_route[route].append((status, latency))
    lines = [
        "| route | requests | answered 2xx/3xx | errors | p50 | p95 | p99 | max |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    every: list[float] = []
    for route in [*ROUTE_ORDER, *sorted(set(by_route) - set(ROUTE_ORDER))]:
        answers = by_route.get(route)
        if not answers:
            continue
        good = [latency for status, latency in answers if not failed(status)]
        every += good
        lines.append(
            f"| {route} | {len(answers):,} | {len(good):,} | {len(answers) - len(good):,} | "
            f"{ms(percentile(good, 50))} | {ms(percentile(good, 95))} | {ms(percentile(good, 99))} | "
            f"{ms(max(good, default=math.nan))} |"
        )
    errors = len(samples) - len(every)
    lines.append(
        f"| **all** | {len(samples):,} | {len(every):,} | {errors:,} | {ms(percentile(every, 50))} | "
        f"{ms(percentile(every, 95))} | {ms(percentile(every, 99))} | {ms(max(every, default=math.nan))} |"
    )
    return lines


def error_table(samples: Iterable[tuple[float, str, int | None, float, str | None]]) -> list[str]:
    groups: dict[tuple[str, str, str], list[float]] = defaultdict(list)
    for at, route, status, _, error in samples:
        if failed(status):
            groups[(route, str(status) if status else "no answer", error or "")].append(at)
    if not groups:
        return []
    lines = ["| route | status | problem type / error | count | first at | last at |", "|---|---|---|---:|---:|---:|"]
    for (route, answer, error), times in sorted(groups.items(), key=lambda item: min(item[1])):
        lines.append(
            f"| {route} | {answer} | {error or '–'} | {len(times)} | {min(times):.1f} s | {max(times):.1f} s |"
        )
    return lines


def stored_lines(stored: dict[str, Any]) -> list[str]:
    lines = [
        f"- Events: {stored['events_sent']:,} sent in batches; {stored['events_acknowledged']:,} in batches "
        f"answered `202` and not listed as rejected; **{stored['events_found']:,} of them found in the database, "
        f"{stored['events_missing']} missing**"
        + (f" ({', '.join(stored['events_missing_ids'][:5])}…)" if stored["events_missing"] else "")
        + ".",
        f"- Impressions of recommendations answered `200`: {stored['impressions_answered']:,}, found "
        f"{stored['impressions_found']:,}. Clicks of tracked links answered `302`: {stored['clicks_answered']:,} "
        f"impressions clicked, found {stored['clicks_found']:,}.",
    ]
    if stored["events_rejected"]:
        reasons = ", ".join(f"{reason}: {count}" for reason, count in stored["events_rejected"].items())
        lines.append(f"- Events the `202` listed as rejected (not counted as acknowledged): {reasons}.")
    if stored.get("retries"):
        lines.append(
            f"- Batches answered `5xx` or not answered were sent again with the same ids after `Retry-After` "
            f"(as a portal would): {stored['retries']} retries; {stored['acknowledged_after_retry']:,} events "
            f"acknowledged by a retry, {stored['duplicates_in_retries']} of them counted as duplicates (stored by an "
            f"attempt whose answer was lost), {stored['events_given_up']} given up after 6 retries."
        )
    if stored.get("duplicates"):
        lines.append(f"- Events the `202` counted as duplicates (none expected): {stored['duplicates']}.")
    if stored["accepted_mismatch"]:
        lines.append(
            "- Batches whose `accepted` + `duplicates` differed from the events not rejected: "
            f"{stored['accepted_mismatch']}."
        )
    return lines


def polls_text(polls: Sequence[Sequence[Any]], start: float = -math.inf, end: float = math.inf) -> str:
    counts = Counter(str(status) if status else "no answer" for at, status, *_ in polls if start <= at < end)
    return ", ".join(f"{status}: {count}" for status, count in sorted(counts.items())) or "none"


# --- sections -------------------------------------------------------------------------------------------


def mixed_section(record: dict[str, Any], folder: Path) -> list[str]:
    samples = samples_of(record)
    duration = record["duration"]
    unseen = record["unseen"]
    types = ", ".join(f"{kind} {count}" for kind, count in sorted(unseen["match_types"].items(), key=lambda i: -i[1]))
    chart = folder / "load_mixed.svg"
    latency_chart(record, chart, bucket=10)
    lines = [
        f"## Mixed load: {duration / 60:.0f} minutes, {record['workers']} workers, PostgreSQL",
        "",
        f"Started {record['started']}; {load_text(record)}. `{record['database']}`; the server started whole "
        f"in {record['server_start_seconds']:.1f} s; resident memory of the workers at the end: "
        + ", ".join(f"{size:,.0f} MB" for size in record["resident_mb"].values())
        + ".",
        "",
        f"**Open loop**: requests arrive as a Poisson process at **{record['rate']:g} a second**, at most "
        f"**{record['max_in_flight']} in flight** (an arrival over the bound is not sent: *shed*), for "
        f"{duration:.0f} s. Sent {record['sent']:,} ({record['sent'] / duration:.1f}/s), shed {record['shed']}. "
        f"The client process used {record['client_cpu_seconds']:.0f} s of CPU "
        f"({100 * record['client_cpu_seconds'] / duration:.0f}% of one core).",
        "",
        "| kind | share of arrivals |",
        "|---|---:|",
        *(f"| {MIX_TEXT.get(kind, kind)} | {share}% |" for kind, share in record["mix"].items()),
        "",
        "Unseen searches are published titles (NOC 2021 job titles, 65% English, 35% French), each used once, "
        "with a typo (a letter swapped, dropped or doubled) or a word people add that normalization keeps "
        "(*bilingual*, *certified*, *syndiqué*…), and often seniority (*Senior*, *Sr.*, *expérimenté*), a "
        "schedule (*part-time*, *temps partiel*), a place (*, Toronto ON*, *à Laval*) or capitals, which "
        "normalization removes. Recommendations and the page use a common title 70% of the time and an unseen "
        "one 30%; 70% name a region, a quarter give a current job and skills, a fifth a filter. Events: page "
        "views and searches, and half the time a click, inquiry, referral or feedback naming a program "
        "recommended earlier in the run (once per program and type).",
        "",
        "### Latency per route (answers that succeeded)",
        "",
        *route_table(samples),
        "",
        *route_lines(record),
        "",
        f"Unseen searches answered: {unseen['answered']:,}, of which {unseen['distinct_normalized']:,} distinct "
        f"`normalized` texts (so no query vector was reused); first result's `match_type`: {types}.",
        "",
        "### Errors",
        "",
    ]
    errors = error_table(samples)
    lines += errors or ["None: every request was answered `2xx` or `3xx`, and no request failed in transport."]
    lines += [
        "",
        "### Events: nothing lost",
        "",
        *stored_lines(record["stored"]),
        "",
        f"Readiness polls (every 0.5 s, a new connection each): {polls_text(record['polls'])}.",
        "",
        f"![Latency over time]({chart.name})",
        "",
        f"*{chart.name}: p50 and p99 of all answers, p99 of unseen searches and of recommendations, per "
        "10 s; failed requests in red; the machine's load average dashed (right-hand axis); readiness polls under "
        "the axis (green 200, red 503, grey no answer).*",
        "",
    ]
    return lines


def route_lines(record: dict[str, Any]) -> list[str]:
    return ["Routes:", "", *(f"- {route}: {text}" for route, text in ROUTE_TEXT.items())]


def scaling_section(record: dict[str, Any]) -> list[str]:
    runs = record["runs"]
    base = next((run["requests_per_second"] for run in runs if run["workers"] == 1), math.nan)
    lines = [
        "## Unseen searches: 1, 2 and 4 workers",
        "",
        f"{_when(record)}; `{record['database']}`. A closed loop: {record['clients']} clients, each "
        f"sending an unseen search as soon as its previous one is answered, for {record['seconds']:.0f} s after "
        f"a {record['warm_up']:.0f} s warm-up, against a new server for each number of workers (each worker "
        "embeds with the cores ÷ the workers threads, at least one: `LMI_EMBED_THREADS` unset).",
        "",
        "| workers | searches/s | ratio to 1 worker | p50 | p95 | p99 | errors | server CPU | searches per CPU "
        "second | distinct `normalized` | workers' memory | load average before → after |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for run in runs:
        cpu = run.get("server_cpu_seconds", math.nan)
        lines.append(
            f"| {run['workers']} | {run['requests_per_second']:.1f} | {run['requests_per_second'] / base:.2f} | "
            f"{ms(run['p50'])} | {ms(run['p95'])} | {ms(run['p99'])} | {run['errors']} | "
            f"{_cores_used(cpu, record['seconds'])} | {_per_cpu(run['completed'], cpu)} | "
            f"{run['distinct_normalized']:,} of {run['answered']:,} | {run['resident_mb']:,.0f} MB | "
            f"{run['load_before']:.1f} → {run['load_after']:.1f} |"
        )
    return [*lines, ""]


def _cores_used(cpu_seconds: float, seconds: float) -> str:
    return "–" if math.isnan(cpu_seconds) else f"{cpu_seconds / seconds:.2f} cores"


def _per_cpu(completed: int, cpu_seconds: float) -> str:
    return "–" if math.isnan(cpu_seconds) or cpu_seconds <= 0 else f"{completed / cpu_seconds:.1f}"


def _when(record: dict[str, Any]) -> str:
    return f"Started {record['started']}" if "started" in record else f"Finished {record['finished']}"


def _background_text(window: dict[str, Any]) -> str:
    background = window["background"]
    if "courses" in background:
        return f"{background['what']}: {background['seconds']:.0f} s"
    if "batches" in background:
        longest = max(background["batch_seconds"], default=math.nan)
        count = background["batches"]
        each = f"{min(background['batch_seconds']):.0f} to {longest:.0f} s each" if count > 1 else f"{longest:.0f} s"
        return (
            f"{background['what']}: {count} batch{'es' if count > 1 else ''}, {each} "
            f"({background['titles_per_second']:.0f} titles/s)"
        )
    return "nothing"


def _contention_summary(record: dict[str, Any]) -> str:
    windows = {window["name"]: window for window in record["windows"]}
    alone = windows.get("alone")
    parts = []
    for name in ("during an upload", "during batches"):
        if (window := windows.get(name)) is None:
            continue
        parts.append(
            f"{name} ({_background_text(window)}) p50 {ms(window['p50'])}, p99 {ms(window['p99'])}, longest "
            f"{ms(window['max'])}"
        )
    baseline = f"alone p50 {ms(alone['p50'])}, p99 {ms(alone['p99'])}; " if alone else ""
    errors = sum(window["errors"] for window in record["windows"])
    return (
        f"- **Searches beside an upload or batches** ({record['workers']} workers, {record['clients']} clients in a "
        f"closed loop): {baseline}" + "; ".join(parts) + f"; {errors} errors. No search waited for the upload or a "
        "batch to end (see below)."
    )


def contention_section(record: dict[str, Any]) -> list[str]:
    lines = [
        "## Does a search wait for an upload or a batch?",
        "",
        f"{_when(record)}; load average (1 min) {record['load_before']:.1f} before. `scripts/load_test.py "
        f"contention`: {record['clients']} clients send unseen job-title searches back to back to "
        f"{record['workers']} workers on `{record['database']}`, alone, while an admin uploads a sample catalog as "
        "a new institution's (tagged on whichever worker the upload reached) until its job ends, and while one "
        "more client sends batches of 1,000 unseen titles back to back; each window on a new server, after a "
        "10 s warm-up. A search queued behind the upload or a batch would take as long as they do: compare the "
        "longest search with them.",
        "",
        "| window | what else ran | seconds | searches | /s | p50 | p95 | p99 | longest | errors | load after |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for window in record["windows"]:
        lines.append(
            f"| {window['name']} | {_background_text(window)} | {window['seconds']:.0f} | {window['completed']:,} | "
            f"{window['per_second']:.1f} | {ms(window['p50'])} | {ms(window['p95'])} | {ms(window['p99'])} | "
            f"{ms(window['max'])} | {window['errors']} | {window['load_after']:.1f} |"
        )
    lines += ["", *CONTENTION_NOTE, ""]
    return lines


def faults_section(record: dict[str, Any], folder: Path) -> list[str]:
    lines = ["## Faults under the mixed load", ""]
    order = {"postgres": 0, "sqlite-disk": 1, "kills": 2}
    for phase in sorted(record["phases"], key=lambda phase: order.get(phase["name"], 3)):
        lines += kills_section(phase, folder) if phase["name"] == "kills" else phase_section(phase, folder)
    return lines


def _kill_rows(phase: dict[str, Any]) -> list[dict[str, Any]]:
    samples = samples_of(phase)
    rows = []
    for fault in phase["faults"]:
        start = fault["start"]
        in_flight = [s for s in samples if failed(s[2]) and s[0] <= start + 1 and s[0] + s[3] / 1000 >= start]
        rows.append(
            {
                "victim": fault["victim"],
                "at": start,
                "dead": fault.get("dead", math.nan) - start,
                "reaped": fault.get("reaped", math.nan) - start,
                "ready": fault["end"] - start,
                "failed": len(in_flight),
            }
        )
    return rows


def _kills_summary(phase: dict[str, Any]) -> str:
    rows = _kill_rows(phase)
    if not rows:
        return "- **Kills**: none recorded."
    ready = sorted(row["ready"] for row in rows)
    slow = [row for row in rows if row["reaped"] > 5]
    waits = ", ".join(f"{row['reaped']:.0f} s" for row in slow)
    samples = samples_of(phase)
    errors = sum(failed(s[2]) for s in samples)
    stored = phase["stored"]
    return (
        f"- **{len(rows)} workers killed with `kill -9`**, {phase['workers']} workers on {_backend(phase)}, one every "
        f"~{(rows[-1]['at'] - rows[0]['at']) / max(len(rows) - 1, 1):.0f} s: a new worker served {ready[0]:.1f} to "
        f"{ready[-1]:.1f} s after the kill (median {percentile(ready, 50):.1f} s); "
        + (
            f"**{len(slow)} of them waited {waits} before the supervisor even noticed the death** (see below); "
            if slow
            else "the supervisor noticed each death within 0.5 s; "
        )
        + f"{errors} of {len(samples):,} requests failed, all in flight on the killed worker or sent on its "
        f"connections at that moment; **{stored['events_missing']} of {stored['events_acknowledged']:,} "
        "acknowledged events lost**."
    )


def kills_section(phase: dict[str, Any], folder: Path) -> list[str]:
    chart = folder / "load_faults_kills.svg"
    latency_chart(phase, chart, bucket=2)
    samples = samples_of(phase)
    lines = [
        f"### {len(phase['faults'])} workers killed one after the other, 2 workers on `{phase['database']}`",
        "",
        f"Started {phase['started']}; {load_text(phase)}. The mixed load at {phase['rate']:g} arrivals a second "
        f"for {phase['duration']:.0f} s: {len(samples):,} requests, shed {phase['shed']}. Each time the worker with "
        "the lowest pid is killed; *dead*: its process is a zombie; *noticed*: the supervisor has reaped it (and "
        "spawned the next worker at once); *serving*: the new worker logged `Application startup complete`.",
        "",
        "| kill | at | worker | dead after | noticed after | new worker serving after | requests failed |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for number, row in enumerate(_kill_rows(phase), 1):
        lines.append(
            f"| {number} | {row['at']:.1f} s | {row['victim']} | {row['dead']:.2f} s | {row['reaped']:.2f} s | "
            f"{row['ready']:.1f} s | {row['failed']} |"
        )
    lines += ["", "All errors of the run:", "", *(error_table(samples) or ["none"]), ""]
    lines += ["Stored afterwards:", "", *stored_lines(phase["stored"]), ""]
    lines += [f"Readiness polls: {polls_text(phase['polls'])}.", ""]
    lines += ["Latency per route over the whole run:", "", *route_table(samples), ""]
    lines += [f"![Latency while workers are killed]({chart.name})", "", f"*{chart.name}: per 2 s.*", ""]
    return lines


def phase_section(phase: dict[str, Any], folder: Path) -> list[str]:
    samples = samples_of(phase)
    chart = folder / f"load_faults_{phase['name']}.svg"
    latency_chart(phase, chart, bucket=2)
    lines = [
        f"### {phase['workers']} workers on `{phase['database']}`",
        "",
        f"Started {phase['started']}; {load_text(phase)}. The mixed load at {phase['rate']:g} arrivals a second "
        f"(at most {phase['max_in_flight']} in flight) for {phase['duration']:.0f} s: {len(samples):,} requests, "
        f"shed {phase['shed']}." + (f" The tmpfs held {phase['tmpfs_mb']} MB." if "tmpfs_mb" in phase else ""),
        "",
        "| at | what happened |",
        "|---:|---|",
        *(f"| {at:.1f} s | {escape(what)} |" for at, what in phase["marks"]),
        "",
    ]
    for fault in phase["faults"]:
        lines += fault_lines(fault, samples, phase["polls"])
    lines += ["All errors of the run:", "", *(error_table(samples) or ["none"]), ""]
    lines += ["Stored afterwards:", "", *stored_lines(phase["stored"]), ""]
    lines += ["Latency per route over the whole run:", "", *route_table(samples), ""]
    lines += [f"![Latency during the faults]({chart.name})", "", f"*{chart.name}: per 2 s.*", ""]
    return lines


def fault_lines(
    fault: dict[str, Any], samples: Sequence[tuple[float, str, int | None, float, str | None]], polls: Sequence[Any]
) -> list[str]:
    start, end = fault["start"], fault["end"]
    windows = (("before", -math.inf, start), ("during", start, end), ("after", end, math.inf))
    lines = [
        f"**{fault['name']}**: from {start:.1f} s to {end:.1f} s ({end - start:.1f} s).",
        "",
        "| requests sent | count | errors | 5xx | no answer | statuses of the errors | readiness polls |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for name, low, high in windows:
        inside = [sample for sample in samples if low <= sample[0] < high and _near(sample[0], start, end, name)]
        errors = [sample for sample in inside if failed(sample[2])]
        kinds = Counter(f"{status or 'no answer'} {error or ''}".strip() for _, _, status, _, error in errors)
        low_poll, high_poll = (max(low, start - 10), high) if name == "before" else (low, min(high, end + 20))
        lines.append(
            f"| {_window_text(name, start, end)} | {len(inside):,} | {len(errors)} | "
            f"{sum(1 for e in errors if e[2] and e[2] >= 500)} | {sum(1 for e in errors if e[2] is None)} | "
            f"{', '.join(f'{kind}: {count}' for kind, count in kinds.most_common()) or '–'} | "
            f"{polls_text(polls, low_poll, high_poll)} |"
        )
    failures = [sample for sample in samples if failed(sample[2]) and start - 30 <= sample[0] < end + 20]
    if failures:
        first = min(sample[0] for sample in failures)
        last = max(sample[0] + sample[3] / 1000 for sample in failures)
        lines += ["", f"Errors around it from {first:.1f} s (sent) to {last:.1f} s (answered)."]
    lines += ["", *readiness_timeline(polls, start, end), ""]
    return lines


def _near(at: float, start: float, end: float, window: str) -> bool:
    """The windows around one fault: 10 s before it, the fault, 20 s after it."""
    return (window != "before" or at >= start - 10) and (window != "after" or at < end + 20)


def _window_text(name: str, start: float, end: float) -> str:
    return {
        "before": f"in the 10 s before ({start - 10:.0f}–{start:.0f} s)",
        "during": f"during the fault ({start:.0f}–{end:.0f} s)",
        "after": f"in the 20 s after it ended ({end:.0f}–{end + 20:.0f} s)",
    }[name]


def readiness_timeline(polls: Sequence[Sequence[Any]], start: float, end: float) -> list[str]:
    """Readiness from 5 s before the fault to 20 s after it, as runs of the same answer."""
    runs: list[list[Any]] = []
    for at, status, _, detail in polls:
        if not start - 5 <= at < end + 20:
            continue
        label = f"{status or 'no answer'}" + (f" ({detail})" if detail else "")
        if runs and runs[-1][2] == label:
            runs[-1][1] = at
            runs[-1][3] += 1
        else:
            runs.append([at, at, label, 1])
    return [
        "Readiness (`/readyz`), 5 s before to 20 s after:",
        "",
        *(f"- {first:.1f}–{last:.1f} s: {escape(label)} ×{count}" for first, last, label, count in runs),
    ]


# --- the chart ------------------------------------------------------------------------------------------


WIDTH, HEIGHT, LEFT, RIGHT, TOP, BOTTOM = 960, 380, 60, 60, 30, 70
SERIES = (
    ("p50, all", "#888888", lambda route: True, 50),
    ("p99, all", "#222222", lambda route: True, 99),
    ("p99, unseen searches", "#1f77b4", lambda route: route == "search (unseen)", 99),
    ("p99, recommendations", "#ff7f0e", lambda route: route.startswith("recommendations"), 99),
)


def latency_chart(record: dict[str, Any], path: Path, bucket: float) -> None:
    samples = samples_of(record)
    duration: float = max(record["duration"], 1.0)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    top_ms = 10.0 ** math.ceil(math.log10(max([sample[3] for sample in samples] + [1000.0])))

    def x(at: float) -> float:
        return LEFT + plot_w * min(max(at, 0.0), duration) / duration

    def y(latency: float) -> float:
        share = (math.log10(max(latency, 1.0))) / math.log10(top_ms)
        return TOP + plot_h * (1 - min(share, 1.0))

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" '
        'font-family="sans-serif" font-size="11">',
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
    ]
    for fault in record.get("faults", []):
        x0, x1 = x(fault["start"]), x(fault["end"])
        parts.append(f'<rect x="{x0:.1f}" y="{TOP}" width="{max(x1 - x0, 2):.1f}" height="{plot_h}" fill="#fde2b8"/>')
        parts.append(f'<text x="{x0 + 3:.1f}" y="{TOP + 12}" fill="#8a4b00">{escape(fault["name"])}</text>')
    decade = 1.0
    while decade <= top_ms:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(decade):.1f}" y2="{y(decade):.1f}" stroke="#e5e5e5"/>'
        )
        label = f"{decade / 1000:g} s" if decade >= 1000 else f"{decade:g} ms"
        parts.append(f'<text x="{LEFT - 6}" y="{y(decade) + 4:.1f}" text-anchor="end">{label}</text>')
        decade *= 10
    step = _tick_step(duration)
    tick = 0.0
    while tick <= duration:
        parts.append(
            f'<line x1="{x(tick):.1f}" x2="{x(tick):.1f}" y1="{TOP + plot_h}" y2="{TOP + plot_h + 4}" stroke="#444"/>'
        )
        parts.append(f'<text x="{x(tick):.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">{tick:g} s</text>')
        tick += step
    parts.append(f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="none" stroke="#444"/>')
    for index, (name, colour, wanted, q) in enumerate(SERIES):
        points = _bucketed(samples, bucket, wanted, q)
        if points:
            line = " ".join(f"{x(at):.1f},{y(value):.1f}" for at, value in points)
            parts.append(f'<polyline points="{line}" fill="none" stroke="{colour}" stroke-width="1.5"/>')
        parts.append(f'<rect x="{LEFT + 10 + index * 190}" y="8" width="14" height="3" fill="{colour}"/>')
        parts.append(f'<text x="{LEFT + 28 + index * 190}" y="13">{name}</text>')
    parts += _load_line(record.get("loads", []), x, plot_h)
    for at, _, status, latency, _ in samples:
        if failed(status):
            parts.append(f'<circle cx="{x(at):.1f}" cy="{y(latency):.1f}" r="2.5" fill="#d62728"/>')
    parts.append(f'<text x="{LEFT + 10 + 4 * 190}" y="13" fill="#d62728">● failed request</text>')
    strip = TOP + plot_h + 26
    parts.append(f'<text x="{LEFT - 6}" y="{strip + 9}" text-anchor="end">readyz</text>')
    colours = {200: "#2ca02c", 503: "#d62728"}
    for at, status, *_ in record.get("polls", []):
        parts.append(
            f'<rect x="{x(at):.1f}" y="{strip}" width="{max(plot_w * 0.5 / duration, 1):.1f}" height="12" '
            f'fill="{colours.get(status, "#999999") if status else "#999999"}"/>'
        )
    parts.append(f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 8}" text-anchor="middle">seconds since the start</text>')
    parts.append("</svg>")
    path.write_text("\n".join(parts) + "\n", encoding="utf-8")


def _load_line(loads: Sequence[Sequence[float]], x: Any, plot_h: float) -> list[str]:
    """The machine's load average (1 min) on a right-hand axis: the other processes sharing the cores."""
    if not loads:
        return []
    top = max(4.0, math.ceil(max(load for _, load in loads)))

    def y(load: float) -> float:
        return TOP + plot_h * (1 - load / top)

    points = " ".join(f"{x(at):.1f},{y(load):.1f}" for at, load in loads)
    right = WIDTH - RIGHT
    return [
        f'<polyline points="{points}" fill="none" stroke="#9467bd" stroke-width="1" stroke-dasharray="4 3"/>',
        f'<text x="{right + 6}" y="{y(top) + 4:.1f}" fill="#9467bd">{top:g}</text>',
        f'<text x="{right + 6}" y="{y(0) + 4:.1f}" fill="#9467bd">0</text>',
        f'<text x="{right + 6}" y="{TOP + plot_h / 2:.1f}" fill="#9467bd">load</text>',
        f'<text x="{right + 6}" y="{TOP + plot_h / 2 + 13:.1f}" fill="#9467bd">avg</text>',
    ]


def _tick_step(duration: float) -> float:
    for step in (5, 10, 15, 30, 60, 120):
        if duration / step <= 12:
            return step
    return 300


def _bucketed(
    samples: Sequence[tuple[float, str, int | None, float, str | None]], bucket: float, wanted: Any, q: float
) -> list[tuple[float, float]]:
    buckets: dict[int, list[float]] = defaultdict(list)
    for at, route, status, latency, _ in samples:
        if wanted(route) and not failed(status):
            buckets[int(at // bucket)].append(latency)
    return [((index + 0.5) * bucket, percentile(values, q)) for index, values in sorted(buckets.items())]
