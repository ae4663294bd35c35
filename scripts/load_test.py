"""Load and fault tests of `lmi serve --workers N` → reports/load.md.

    export DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/lmi_load LMI_INDEX_DIR=var/index
    .venv/bin/python scripts/load_test.py mixed   [--workers 2] [--rate 12] [--seconds 600] [--max-in-flight 48]
    .venv/bin/python scripts/load_test.py scaling [--workers 1,2,4] [--clients 8] [--seconds 60]
    .venv/bin/python scripts/load_test.py faults  --pg-cluster 15/main [--rate 12] [--phases postgres,disk,kills]
    .venv/bin/python scripts/load_test.py contention [--clients 2] [--seconds 45]
    .venv/bin/python scripts/load_test.py report

`DATABASE_URL` names a PostgreSQL database holding the reference data and the sample catalogs (`lmi
import-reference`, `lmi catalog load-samples`). Each command starts `lmi serve --workers W` itself (the real
e5 models from `LMI_INDEX_DIR`, `LMI_MATCHER_BACKEND=e5`, the rate limits raised with `UNLIMITED_RATES`: every
client here shares one address) on a free port, makes a portal key (`lmi keys create --role portal`), drives
the server with asyncio and httpx from this one process, stops it, keeps its raw figures in
var/load/<command>.json and rewrites reports/load.md (and its SVG charts) from every stored run.

- `mixed`: an open loop. Requests arrive as a Poisson process at `--rate` a second for `--seconds`, each of
  a kind drawn from `MIX`; at most `--max-in-flight` are outstanding (an arrival over the bound is not sent
  and is counted as shed). Unseen job-title searches are published titles never sent before, with the noise
  people type (seniority, places, schedules, typos, an extra word); popular searches repeat a short list;
  recommendations (English and French, some personalized, some filtered) and events carry the portal's key;
  events (batches of 1 to 25, unique ids) report page views, searches and the clicks, inquiries, referrals
  and feedback of programs recommended earlier in the run. `/readyz` is polled every 0.5 s on a new
  connection (so either worker answers). At the end every event answered `202` (minus the ones the answer
  listed as rejected), every impression of a recommendation answered `200` and every click of a tracked
  link answered `302` is looked up in the database. An event batch answered `5xx` or not at all is sent
  again with the same ids after its `Retry-After`, as a portal would. `--save-as` names a trial's record.
- `scaling`: a closed loop of `--clients` clients sending unseen searches back to back, for `--seconds`
  after a 10 s warm-up, against 1, 2 and 4 workers in turn (each a new server).
- `faults`: the mixed load against 2 workers on PostgreSQL while one worker is killed with `kill -9` and
  then PostgreSQL is stopped, left down `--pg-down-seconds` and started (`pg_ctlcluster`; the cluster must
  be the one `DATABASE_URL` names); then against 2 workers on a SQLite database (the reference data and the
  sample catalogs, made once in var/load/sqlite-base.sqlite3) copied onto a small tmpfs, which is filled with
  a junk file for `--disk-full-seconds` and freed (root is needed, to mount it); then against 2 workers on
  PostgreSQL while `--kills` workers are killed one after the other, `--kill-every` seconds apart. Each
  fault's timeline records when it began and ended (the worker replaced: a new worker process logged
  `Application startup complete`; PostgreSQL accepting connections again; the junk file deleted), every
  answer and every readiness poll.
- `contention`: unseen searches alone, during an upload and during batches (`scripts/load_contention.py`).
"""

import argparse
import asyncio
import csv
import datetime as dt
import errno
import json
import math
import os
import random
import re
import resource
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import unicodedata
import uuid
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from contextlib import closing, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx
import psycopg
from load_contention import batches, idle, measured, upload  # scripts/load_contention.py, beside this one
from load_report import percentile  # scripts/load_report.py, beside this script
from sqlalchemy import select
from sqlalchemy.engine import make_url

REPOSITORY = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPOSITORY))

from models.database import create_database_engine  # noqa: E402
from models.events import Event  # noqa: E402
from service.config import UNLIMITED_RATES  # noqa: E402

OUT_DIR = REPOSITORY / "var" / "load"
REPORT = REPOSITORY / "reports" / "load.md"
SEED = 20_251_207
BROWSER = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"

# The mix of the open loop: the share of arrivals of each kind, in percent.
MIX: dict[str, int] = {
    "search (unseen)": 25,
    "search (popular)": 15,
    "recommendations": 14,
    "page": 10,
    "profile": 10,
    "suggest": 13,
    "events": 10,
    "tracked link": 3,
}
ROUTES = {
    "search (unseen)": "GET /v1/occupations/search, a title never sent before",
    "search (popular)": "GET /v1/occupations/search, one of 40 common titles",
    "recommendations (en)": "POST /v1/recommendations, English (portal key)",
    "recommendations (fr)": "POST /v1/recommendations, French (portal key)",
    "page /": "GET /?q=…&region=…&lang=… (the public page, whole; a fifth without a title)",
    "page /results": "GET /results?q=… (the result fragment the page's script fetches)",
    "profile": "GET /v1/occupations/{code}?lang=&region=",
    "suggest": "GET /v1/titles/suggest?prefix=…",
    "events": "POST /v1/events, 1 to 25 events (portal key)",
    "tracked link": "GET /r/{token} of a program recommended earlier (302)",
}
POPULAR = {
    "en": (
        "cashier", "registered nurse", "software developer", "truck driver", "retail sales associate",
        "customer service representative", "administrative assistant", "cook", "electrician", "accountant",
        "personal support worker", "PSW", "warehouse worker", "receptionist", "welder",
        "early childhood educator", "bookkeeper", "security guard", "web developer", "data analyst",
        "licensed practical nurse", "carpenter", "plumber", "teacher",
    ),
    "fr": (
        "infirmière", "infirmière auxiliaire", "caissier", "préposé aux bénéficiaires", "camionneur",
        "commis d'épicerie", "éducatrice à la petite enfance", "adjointe administrative", "cuisinier",
        "soudeur", "comptable", "électricien", "agent de sécurité", "développeur web", "pâtissière", "plombier",
    ),
}  # fmt: skip
REGIONS = ("ER3530", "35", "24", "ER2465", "59", "ER4830", "ON", "QC", "ER1210", "CA")
SENIORITY = {"en": ("Senior", "Sr.", "Jr", "Entry level", "Experienced"), "fr": ("sénior", "expérimenté")}
PLACES = {
    "en": (", Toronto ON", " - Calgary, AB", " in Winnipeg", " (GTA)", " | Halifax, NS", " - Vancouver BC"),
    "fr": (" - Montréal", " à Laval", ", Québec QC", " (Sherbrooke)", " - Gatineau", " à Lévis"),
}
SCHEDULES = {
    "en": ("part-time", "full time", "nights", "weekends", "PT"),
    "fr": ("temps partiel", "temps plein", "fin de semaine", "quart de nuit"),
}
# Words people add that normalization keeps: the text embedded differs from the published title's.
EXTRA = {
    "en": ("bilingual", "certified", "licensed", "unionized", "relief", "casual", "trainee", "apprentice"),
    "fr": ("bilingue", "certifié", "syndiqué", "remplaçant", "occasionnel", "stagiaire", "apprenti"),
}
SKILLS = {
    "en": ("Excel", "customer service", "first aid", "forklift", "Python", "bookkeeping", "wound care"),
    "fr": ("Excel", "service à la clientèle", "premiers soins", "soins des plaies", "comptabilité"),
}
EVENT_RETRIES = 6
COMMENTS = ("Useful, thanks", "Not what I was looking for", "Très utile", "Call me at 613-555-0199")


