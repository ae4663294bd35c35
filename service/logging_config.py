"""How `lmi serve` logs: text for people (`LMI_LOG_FORMAT=text`, the default: `make run` in a
terminal) or one JSON object per line for a log collector (`json`, what the Docker image and compose
use). Either way every line written while handling a request carries the request's id
(service.http.request_id), and uvicorn's own loggers go the same way.

A JSON line has `timestamp` (ISO 8601, UTC), `level`, `logger`, `message`, `request_id` (null outside a
request), the `exc_info` of an error, and what the line adds: an access line (logger `service.access`,
written by service.http.observe) has `method`, `route` (the route's template, never the path as sent
nor its query: the query holds what people typed), `status` and `duration_ms`. No client address is
logged: uvicorn's access log, which writes the address and the query, is off.
"""

import logging
from typing import Any, Literal

from pythonjsonlogger.core import RESERVED_ATTRS
from pythonjsonlogger.json import JsonFormatter

from service.http.request_id import current_request_id

LogFormat = Literal["text", "json"]
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s%(request)s: %(message)s"
# Attributes of records that are not for the JSON line: uvicorn's coloured copy of its message, and the
# text format's own.
NOT_LOGGED = ("color_message", "request")


class RequestIdFilter(logging.Filter):
    """Puts the id of the request being handled (or None) on every record, as `request_id`."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id()
        return True


class TextFormatter(logging.Formatter):
    """`2026-05-01 12:00:00,123 INFO service.access [3f2a…]: GET /v1/regions 200 4.1 ms`: the request's id
    in brackets, while handling one."""

    def __init__(self) -> None:
        super().__init__(TEXT_FORMAT)

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802 (logging's name)
        request_id = getattr(record, "request_id", None)
        record.request = f" [{request_id}]" if request_id else ""
        return super().formatMessage(record)


def json_formatter() -> logging.Formatter:
    return JsonFormatter(
        "%(levelname)s %(name)s %(message)s %(request_id)s",
        rename_fields={"levelname": "level", "name": "logger"},
        timestamp=True,
        reserved_attrs=[*RESERVED_ATTRS, *NOT_LOGGED],
    )


def formatter(log_format: LogFormat) -> logging.Formatter:
    return json_formatter() if log_format == "json" else TextFormatter()


def log_config(log_format: LogFormat, level: str) -> dict[str, Any]:
    """The `logging.config.dictConfig` of the service, which uvicorn applies in each of its processes
    (`uvicorn.run(..., log_config=...)`): one handler on stderr, on the root logger, which every other
    logger (the service's, uvicorn's) reaches."""
    level = level.upper()
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"service": {"()": formatter, "log_format": log_format}},
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "stream": "ext://sys.stderr",
                "formatter": "service",
                "filters": ["request_id"],
            }
        },
        "root": {"handlers": ["stderr"], "level": level},
        "loggers": {
            # uvicorn's loggers write through the root's handler, not their own.
            "uvicorn": {"handlers": [], "propagate": True, "level": level},
            "uvicorn.error": {"handlers": [], "propagate": True, "level": level},
            # Off: it would log client addresses and queries (service.access logs each request instead).
            "uvicorn.access": {"handlers": [], "propagate": False, "level": "WARNING"},
            # A client's malformed X-Request-ID is replaced, not logged (see service.http.request_id).
            "asgi_correlation_id": {"level": "ERROR"},
        },
    }
