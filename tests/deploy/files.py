"""The deployment files read as the tools that use them read them: compose.yaml with Compose's interpolation,
the Dockerfile as a list of instructions per stage."""

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / "compose.env.example"
DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"

# ${NAME}, ${NAME:-default}, ${NAME-default}, ${NAME:?error}, ${NAME?error}: what compose.yaml may use.
VARIABLE = re.compile(r"\$\{(?P<name>[A-Za-z_][A-Za-z0-9_]*)(?:(?P<op>:?[-?])(?P<arg>[^}]*))?\}")
ESCAPED_DOLLAR = "\0"


class MissingVariable(ValueError):
    """A required variable (${NAME:?…}) is unset or empty: Compose refuses to start, with this message."""


def read_env_file(path: Path) -> dict[str, str]:
    """NAME=value lines, as Compose reads an env file (no quotes are used in ours); comments and blanks skipped."""
    values = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            values[name.strip()] = value.strip()
    return values


def documented_variables(path: Path) -> set[str]:
    """The names an env file sets or shows commented out (#NAME=default)."""
    return set(re.findall(r"^#?([A-Z][A-Z0-9_]*)=", path.read_text(encoding="utf-8"), flags=re.MULTILINE))


def interpolated_names(text: str) -> set[str]:
    return {match["name"] for match in VARIABLE.finditer(text.replace("$$", ESCAPED_DOLLAR))}


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """`value` (a loaded YAML tree) with Compose's interpolation applied to every string in it."""
    if isinstance(value, dict):
        return {key: interpolate(item, env) for key, item in value.items()}
    if isinstance(value, list):
        return [interpolate(item, env) for item in value]
    if not isinstance(value, str):
        return value

    def substitute(match: re.Match[str]) -> str:
        name, op, arg = match["name"], match["op"], match["arg"]
        current = env.get(name)
        unset = current is None or (op is not None and op.startswith(":") and current == "")
        if op in (":-", "-") and unset:
            return arg
        if op in (":?", "?") and unset:
            raise MissingVariable(f"required variable {name} is missing a value: {arg}")
        return current or ""

    text = VARIABLE.sub(substitute, value.replace("$$", ESCAPED_DOLLAR))
    if "$" in text:
        raise ValueError(f"interpolation this check does not know: {value!r}")
    return text.replace(ESCAPED_DOLLAR, "$")


def load_compose(env: Mapping[str, str]) -> dict[str, Any]:
    """compose.yaml as Compose sees it with `env` as its .env: merge keys resolved, variables interpolated."""
    raw = yaml.safe_load(COMPOSE_FILE.read_text(encoding="utf-8"))
    return {key: interpolate(value, env) for key, value in raw.items() if not key.startswith("x-")}


def environment(service: Mapping[str, Any]) -> dict[str, str | None]:
    """A service's environment as a mapping, whichever of the two forms (map or NAME=value list) it uses."""
    env = service.get("environment") or {}
    if isinstance(env, list):
        return {name: value for name, _, value in (item.partition("=") for item in env)}
    return {name: None if value is None else str(value) for name, value in env.items()}


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str
    line: int


def dockerfile_stages(path: Path = DOCKERFILE) -> list[list[Instruction]]:
    """The Dockerfile's instructions, continuation lines joined and comments dropped, one list per stage."""
    stages: list[list[Instruction]] = []
    pending, start = "", 0
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue
        start = start if pending else number
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        keyword, _, arguments = (pending + line).strip().partition(" ")
        pending = ""
        if keyword.upper() == "FROM":
            stages.append([])
        stages[-1].append(Instruction(keyword.upper(), arguments.strip(), start))
    return stages
