"""A real `lmi serve` process on a free port, for tests that need a server of their own (killing it,
driving it from a browser)."""

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

from service.config import UNLIMITED_RATES
from tests.support.source_data import DATA_DIR


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def live_server(
    database_url: str, index_dir: Path, log: Path | None = None, **environment: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Serve on a free port until the block ends; yields the base URL and the process. Its log (stderr)
    goes to `log`, else nowhere."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "LMI_DATA_DIR": str(DATA_DIR),
        "LMI_INDEX_DIR": str(index_dir),
        "LMI_MATCHER_BACKEND": "none",
        "LMI_RETAG_ON_STARTUP": "false",
        "LMI_STARTUP_WAIT_SECONDS": "600",  # start whole (a test that wants the stand-in sets it lower)
        "LMI_LOG_LEVEL": "warning",
        **UNLIMITED_RATES,  # the rate limits have tests of their own
        **environment,
    }
    stderr = log.open("ab") if log is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        [sys.executable, "-m", "service.cli", "serve", "--port", str(port)], env=env, stderr=stderr
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"the server stopped at start-up with exit code {process.returncode}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("the server did not start within 180 s")
            time.sleep(0.2)
        yield base, process
    finally:
        if process.poll() is None:
            process.terminate()
            process.wait(timeout=30)
        if log is not None:
            stderr.close()  # type: ignore[union-attr]