# --- measuring ------------------------------------------------------------------------------------------


class Clock:
    """Seconds since the run began."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        self.wall = dt.datetime.now(dt.UTC)

    def now(self) -> float:
        return time.monotonic() - self.started


@dataclass
class Sample:
    at: float  # when it was sent, seconds since the start
    route: str
    status: int | None  # None: no answer (a transport error)
    ms: float
    error: str | None = None  # the transport error's class, or the problem type of an error answer

    def failed(self) -> bool:
        return self.status is None or self.status >= 400

    def row(self) -> list[Any]:
        return [round(self.at, 3), self.route, self.status, round(self.ms, 2), self.error]


@dataclass
class Poll:
    at: float
    status: int | None
    ms: float
    detail: str  # the checks that were not ok, or the transport error

    def row(self) -> list[Any]:
        return [round(self.at, 3), self.status, round(self.ms, 2), self.detail]


@dataclass
class Ledger:
    """What the server said it stored, to look for in the database afterwards."""

    events_sent: int = 0
    events_acknowledged: list[str] = field(default_factory=list)  # ids in batches answered 202, not rejected
    events_rejected: Counter[str] = field(default_factory=Counter)  # reason → events
    accepted_mismatch: int = 0  # batches whose `accepted` + `duplicates` differs from the events not rejected
    duplicates: int = 0  # events the 202 of a first attempt counted as duplicates
    retries: int = 0  # batches sent again after a 5xx or no answer
    acknowledged_after_retry: int = 0
    duplicates_in_retries: int = 0  # stored by an earlier attempt whose answer never came
    events_given_up: int = 0  # in batches still refused after EVENT_RETRIES retries
    impressions: list[str] = field(default_factory=list)  # in recommendations answered 200
    clicks: list[str] = field(default_factory=list)  # impressions whose tracked link answered 302
    normalized: list[str] = field(default_factory=list)  # of the unseen searches answered 200
    match_types: Counter[str] = field(default_factory=Counter)


def load_average() -> float:
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- what is sent ---------------------------------------------------------------------------------------


def fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


class Titles:
    """Job titles people type: each unseen one a published title never used before in this run, with a
    typo or a word people add (so that neither the words alone nor a cached vector answer it) and, often,
    seniority, a place, a schedule or another case (which normalization removes)."""

    def __init__(self, data_dir: Path, rng: random.Random) -> None:
        self.rng = rng
        by_lang: dict[str, set[str]] = {"en": set(), "fr": set()}
        with (data_dir / "noc2021" / "job_titles_en_fr.csv").open(encoding="utf-8-sig", newline="") as handle:
            for row in csv.DictReader(handle):
                by_lang.setdefault(row["lang"], set()).add(row["job_title"])
        self.bases = {lang: sorted(titles) for lang, titles in by_lang.items()}
        for titles in self.bases.values():
            rng.shuffle(titles)
        self.used: set[str] = set()
        self.sent = 0

    def popular(self) -> tuple[str, str]:
        lang = "fr" if self.rng.random() < 0.35 else "en"
        return self.rng.choice(POPULAR[lang]), lang

    def unseen(self) -> tuple[str, str]:
        while True:
            lang = "fr" if self.rng.random() < 0.35 else "en"
            if not self.bases[lang]:
                raise RuntimeError("every published title has been used")
            core = self._altered(self.bases[lang].pop(), lang)
            if fold(core) in self.used or len(core) > 150:
                continue
            self.used.add(fold(core))
            self.sent += 1
            return self._noisy(core, lang), lang

    def _altered(self, title: str, lang: str) -> str:
        typo, extra = self.rng.random() < 0.6, self.rng.random() < 0.5
        if not (typo or extra):
            typo = True
        if typo:
            title = self._typo(title)
        if extra:
            word = self.rng.choice(EXTRA[lang])
            title = f"{word} {title}" if lang == "en" and self.rng.random() < 0.7 else f"{title} {word}"
        return title

    def _typo(self, title: str) -> str:
        words = title.split()
        candidates = [index for index, word in enumerate(words) if len(word) >= 5 and word.isalpha()]
        if not candidates:
            return title
        index = self.rng.choice(candidates)
        word = words[index]
        at = self.rng.randrange(1, len(word) - 2)
        kind = self.rng.choice(("swap", "drop", "double"))
        if kind == "swap":
            word = word[:at] + word[at + 1] + word[at] + word[at + 2 :]
        elif kind == "drop":
            word = word[:at] + word[at + 1 :]
        else:
            word = word[:at] + word[at] + word[at:]
        words[index] = word
        return " ".join(words)

    def _noisy(self, core: str, lang: str) -> str:
        text = core
        if self.rng.random() < 0.35:
            seniority = self.rng.choice(SENIORITY[lang])
            text = f"{seniority} {text}" if lang == "en" else f"{text} {seniority}"
        if self.rng.random() < 0.25:
            text = f"{text} {self.rng.choice(SCHEDULES[lang])}"
        if self.rng.random() < 0.35:
            text += self.rng.choice(PLACES[lang])
        if self.rng.random() < 0.1:
            text = text.upper() if self.rng.random() < 0.5 else text.lower()
        return text[:200]


@dataclass
class Shown:
    impression_id: str
    tracked_url: str
    lang: str
    sent: set[str] = field(default_factory=set)  # event types already reported for it


class Traffic:
    """Sends one request of a kind and records its answer."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        portal_key: str,
        titles: Titles,
        codes: Sequence[str],
        clock: Clock,
        rng: random.Random,
    ) -> None:
        self.client, self.titles, self.codes, self.clock, self.rng = (client, titles, codes, clock, rng)
        self.portal = {"Authorization": f"Bearer {portal_key}"}
        self.samples: list[Sample] = []
        self.ledger = Ledger()
        self.shown: deque[Shown] = deque(maxlen=3000)
        self.sessions = [f"load-{uuid.uuid4().hex[:12]}" for _ in range(300)]
        self.senders: dict[str, Callable[[], Awaitable[None]]] = {
            "search (unseen)": self.unseen_search,
            "search (popular)": self.popular_search,
            "recommendations": self.recommendations,
            "page": self.page,
            "profile": self.profile,
            "suggest": self.suggest,
            "events": self.events,
            "tracked link": self.tracked_link,
        }

    async def send(self, kind: str) -> None:
        await self.senders[kind]()

    async def _request(self, route: str, method: str, url: str, **options: Any) -> tuple[httpx.Response | None, Sample]:
        at = self.clock.now()
        began = time.perf_counter()
        try:
            response = await self.client.request(method, url, **options)
        except httpx.HTTPError as error:
            sample = Sample(at, route, None, (time.perf_counter() - began) * 1000, type(error).__name__)
            self.samples.append(sample)
            return None, sample
        sample = Sample(at, route, response.status_code, (time.perf_counter() - began) * 1000)
        if response.status_code >= 400:
            sample.error = problem_type(response)
        self.samples.append(sample)
        return response, sample

    async def search(self, route: str, title: str) -> httpx.Response | None:
        response, _ = await self._request(route, "GET", "/v1/occupations/search", params={"q": title, "limit": 5})
        return response

    async def unseen_search(self, title: str | None = None) -> None:
        response = await self.search("search (unseen)", title or self.titles.unseen()[0])
        if response is not None and response.status_code == 200:
            body = response.json()
            self.ledger.normalized.append(body["normalized"])
            results = body["results"]
            self.ledger.match_types[results[0]["match_type"] if results else "no match"] += 1

    async def popular_search(self) -> None:
        await self.search("search (popular)", self.titles.popular()[0])

    def _title(self, unseen_share: float) -> tuple[str, str]:
        return self.titles.unseen() if self.rng.random() < unseen_share else self.titles.popular()

    async def recommendations(self) -> None:
        title, lang = self._title(0.3)
        body: dict[str, Any] = {"job_title": title, "limit": 10, "session_id": self.rng.choice(self.sessions)}
        if self.rng.random() < 0.7:
            body["region"] = self.rng.choice(REGIONS)
        if self.rng.random() < 0.25:
            body["current_job_title"] = self.titles.popular()[0]
            body["skills"] = self.rng.sample(SKILLS[lang], 2)
        if self.rng.random() < 0.2:
            body["filters"] = self.rng.choice(({"delivery_mode": "online"}, {"language": lang}))
        body["variant"] = self.rng.choice(("control", "ranking-v2"))
        headers = {**self.portal, "User-Agent": BROWSER}
        response, _ = await self._request(
            f"recommendations ({lang})", "POST", "/v1/recommendations", json=body, headers=headers
        )
        if response is not None and response.status_code == 200:
            for program in response.json()["programs"]:
                self.ledger.impressions.append(program["impression_id"])
                self.shown.append(Shown(program["impression_id"], program["tracked_url"], lang))

    async def page(self) -> None:
        title, lang = self._title(0.3)
        params = {"q": title, "lang": lang}
        if self.rng.random() < 0.6:
            params["region"] = self.rng.choice(REGIONS[:6])
        if self.rng.random() < 0.6:
            if self.rng.random() < 0.2:
                params = {"lang": lang}
            await self._request("page /", "GET", "/", params=params)
        else:
            await self._request("page /results", "GET", "/results", params=params)

    async def profile(self) -> None:
        params = {"lang": self.rng.choice(("en", "fr"))}
        if self.rng.random() < 0.6:
            params["region"] = self.rng.choice(REGIONS)
        await self._request("profile", "GET", f"/v1/occupations/{self.rng.choice(self.codes)}", params=params)

    async def suggest(self) -> None:
        title, lang = self.titles.popular() if self.rng.random() < 0.5 else self.titles.unseen()
        prefix = title[: self.rng.randint(3, 8)].strip() or title
        params = {"prefix": prefix, "limit": 10}
        if self.rng.random() < 0.5:
            params["lang"] = lang
        await self._request("suggest", "GET", "/v1/titles/suggest", params=params)

    async def tracked_link(self) -> None:
        if not self.shown:
            await self.popular_search()  # nothing recommended yet
            return
        # A program whose click an event already reported is not followed as well: the service counts one click
        # per program shown, so the event's own id would not be stored (a duplicate), and look lost.
        unclicked = [shown for shown in self.shown if "click" not in shown.sent]
        if not unclicked:
            await self.popular_search()
            return
        shown = self.rng.choice(unclicked)
        shown.sent.add("click")
        path = urlsplit(shown.tracked_url).path
        response, _ = await self._request("tracked link", "GET", path, follow_redirects=False)
        if response is not None and response.status_code == 302:
            self.ledger.clicks.append(shown.impression_id)

    def _event(self) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC).isoformat()
        session = self.rng.choice(self.sessions)
        event: dict[str, Any] = {
            "event_id": f"lt-{uuid.uuid4().hex}",
            "session_id": session,
            "visitor_id": f"v-{session}",
            "occurred_at": now,
            "user_agent": BROWSER,
        }
        step = self.rng.choice(("click", "inquiry", "referral", "feedback")) if self.shown else None
        shown = self.rng.choice(self.shown) if step else None
        if shown is not None and step is not None and step not in shown.sent and self.rng.random() < 0.5:
            shown.sent.add(step)
            event |= {"type": step, "impression_id": shown.impression_id, "lang": shown.lang}
            if step == "feedback":
                event["helpful"] = self.rng.random() < 0.7
                if self.rng.random() < 0.3:
                    event["comment"] = self.rng.choice(COMMENTS)
            return event
        lang = self.rng.choice(("en", "fr"))
        event |= {"type": self.rng.choice(("page_view", "page_view", "search")), "lang": lang}
        if self.rng.random() < 0.5:
            event["region"] = self.rng.choice(REGIONS)
        return event

    async def events(self) -> None:
        batch = [self._event() for _ in range(self.rng.randint(1, 25))]
        self.ledger.events_sent += len(batch)
        await self.send_events(batch, attempt=0)

    async def send_events(self, batch: list[dict[str, Any]], attempt: int) -> None:
        """A batch answered 5xx, or not answered, is sent again with the same ids after `Retry-After` (1 s
        without one), as a portal would, up to `EVENT_RETRIES` times: a retry is counted once."""
        route = "events" if attempt == 0 else "events (retry)"
        response, _ = await self._request(route, "POST", "/v1/events", json={"events": batch}, headers=self.portal)
        if response is None or response.status_code >= 500:
            if attempt == EVENT_RETRIES:
                self.ledger.events_given_up += len(batch)
                return
            self.ledger.retries += 1
            wait = response.headers.get("Retry-After", "1") if response is not None else "1"
            await asyncio.sleep(float(wait) if wait.isdigit() else 1.0)
            await self.send_events(batch, attempt + 1)
            return
        if response.status_code != 202:
            return
        answer = response.json()
        rejected = {item["index"] for item in answer["rejected"]}
        for item in answer["rejected"]:
            self.ledger.events_rejected.update(error.split(":")[0] for error in item["errors"][:1])
        kept = [event["event_id"] for index, event in enumerate(batch) if index not in rejected]
        self.ledger.events_acknowledged.extend(kept)
        if attempt:
            self.ledger.acknowledged_after_retry += len(kept)
            self.ledger.duplicates_in_retries += answer["duplicates"]  # stored by an attempt whose answer was lost
        else:
            self.ledger.duplicates += answer["duplicates"]  # none expected: every id is new, each step sent once
        if answer["accepted"] + answer["duplicates"] != len(kept):
            self.ledger.accepted_mismatch += 1


