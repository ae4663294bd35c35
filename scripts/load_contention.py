"""Does a person's search wait for an upload or a batch that another request started? The windows of the
`contention` command of `scripts/load_test.py` (its record in var/load/contention.json, its section in
reports/load.md).

    .venv/bin/python scripts/load_test.py contention [--clients 2] [--seconds 45]

Against `lmi serve --workers 2` on the PostgreSQL database of `DATABASE_URL`, `--clients` clients send unseen
job-title searches back to back (a closed loop), in three windows, each on a new server:
- *alone*: for `--seconds`;
- *during an upload*: an admin uploads the edX sample catalog (about 2,700 courses, tagged on whichever worker
  the upload reached, with the sample's own mapping) as a new institution's catalog; the searches run from
  the upload's start until its job has ended;
- *during batches*: one more client sends batches of 1,000 unseen titles (`POST /v1/occupations/search/batch`)
  back to back for `--seconds`.
A search that waited for the upload or a batch would take as long as it: the longest search of each window
is given beside the upload's and the batches' durations. On 2 cores the upload and the batches still take
CPU from the searches (the worker's share); what is measured is the searches' latency, not the cores.
"""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import httpx
from load_report import percentile

from catalog.samples import SAMPLES

if TYPE_CHECKING:
    from collections.abc import Awaitable, Callable
    from pathlib import Path

UPLOADED_SAMPLE = "edx"
BATCH_SIZE = 1_000
UPLOAD_TIMEOUT_SECONDS = 1_800.0


@dataclass
class Window:
    """The searches of one window, and what else the server was doing meanwhile."""

    name: str
    latencies: list[float] = field(default_factory=list)
    errors: int = 0
    seconds: float = 0.0
    background: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "seconds": self.seconds,
            "completed": len(self.latencies),
            "errors": self.errors,
            "per_second": len(self.latencies) / self.seconds if self.seconds else 0.0,
            "p50": percentile(self.latencies, 50),
            "p95": percentile(self.latencies, 95),
            "p99": percentile(self.latencies, 99),
            "max": max(self.latencies, default=float("nan")),
            "background": self.background,
        }


async def searches_until(
    base: str, titles: Any, clients: int, done: asyncio.Event, window: Window, started: float
) -> None:
    """`clients` closed-loop clients sending unseen searches until `done` is set."""

    async def one_client(client: httpx.AsyncClient) -> None:
        while not done.is_set():
            title, lang = titles.unseen()
            began = time.monotonic()
            try:
                response = await client.get("/v1/occupations/search", params={"q": title, "lang": lang})
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            if ok:
                window.latencies.append((time.monotonic() - began) * 1000)
            else:
                window.errors += 1

    async with httpx.AsyncClient(base_url=base, timeout=60) as client:
        await asyncio.gather(*(one_client(client) for _ in range(clients)))
    window.seconds = time.monotonic() - started


async def measured(
    base: str, titles: Any, clients: int, name: str, background: Callable[[asyncio.Event], Awaitable[dict[str, Any]]]
) -> Window:
    """The searches while `background` runs; it sets the event it is given when the window should end."""
    window, done = Window(name), asyncio.Event()
    started = time.monotonic()
    searches = asyncio.create_task(searches_until(base, titles, clients, done, window, started))
    window.background = await background(done)
    done.set()
    await searches
    return window


def idle(seconds: float) -> Callable[[asyncio.Event], Awaitable[dict[str, Any]]]:
    async def wait(_: asyncio.Event) -> dict[str, Any]:
        await asyncio.sleep(seconds)
        return {}

    return wait


def upload(
    base: str, admin_key: str, institution: str, data_dir: Path
) -> Callable[[asyncio.Event], Awaitable[dict[str, Any]]]:
    sample = next(sample for sample in SAMPLES if sample.slug == UPLOADED_SAMPLE)
    content = (data_dir / sample.path).read_bytes()
    media_type = "text/csv" if sample.file_format == "csv" else "application/json"

    async def run(_: asyncio.Event) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {admin_key}", "Content-Type": media_type}
        began = time.monotonic()
        async with httpx.AsyncClient(base_url=base, timeout=UPLOAD_TIMEOUT_SECONDS) as client:
            response = await client.put(
                f"/v1/institutions/{institution}/catalog",
                params={"mapping": json.dumps(dict(sample.mapping)), "on_error": "skip"},
                content=content,
                headers=headers,
            )
            polls = 0
            while response.status_code == 202 or response.json().get("status") in ("queued", "running"):
                await asyncio.sleep(1)
                job = response.headers.get("Location") or str(response.url)
                response = await client.get(job, headers=headers)
                polls += 1
                if time.monotonic() - began > UPLOAD_TIMEOUT_SECONDS:
                    raise RuntimeError("the upload did not end in time")
            body = response.json()
        result = body.get("result", body)
        if response.status_code != 200 or "courses" not in result:
            raise RuntimeError(f"the upload failed: {response.status_code} {body}")
        return {
            "what": f"upload of the {sample.name} sample ({result['courses']:,} courses)",
            "seconds": time.monotonic() - began,
            "courses": result["courses"],
            "polls": polls,
        }

    return run


def batches(base: str, titles: Any, seconds: float) -> Callable[[asyncio.Event], Awaitable[dict[str, Any]]]:
    async def run(_: asyncio.Event) -> dict[str, Any]:
        durations: list[float] = []
        deadline = time.monotonic() + seconds
        async with httpx.AsyncClient(base_url=base, timeout=600) as client:
            while time.monotonic() < deadline:
                items = [{"id": n, "q": titles.unseen()[0]} for n in range(BATCH_SIZE)]
                began = time.monotonic()
                response = await client.post("/v1/occupations/search/batch", json={"lang": "auto", "items": items})
                response.raise_for_status()
                durations.append(time.monotonic() - began)
        return {
            "what": f"batches of {BATCH_SIZE:,} unseen titles, back to back",
            "batches": len(durations),
            "batch_seconds": durations,
            "titles_per_second": BATCH_SIZE * len(durations) / sum(durations),
        }

    return run
