"""What a JSON request body must be besides valid JSON: UTF-8 text, nested at most `MAX_JSON_DEPTH`
levels. The deepest body a route takes is three levels (`{"items": [{"q": …}]}`).

FastAPI parses the body before any dependency runs. A body its parser gives up on (not UTF-8, or
nested so deep that the parser's recursion stops, near a thousand levels) it answers 400 with the
parser's exception as the cause: `unreadable_body_errors` says what was wrong, for the
`invalid-request` problem. A body it could parse is then checked by `too_deep` (see
`service.http.media_types.require_json`).
"""

from typing import Any

MAX_JSON_DEPTH = 32


def nesting_depth(value: Any, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep arrays and objects nest in a parsed JSON value (a scalar is 0), counted without
    recursion and up to one level past `limit`."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 1)] if isinstance(value, list | dict) else []
    while pending:
        node, depth = pending.pop()
        deepest = max(deepest, depth)
        if depth > limit:
            break
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, depth + 1) for child in children if isinstance(child, list | dict))
    return deepest


TOO_DEEP = f"arrays and objects are nested more than {MAX_JSON_DEPTH} levels deep; at most {MAX_JSON_DEPTH} are read"


def body_error(message: str) -> list[dict[str, str]]:
    """The `invalid-request` errors of a body that is wrong as a whole."""
    return [{"location": "body", "message": message}]


def too_deep(value: Any) -> list[dict[str, str]]:
    """The `invalid-request` errors of a parsed body nested deeper than `MAX_JSON_DEPTH` (none otherwise)."""
    return body_error(TOO_DEEP) if nesting_depth(value) > MAX_JSON_DEPTH else []


def unreadable_body_errors(cause: BaseException | None) -> list[dict[str, str]] | None:
    """The `invalid-request` errors of a body the JSON parser raised `cause` on, or None when `cause`
    is not the parser's (a client that went away while sending, say)."""
    if isinstance(cause, RecursionError):
        return body_error(TOO_DEEP)
    if isinstance(cause, UnicodeDecodeError):
        return body_error(f"is not UTF-8 text: byte {cause.start + 1} cannot be read ({cause.reason})")
    if isinstance(cause, ValueError):
        return body_error(f"is not JSON text: {cause}")
    return None