def problem_type(response: httpx.Response) -> str | None:
    if "json" not in response.headers.get("content-type", ""):
        return f"{response.headers.get('content-type', '?').split(';')[0]}"
    try:
        kind = response.json().get("type", "")
    except ValueError:
        return "unreadable"
    return str(kind).removeprefix("/problems/") or None


def cookieless_client(base: str, connections: int) -> httpx.AsyncClient:
    """One client for every simulated person: no cookies kept (each page request is a new visit)."""
    from http.cookiejar import CookieJar, DefaultCookiePolicy  # noqa: PLC0415

    jar = CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        base_url=base,
        timeout=httpx.Timeout(30, connect=5),
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        headers={"User-Agent": BROWSER, "Accept-Language": "en-CA,fr-CA;q=0.8"},
        cookies=jar,
    )


# --- the server -----------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(database_url: str, index_dir: Path, data_dir: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "LMI_INDEX_DIR": str(index_dir),
        "LMI_DATA_DIR": str(data_dir),
        "LMI_MATCHER_BACKEND": "e5",
        "LMI_RETAG_ON_STARTUP": "false",
        "LMI_STARTUP_WAIT_SECONDS": "600",  # start whole: the indexes are in LMI_INDEX_DIR
        "LMI_LOG_LEVEL": "info",
        **UNLIMITED_RATES,
    }


