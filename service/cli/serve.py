"""`lmi serve`: the HTTP API."""

import argparse
import os

from matching.backends import require_installed
from service.cli.common import Commands
from service.config import Settings

# How long the supervisor waits for a worker's answer to its health check. A worker loading its models
# holds the interpreter for seconds at a time (unpickling the matcher's structures), so the uvicorn default
# of 5 s killed workers mid-start on a busy machine; but the supervisor also waits this long on a worker
# that has just died before it notices, so a killed worker may be replaced this late.
WORKER_HEALTHCHECK_SECONDS = 20


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="interface to bind (default: LMI_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: LMI_PORT or 8000)")
    serve.add_argument("--workers", type=int, help="worker processes on the one port (default: LMI_WORKERS or 1)")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    require_installed(settings.matcher_backend)  # before any worker starts: minilm without its optional extra
    from service.startup import long_lived  # noqa: PLC0415

    with long_lived():  # the modules live as long as the process
        import uvicorn  # noqa: PLC0415  (only this command needs the server)
        from fastapi import FastAPI  # noqa: PLC0415

        from service.app import create_app  # noqa: PLC0415  (FastAPI and the routes, for this command only)
        from service.logging_config import log_config  # noqa: PLC0415
        from service.metrics import multiprocess_dir, prepare_multiprocess_dir, remove_multiprocess_dir  # noqa: PLC0415

    workers = args.workers or settings.workers
    temporary_metrics = None
    if workers == 1:
        app: FastAPI | str = create_app(settings)
    else:
        # Several workers: uvicorn's supervisor binds the port, starts each worker (which builds the app from
        # the environment: the same settings), and starts a worker again when one dies. Each worker embeds
        # with its share of the cores, and counts its share of the rate limits unless they are counted in a
        # shared storage. Their metrics go to one folder of this host, summed by whichever worker is scraped.
        os.environ["LMI_WORKERS"] = str(workers)
        app = "service.app:create_app"
        given = multiprocess_dir()
        folder = prepare_multiprocess_dir()
        temporary_metrics = folder if given is None else None
    try:
        uvicorn.run(
            app,
            factory=workers > 1,
            workers=workers,
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            host=args.host or settings.host,
            port=args.port or settings.port,
            log_level=settings.log_level,
            log_config=log_config(settings.log_format, settings.log_level),  # text or JSON, with the request ids
            access_log=False,  # it logs client addresses and queries: service.http.observe logs each request
            ws="none",  # no WebSocket route: uvicorn's WebSocket handshakes would log the client's address
            proxy_headers=True,
            forwarded_allow_ips=settings.forwarded_allow_ips,
        )
    finally:
        if temporary_metrics is not None:
            remove_multiprocess_dir(temporary_metrics)
    return 0
