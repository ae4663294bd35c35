"""`lmi serve`: the HTTP API."""

import argparse

from service.cli.common import Commands
from service.config import Settings


def register(commands: Commands) -> None:
    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", help="interface to bind (default: LMI_HOST or 127.0.0.1)")
    serve.add_argument("--port", type=int, help="port (default: LMI_PORT or 8000)")
    serve.set_defaults(run=run_serve)


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from service.startup import long_lived  # noqa: PLC0415

    with long_lived():  # the modules live as long as the process
        import uvicorn  # noqa: PLC0415  (only this command needs the server)

        from service.app import create_app  # noqa: PLC0415  (FastAPI and the routes, for this command only)

    uvicorn.run(
        create_app(settings),
        host=args.host or settings.host,
        port=args.port or settings.port,
        log_level=settings.log_level,
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
    )
    return 0