class Server:
    """`lmi serve --workers N` on a free port, its log in a file."""

    def __init__(self, workers: int, database_url: str, index_dir: Path, data_dir: Path, log: Path) -> None:
        self.workers, self.log = workers, log
        self.env = environment(database_url, index_dir, data_dir)
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.start_seconds = math.nan

    def start(self) -> None:
        self.log.parent.mkdir(parents=True, exist_ok=True)
        began = time.monotonic()
        command = [sys.executable, "-m", "service.cli", "serve", "--workers", str(self.workers)]
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [*command, "--port", str(self.port)],
                cwd=REPOSITORY,
                env=self.env,
                stdout=log,
                stderr=log,
                start_new_session=True,  # its own process group: stopped as a whole, nothing else
            )
        deadline = began + 300
        while not self.whole():
            if self.process.poll() is not None:
                raise RuntimeError(f"lmi serve stopped with exit code {self.process.returncode}; see {self.log}")
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"lmi serve was not ready within 300 s; see {self.log}")
            time.sleep(0.5)
        self.start_seconds = time.monotonic() - began
        say(f"lmi serve --workers {self.workers} ready in {self.start_seconds:.1f} s at {self.base}")

    def whole(self) -> bool:
        """Every worker started and /readyz 200 on several new connections."""
        if self.workers > 1 and len(self.worker_pids()) < self.workers:
            return False
        try:
            return all(httpx.get(f"{self.base}/readyz", timeout=5).status_code == 200 for _ in range(2 * self.workers))
        except httpx.HTTPError:
            return False

    def worker_pids(self) -> set[int]:
        """The supervisor's worker processes (multiprocessing's spawn); the process itself with one worker."""
        if self.process is None:
            return set()
        if self.workers == 1:
            return {self.process.pid}
        try:
            children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        except FileNotFoundError:
            return set()
        pids = set()
        for child in map(int, children):
            with suppress(FileNotFoundError, ProcessLookupError):
                if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                    pids.add(child)
        return pids

    def resident_mb(self) -> dict[int, float]:
        sizes = {}
        for pid in self.worker_pids():
            with suppress(FileNotFoundError, ProcessLookupError):
                for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                    if line.startswith("VmRSS:"):
                        sizes[pid] = int(line.split()[1]) / 1024
        return sizes

    def cpu_seconds(self) -> float:
        """CPU time (user and system) used so far by the supervisor and its live workers."""
        pids = self.worker_pids() | ({self.process.pid} if self.process is not None else set())
        ticks = 0
        for pid in pids:
            with suppress(FileNotFoundError, ProcessLookupError):
                stat = Path(f"/proc/{pid}/stat").read_text()
                fields = stat[stat.rindex(")") + 2 :].split()
                ticks += int(fields[11]) + int(fields[12])  # utime and stime, fields 14 and 15 of stat
        return ticks / os.sysconf("SC_CLK_TCK")

    def log_size(self) -> int:
        return self.log.stat().st_size

    def log_since(self, offset: int) -> str:
        with self.log.open("rb") as handle:
            handle.seek(offset)
            return handle.read().decode("utf-8", "replace")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            with suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)  # the group this script started
            self.process.wait(timeout=10)
        with suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)  # a worker left behind


@contextmanager
def served(workers: int, database_url: str, args: argparse.Namespace, log: Path) -> Iterator[Server]:
    server = Server(workers, database_url, args.index_dir, args.data_dir, log)
    try:
        server.start()
        yield server
    finally:
        server.stop()


def portal_key(database_url: str, args: argparse.Namespace) -> str:
    return api_key(database_url, args, "portal", "--name", "Load test")


def api_key(database_url: str, args: argparse.Namespace, role: str, *options: str) -> str:
    """A new key of `role`, made with `lmi keys create` (printed once)."""
    result = subprocess.run(
        [sys.executable, "-m", "service.cli", "keys", "create", "--role", role, *options],
        cwd=REPOSITORY,
        env=environment(database_url, args.index_dir, args.data_dir),
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"lmi_[A-Za-z0-9]+_[A-Za-z0-9_-]+", result.stdout)
    if not found:
        raise RuntimeError(f"no key in the output of lmi keys create: {result.stdout!r}")
    return found.group(0)


def unit_groups(data_dir: Path) -> list[str]:
    with (data_dir / "noc2021" / "unit_groups_en_fr.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["noc_code"] for row in csv.DictReader(handle)]


# --- the loops ------------------------------------------------------------------------------------------


@dataclass
class OpenLoop:
    rate: float
    seconds: float
    max_in_flight: int
    shed: int = 0
    sent: int = 0


async def open_loop(loop_spec: OpenLoop, traffic: Traffic, rng: random.Random, stop: asyncio.Event) -> None:
    """Arrivals as a Poisson process; an arrival when `max_in_flight` are outstanding is shed."""
    kinds, weights = list(MIX), list(MIX.values())
    in_flight: set[asyncio.Task[None]] = set()
    began = time.monotonic()
    next_at = began
    while not stop.is_set():
        next_at += rng.expovariate(loop_spec.rate)
        if next_at - began >= loop_spec.seconds:
            break
        await asyncio.sleep(max(0.0, next_at - time.monotonic()))
        if len(in_flight) >= loop_spec.max_in_flight:
            loop_spec.shed += 1
            continue
        task = asyncio.create_task(traffic.send(rng.choices(kinds, weights)[0]))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
        loop_spec.sent += 1
    if in_flight:
        await asyncio.gather(*in_flight, return_exceptions=True)


async def poll_readiness(base: str, clock: Clock, polls: list[Poll], stop: asyncio.Event) -> None:
    """/readyz every 0.5 s, each on a new connection (the kernel hands it to either worker)."""
    async with httpx.AsyncClient(base_url=base, timeout=5, limits=httpx.Limits(max_keepalive_connections=0)) as http:
        while not stop.is_set():
            at, began = clock.now(), time.perf_counter()
            try:
                response = await http.get("/readyz")
            except httpx.HTTPError as error:
                polls.append(Poll(at, None, (time.perf_counter() - began) * 1000, type(error).__name__))
            else:
                detail = ""
                if response.status_code != 200:
                    try:
                        checks = response.json().get("checks", {})
                        detail = ", ".join(f"{part}: {state}" for part, state in checks.items() if state != "ok")
                    except ValueError:
                        detail = response.text[:80]
                polls.append(Poll(at, response.status_code, (time.perf_counter() - began) * 1000, detail))
            with suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), max(0.0, at + 0.5 - clock.now()))


async def watch_machine(clock: Clock, loads: list[tuple[float, float]], stop: asyncio.Event) -> None:
    while not stop.is_set():
        loads.append((round(clock.now(), 1), load_average()))
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 5)


@dataclass
class Run:
    """One server driven by the mixed load, and what happened to it."""

    name: str
    workers: int
    database: str
    clock: Clock
    traffic: Traffic
    loop: OpenLoop
    polls: list[Poll] = field(default_factory=list)
    loads: list[tuple[float, float]] = field(default_factory=list)
    faults: list[dict[str, Any]] = field(default_factory=list)
    marks: list[tuple[float, str]] = field(default_factory=list)
    server_start_seconds: float = math.nan
    resident_mb: dict[int, float] = field(default_factory=dict)
    stored: dict[str, Any] = field(default_factory=dict)
    duration: float = math.nan
    client_cpu_seconds: float = math.nan

    def mark(self, what: str) -> None:
        self.marks.append((round(self.clock.now(), 3), what))
        say(f"[{self.clock.now():7.1f} s] {what}")


async def mixed_load(
    server: Server,
    run_name: str,
    database_url: str,
    args: argparse.Namespace,
    key: str,
    choreography: Callable[[Run], Awaitable[None]] | None = None,
) -> Run:
    """The open loop for `args.seconds` (or until the choreography of faults ends), readiness polled."""
    rng = random.Random(f"{SEED}-{run_name}-{time.time()}")
    clock = Clock()
    connections = args.max_in_flight + 8
    usage_before = resource.getrusage(resource.RUSAGE_SELF)
    async with cookieless_client(server.base, connections) as client:
        traffic = Traffic(client, key, Titles(args.data_dir, rng), unit_groups(args.data_dir), clock, rng)
        seconds = args.seconds if choreography is None else 10**6
        run = Run(
            run_name,
            server.workers,
            redact(database_url),
            clock,
            traffic,
            OpenLoop(args.rate, seconds, args.max_in_flight),
        )
        run.server_start_seconds = server.start_seconds
        stop = asyncio.Event()
        watchers = [
            asyncio.create_task(poll_readiness(server.base, clock, run.polls, stop)),
            asyncio.create_task(watch_machine(clock, run.loads, stop)),
        ]
        load = asyncio.create_task(open_loop(run.loop, traffic, rng, stop))
        if choreography is not None:
            await choreography(run)
            stop.set()
        await load
        stop.set()
        await asyncio.gather(*watchers)
        run.duration = clock.now()
    usage_after = resource.getrusage(resource.RUSAGE_SELF)
    run.client_cpu_seconds = (usage_after.ru_utime + usage_after.ru_stime) - (
        usage_before.ru_utime + usage_before.ru_stime
    )
    run.resident_mb = server.resident_mb()
    return run


async def closed_loop(server: Server, titles: Titles, clients: int, seconds: float, warm_up: float) -> dict[str, Any]:
    """`clients` clients sending unseen searches back to back; the samples after the warm-up, and the CPU time
    the server's processes used meanwhile (which other processes on the machine do not inflate as much)."""
    clock = Clock()
    samples: list[Sample] = []
    cpu: list[float] = []
    async with cookieless_client(server.base, clients) as client:
        traffic = Traffic(client, "unused", titles, [], clock, random.Random(SEED))
        deadline = warm_up + seconds

        async def one_client() -> None:
            while clock.now() < deadline:
                await traffic.unseen_search()

        async def cpu_at_window() -> None:
            await asyncio.sleep(warm_up)
            cpu.append(server.cpu_seconds())
            await asyncio.sleep(seconds)
            cpu.append(server.cpu_seconds())

        await asyncio.gather(cpu_at_window(), *(one_client() for _ in range(clients)))
        samples = [
            sample for sample in traffic.samples if sample.at >= warm_up and sample.at + sample.ms / 1000 <= deadline
        ]
        distinct = len(set(traffic.ledger.normalized))
    latencies = [sample.ms for sample in samples if not sample.failed()]
    return {
        "completed": len(latencies),
        "errors": sum(sample.failed() for sample in samples),
        "requests_per_second": len(latencies) / seconds,
        "p50": percentile(latencies, 50),
        "p95": percentile(latencies, 95),
        "p99": percentile(latencies, 99),
        "sent": len(traffic.samples),
        "distinct_normalized": distinct,
        "answered": len(traffic.ledger.normalized),
        "server_cpu_seconds": cpu[1] - cpu[0],
    }


def run_contention(args: argparse.Namespace) -> int:
    """Unseen searches alone, during an upload, during batches: each window on a new 2-worker server."""
    database_url = postgres_url(args)
    titles = Titles(args.data_dir, random.Random(f"{SEED}-contention-{time.time()}"))
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    admin = api_key(database_url, args, "admin")
    institution = f"contention-{int(time.time())}"
    create = ["institutions", "create", f"Contention test {institution}", "--slug", institution]
    subprocess.run(
        [sys.executable, "-m", "service.cli", *create],
        cwd=REPOSITORY,
        env=environment(database_url, args.index_dir, args.data_dir),
        check=True,
        capture_output=True,
    )
    plans: list[tuple[str, Callable[[str], Callable[[asyncio.Event], Awaitable[dict[str, Any]]]]]] = [
        ("alone", lambda _: idle(args.seconds)),
        ("during an upload", lambda base: upload(base, admin, institution, args.data_dir)),
        ("during batches", lambda base: batches(base, titles, args.seconds)),
    ]
    windows = []
    load_before = load_average()
    for name, background in plans:
        with served(2, database_url, args, OUT_DIR / "contention-server.log") as server:
            say(f"{args.clients} clients, unseen searches, {name}")
            asyncio.run(measured(server.base, titles, args.clients, "warm-up", idle(10)))
            window = asyncio.run(measured(server.base, titles, args.clients, name, background(server.base)))
            windows.append(window.record() | {"load_after": load_average()})
        say(f"  p50 {windows[-1]['p50']:.0f} ms, p99 {windows[-1]['p99']:.0f} ms, max {windows[-1]['max']:.0f} ms")
    record = {"kind": "contention", "started": started, "clients": args.clients, "workers": 2}
    record |= {"database": redact(database_url), "cores": os.cpu_count(), "load_before": load_before}
    save("contention", record | {"load_after": load_average(), "windows": windows})
    write_report()
    return 0


# --- what the database holds afterwards ------------------------------------------------------------------


def stored_check(database_url: str, ledger: Ledger) -> dict[str, Any]:
    """Every event answered 202, impression answered 200 and click answered 302, looked up."""
    engine = create_database_engine(database_url)
    try:
        with engine.connect() as connection:
            events = found(connection, Event.event_id, ledger.events_acknowledged)
            impressions = found(connection, Event.impression_id, ledger.impressions, "impression")
            clicks = found(connection, Event.impression_id, ledger.clicks, "click")
    finally:
        engine.dispose()
    missing = sorted(set(ledger.events_acknowledged) - events)
    return {
        "events_sent": ledger.events_sent,
        "events_acknowledged": len(ledger.events_acknowledged),
        "events_found": len(set(ledger.events_acknowledged) & events),
        "events_missing": len(missing),
        "events_missing_ids": missing[:20],
        "events_rejected": dict(ledger.events_rejected),
        "accepted_mismatch": ledger.accepted_mismatch,
        "duplicates": ledger.duplicates,
        "retries": ledger.retries,
        "acknowledged_after_retry": ledger.acknowledged_after_retry,
        "duplicates_in_retries": ledger.duplicates_in_retries,
        "events_given_up": ledger.events_given_up,
        "impressions_answered": len(set(ledger.impressions)),
        "impressions_found": len(set(ledger.impressions) & impressions),
        "clicks_answered": len(set(ledger.clicks)),
        "clicks_found": len(set(ledger.clicks) & clicks),
    }


def found(connection: Any, column: Any, values: Iterable[str], event_type: str | None = None) -> set[str]:
    wanted = sorted(set(values))
    present: set[str] = set()
    for start in range(0, len(wanted), 2000):
        query = select(column).where(column.in_(wanted[start : start + 2000]))
        if event_type is not None:
            query = query.where(Event.type == event_type)
        present.update(connection.scalars(query))
    return present


# --- commands -------------------------------------------------------------------------------------------


def run_mixed(args: argparse.Namespace) -> int:
    database_url = postgres_url(args)
    key = portal_key(database_url, args)
    log = OUT_DIR / f"{args.save_as}-server.log"
    log.unlink(missing_ok=True)
    load_before = load_average()
    with served(args.workers, database_url, args, log) as server:
        say(f"mixed load: {args.rate}/s for {args.seconds} s, at most {args.max_in_flight} in flight")
        run = asyncio.run(mixed_load(server, "mixed", database_url, args, key))
    run.stored = stored_check(database_url, run.traffic.ledger)
    result = run_record(run) | {"load_before": load_before, "load_after": load_average()}
    save(args.save_as, result)
    say(summary_line(result))
    write_report()
    return 0


def run_scaling(args: argparse.Namespace) -> int:
    database_url = postgres_url(args)
    titles = Titles(args.data_dir, random.Random(f"{SEED}-scaling-{time.time()}"))
    started = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    runs = []
    for workers in args.worker_counts:
        log = OUT_DIR / f"scaling-{workers}-server.log"
        log.unlink(missing_ok=True)
        load_before = load_average()
        with served(workers, database_url, args, log) as server:
            say(f"{args.clients} clients, unseen searches, {workers} worker(s), {args.warm_up} s + {args.seconds} s")
            measured = asyncio.run(closed_loop(server, titles, args.clients, args.seconds, args.warm_up))
            measured |= {
                "workers": workers,
                "start_seconds": server.start_seconds,
                "resident_mb": sum(server.resident_mb().values()),
            }
        measured |= {"load_before": load_before, "load_after": load_average()}
        say(
            f"  {measured['requests_per_second']:.1f} searches/s, "
            f"p50 {measured['p50']:.0f} ms, p99 {measured['p99']:.0f} ms"
        )
        runs.append(measured)
    save(
        "scaling",
        {
            "kind": "scaling",
            "started": started,
            "clients": args.clients,
            "seconds": args.seconds,
            "warm_up": args.warm_up,
            "database": redact(database_url),
            "cores": os.cpu_count(),
            "runs": runs,
        },
    )
    write_report()
    return 0


def run_faults(args: argparse.Namespace) -> int:
    database_url = postgres_url(args)
    cluster = checked_cluster(args.pg_cluster, database_url)
    results = []
    if "postgres" in args.phases:
        results.append(postgres_faults(args, database_url, cluster))
    if "disk" in args.phases:
        results.append(disk_fault(args))
    if "kills" in args.phases:
        results.append(kill_series(args, database_url))
    previous = load_saved("faults") or {}
    phases = {phase["name"]: phase for phase in previous.get("phases", [])}
    phases.update((phase["name"], phase) for phase in results)
    save("faults", {"kind": "faults", "phases": list(phases.values())})
    write_report()
    return 0


def postgres_faults(args: argparse.Namespace, database_url: str, cluster: tuple[str, str]) -> dict[str, Any]:
    key = portal_key(database_url, args)
    log = OUT_DIR / "faults-postgres-server.log"
    log.unlink(missing_ok=True)
    load_before = load_average()
    with served(2, database_url, args, log) as server:

        async def choreography(run: Run) -> None:
            await asyncio.sleep(args.before)
            run.faults.append(await kill_worker(run, server))
            await asyncio.sleep(args.between)
            run.faults.append(await restart_postgres(run, cluster, database_url, args.pg_down_seconds))
            await asyncio.sleep(args.after)

        try:
            run = asyncio.run(mixed_load(server, "postgres", database_url, args, key, choreography))
        finally:
            ensure_cluster_running(cluster)
    run.stored = stored_check(database_url, run.traffic.ledger)
    return run_record(run) | {"load_before": load_before, "load_after": load_average(), "server_log": str(log)}


def kill_series(args: argparse.Namespace, database_url: str) -> dict[str, Any]:
    """`--kills` workers killed one after the other, `--kill-every` seconds apart, under the mixed load: how long
    the supervisor takes to notice each death and to have a new worker serving."""
    key = portal_key(database_url, args)
    log = OUT_DIR / "faults-kills-server.log"
    log.unlink(missing_ok=True)
    load_before = load_average()
    with served(2, database_url, args, log) as server:

        async def choreography(run: Run) -> None:
            for _ in range(args.kills):
                await asyncio.sleep(args.kill_every)
                run.faults.append(await kill_worker(run, server))
            await asyncio.sleep(10)

        run = asyncio.run(mixed_load(server, "kills", database_url, args, key, choreography))
    run.stored = stored_check(database_url, run.traffic.ledger)
    return run_record(run) | {"load_before": load_before, "load_after": load_average(), "server_log": str(log)}


async def kill_worker(run: Run, server: Server) -> dict[str, Any]:
    """`kill -9` of a worker; the fault ends when a new worker has started and logged its start-up complete.
    On the way: when the victim was gone (reaped by the supervisor) and when its replacement was spawned."""
    before = server.worker_pids()
    victim = min(before)
    offset = server.log_size()
    start = run.clock.now()
    os.kill(victim, signal.SIGKILL)
    run.mark(f"kill -9 of worker {victim}")
    deadline = time.monotonic() + 300
    spawned: set[int] = set()
    dead = reaped = replaced = math.nan
    while time.monotonic() < deadline:
        await asyncio.sleep(0.05)
        if math.isnan(dead) and process_state(victim) in ("Z", None):
            dead = run.clock.now()
            run.mark(f"worker {victim} dead (a zombie until the supervisor reaps it)")
        if math.isnan(reaped) and not Path(f"/proc/{victim}").exists():
            reaped = run.clock.now()
            run.mark(f"worker {victim} reaped by the supervisor")
        spawned = server.worker_pids() - before
        if spawned and math.isnan(replaced):
            replaced = run.clock.now()
            run.mark(f"worker {', '.join(map(str, spawned))} spawned")
        if spawned and "Application startup complete" in server.log_since(offset):
            break
    end = run.clock.now()
    run.mark(f"worker {', '.join(map(str, spawned)) or '?'} started in its place and ready")
    return {
        "name": "kill -9 of a worker",
        "start": start,
        "end": end,
        "dead": dead,
        "reaped": reaped,
        "spawned": replaced,
        "victim": victim,
        "replacement": sorted(spawned),
    }


def process_state(pid: int) -> str | None:
    """The state letter of /proc/<pid>/stat (R, S, D, Z…), None when the process is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return None
    return stat[stat.rindex(")") + 2]


async def restart_postgres(run: Run, cluster: tuple[str, str], database_url: str, down: float) -> dict[str, Any]:
    start = run.clock.now()
    run.mark(f"pg_ctlcluster {cluster[0]} {cluster[1]} stop -m fast")
    await command("pg_ctlcluster", cluster[0], cluster[1], "stop", "-m", "fast")
    stopped = run.clock.now()
    run.mark("PostgreSQL stopped")
    await asyncio.sleep(down)
    run.mark(f"pg_ctlcluster {cluster[0]} {cluster[1]} start")
    starting = asyncio.create_task(command("pg_ctlcluster", cluster[0], cluster[1], "start"))
    while not await accepts_connections(database_url):  # before the command returns, often
        await asyncio.sleep(0.05)
    end = run.clock.now()
    run.mark("PostgreSQL accepting connections again")
    await starting
    return {"name": f"PostgreSQL stopped, {down:.0f} s down, started", "start": start, "stopped": stopped, "end": end}


async def command(*words: str) -> None:
    process = await asyncio.create_subprocess_exec(*words, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    output, _ = await process.communicate()
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(words)} failed ({process.returncode}): {output.decode(errors='replace')}")


async def accepts_connections(database_url: str) -> bool:
    url = make_url(database_url)
    try:
        connection = await psycopg.AsyncConnection.connect(
            host=url.host, port=url.port or 5432, user=url.username, dbname=url.database, connect_timeout=2
        )
    except psycopg.OperationalError:
        return False
    async with connection:
        await connection.execute("SELECT 1")
    return True


def checked_cluster(name: str, database_url: str) -> tuple[str, str]:
    """The cluster `pg_ctlcluster` will stop, after checking it is the one `DATABASE_URL` reaches."""
    version, _, cluster = name.partition("/")
    listing = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True, check=True).stdout
    ports = {(line.split()[0], line.split()[1]): int(line.split()[2]) for line in listing.splitlines() if line.strip()}
    port = make_url(database_url).port or 5432
    if ports.get((version, cluster)) != port:
        raise SystemExit(f"--pg-cluster {name} does not listen on port {port} of DATABASE_URL ({ports})")
    return version, cluster


def ensure_cluster_running(cluster: tuple[str, str]) -> None:
    status = subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "status"], capture_output=True, check=False)
    if status.returncode != 0:
        subprocess.run(["pg_ctlcluster", cluster[0], cluster[1], "start"], check=True)


def disk_fault(args: argparse.Namespace) -> dict[str, Any]:
    base = sqlite_base(args)
    size_mb = math.ceil(base.stat().st_size / 2**20) + args.disk_headroom_mb
    mount = Path(tempfile.mkdtemp(prefix="lmi-load-disk-"))
    subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size_mb}m,mode=0700", "tmpfs", str(mount)], check=True)
    try:
        database = mount / "lmi.sqlite3"
        copy_sqlite(base, database)
        database_url = f"sqlite:///{database}"
        key = portal_key(database_url, args)
        log = OUT_DIR / "faults-disk-server.log"
        log.unlink(missing_ok=True)
        load_before = load_average()
        with served(2, database_url, args, log) as server:

            async def choreography(run: Run) -> None:
                await asyncio.sleep(args.before)
                run.faults.append(await fill_disk(run, mount, args.disk_full_seconds))
                await asyncio.sleep(args.after)

            run = asyncio.run(mixed_load(server, "sqlite-disk", database_url, args, key, choreography))
        run.stored = stored_check(database_url, run.traffic.ledger)
        return run_record(run) | {
            "load_before": load_before,
            "load_after": load_average(),
            "tmpfs_mb": size_mb,
            "server_log": str(log),
        }
    finally:
        subprocess.run(["umount", str(mount)], check=False)
        mount.rmdir()


async def fill_disk(run: Run, mount: Path, seconds: float) -> dict[str, Any]:
    junk = mount / "junk.bin"
    start = run.clock.now()
    written = await asyncio.to_thread(fill, junk)
    run.mark(f"tmpfs full ({written / 2**20:.1f} MiB of junk written; the next write gets ENOSPC)")
    await asyncio.sleep(seconds)
    junk.unlink()
    end = run.clock.now()
    run.mark("junk file deleted: space free again")
    return {
        "name": f"full disk for the SQLite file, {seconds:.0f} s",
        "start": start,
        "end": end,
        "junk_bytes": written,
    }


def fill(path: Path) -> int:
    written = 0
    chunk = b"\0" * 2**16
    with path.open("wb", buffering=0) as handle:
        while True:
            try:
                written += handle.write(chunk)
            except OSError as error:
                if error.errno != errno.ENOSPC:
                    raise
                break
    with path.open("ab", buffering=0) as handle, suppress(OSError):  # the last bytes, one at a time
        while handle.write(b"\0"):
            written += 1
    return written


def sqlite_base(args: argparse.Namespace) -> Path:
    """The SQLite database the disk fault copies: the reference data and the sample catalogs, imported and
    loaded once (`lmi import-reference`, `lmi catalog load-samples`: a few minutes) and kept in var/load."""
    base: Path = args.sqlite_base
    if base.exists():
        return base
    base.parent.mkdir(parents=True, exist_ok=True)
    partial = base.with_name(base.name + ".partial")
    partial.unlink(missing_ok=True)
    env = environment(f"sqlite:///{partial}", args.index_dir, args.data_dir)
    say(f"importing the reference data and loading the sample catalogs into {partial} (a few minutes)")
    for command in (["import-reference", "--quiet"], ["catalog", "load-samples"]):
        subprocess.run([sys.executable, "-m", "service.cli", *command], cwd=REPOSITORY, env=env, check=True)
    with closing(sqlite3.connect(partial)) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    partial.rename(base)
    return base


def copy_sqlite(source: Path, target: Path) -> None:
    """A consistent copy (SQLite's backup), whoever else has the source open."""
    with closing(sqlite3.connect(source)) as reader, closing(sqlite3.connect(target)) as writer:
        reader.backup(writer)
        writer.execute("PRAGMA journal_mode=WAL")


# --- records --------------------------------------------------------------------------------------------


def run_record(run: Run) -> dict[str, Any]:
    ledger = run.traffic.ledger
    return {
        "kind": "mixed",
        "name": run.name,
        "started": run.clock.wall.isoformat(timespec="seconds"),
        "workers": run.workers,
        "database": run.database,
        "rate": run.loop.rate,
        "max_in_flight": run.loop.max_in_flight,
        "mix": MIX,
        "duration": run.duration,
        "sent": run.loop.sent,
        "shed": run.loop.shed,
        "cores": os.cpu_count(),
        "server_start_seconds": run.server_start_seconds,
        "resident_mb": run.resident_mb,
        "client_cpu_seconds": run.client_cpu_seconds,
        "loads": run.loads,
        "faults": run.faults,
        "marks": run.marks,
        "stored": run.stored,
        "unseen": {
            "answered": len(ledger.normalized),
            "distinct_normalized": len(set(ledger.normalized)),
            "match_types": dict(ledger.match_types),
        },
        "samples": [sample.row() for sample in run.traffic.samples],
        "polls": [poll.row() for poll in run.polls],
    }


def save(name: str, record: dict[str, Any]) -> None:
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    (OUT_DIR / f"{name}.json").write_text(json.dumps(record), encoding="utf-8")


def load_saved(name: str) -> dict[str, Any] | None:
    path = OUT_DIR / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def summary_line(record: dict[str, Any]) -> str:
    samples = [Sample(*row) for row in record["samples"]]
    errors = sum(sample.failed() for sample in samples)
    stored = record["stored"]
    return (
        f"{len(samples)} requests in {record['duration']:.0f} s ({len(samples) / record['duration']:.1f}/s), "
        f"{errors} errors, {record['shed']} shed; events acknowledged {stored['events_acknowledged']}, "
        f"missing {stored['events_missing']}"
    )


def redact(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- the report -----------------------------------------------------------------------------------------


def write_report() -> None:
    from load_report import render  # noqa: PLC0415  (scripts/load_report.py: tables and charts)

    mixed, scaling, faults = load_saved("mixed"), load_saved("scaling"), load_saved("faults")
    # Earlier runs of `scaling`, kept by hand (copied to scaling-run<N>.json): the machine is shared.
    earlier = [record for n in (1, 2, 3) if (record := load_saved(f"scaling-run{n}")) is not None]
    report = render(mixed, scaling, faults, REPORT.parent, earlier, load_saved("contention"))
    REPORT.write_text(report, encoding="utf-8")
    say(f"wrote {REPORT.relative_to(REPOSITORY)}")


def postgres_url(args: argparse.Namespace) -> str:
    url = args.database_url
    if make_url(url).get_backend_name() != "postgresql":
        raise SystemExit(f"DATABASE_URL must name a PostgreSQL database (it is {redact(url)})")
    return str(url)


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/lmi_load"),
    )
    parser.add_argument(
        "--index-dir", type=Path, default=Path(os.environ.get("LMI_INDEX_DIR", REPOSITORY / "var" / "index"))
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(os.environ.get("LMI_DATA_DIR", REPOSITORY.parent / "shared" / "data"))
    )
    commands = parser.add_subparsers(dest="command", required=True)
    for name in ("mixed", "faults"):
        command_parser = commands.add_parser(name)
        command_parser.add_argument("--rate", type=float, default=12.0, help="arrivals a second (open loop)")
        command_parser.add_argument("--max-in-flight", type=int, default=48)
    commands.choices["mixed"].add_argument("--workers", type=int, default=2)
    commands.choices["mixed"].add_argument("--seconds", type=float, default=600)
    commands.choices["mixed"].add_argument(
        "--save-as", default="mixed", help="var/load/<name>.json (the report reads mixed)"
    )
    faults = commands.choices["faults"]
    faults.add_argument("--pg-cluster", default="15/main", help="version/cluster of DATABASE_URL, for pg_ctlcluster")
    faults.add_argument("--pg-down-seconds", type=float, default=15)
    faults.add_argument("--disk-full-seconds", type=float, default=30)
    faults.add_argument("--disk-headroom-mb", type=int, default=48, help="tmpfs size beyond the database's")
    faults.add_argument("--before", type=float, default=45, help="load before the first fault, seconds")
    faults.add_argument("--between", type=float, default=45, help="load between the two PostgreSQL-run faults")
    faults.add_argument("--after", type=float, default=60, help="load after the last fault ends, seconds")
    faults.add_argument(
        "--phases", default="postgres,disk,kills", type=lambda text: text.split(","), help="postgres, disk, kills"
    )
    faults.add_argument("--kills", type=int, default=8, help="workers killed in the kills phase")
    faults.add_argument("--kill-every", type=float, default=30, help="seconds between kills (kills phase)")
    faults.add_argument("--sqlite-base", type=Path, default=OUT_DIR / "sqlite-base.sqlite3")
    scaling = commands.add_parser("scaling")
    scaling.add_argument(
        "--workers", dest="worker_counts", default=[1, 2, 4], type=lambda text: [int(n) for n in text.split(",")]
    )
    scaling.add_argument("--clients", type=int, default=8)
    scaling.add_argument("--seconds", type=float, default=60)
    scaling.add_argument("--warm-up", type=float, default=10)
    contention = commands.add_parser("contention")
    contention.add_argument("--clients", type=int, default=2)
    contention.add_argument("--seconds", type=float, default=45, help="the window alone, and of the batches")
    commands.add_parser("report")
    args = parser.parse_args()
    args.index_dir, args.data_dir = args.index_dir.resolve(), args.data_dir.resolve()
    return args


def run_report(_: argparse.Namespace) -> int:
    write_report()
    return 0


def main() -> int:
    args = arguments()
    runs: dict[str, Callable[[argparse.Namespace], int]] = {
        "mixed": run_mixed,
        "scaling": run_scaling,
        "faults": run_faults,
        "contention": run_contention,
        "report": run_report,
    }
    return runs[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
