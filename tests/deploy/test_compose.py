"""compose.yaml: valid against the Compose Specification, and consistent with the service it runs.

No container engine runs here, so the file is checked without one: interpolated with the example env file (with
secrets filled in) as `docker compose` would, validated against the Compose Specification's JSON schema (the copy
check-jsonschema ships), then checked against the service itself: the variables are settings the service reads and
accepts, the commands are commands `lmi` has. Where a compose CLI works, `docker compose config` is run as well.
"""

import json
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import make_url

from service.cli import parser
from service.config import Settings
from tests.deploy.files import (
    COMPOSE_FILE,
    ENV_EXAMPLE,
    MissingVariable,
    documented_variables,
    environment,
    interpolated_names,
    load_compose,
    read_env_file,
)

SECRETS = {"POSTGRES_PASSWORD": "0123456789abcdef0123", "LMI_LINK_SECRET": "fedcba9876543210fedcba98"}
APP_SERVICES = ("init", "web")  # the services that run the lmi image


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    """The example env file with its secrets filled in, as an operator's .env would be."""
    return read_env_file(ENV_EXAMPLE) | SECRETS


@pytest.fixture(scope="module")
def compose(env: dict[str, str]) -> dict[str, Any]:
    return load_compose(env)


@pytest.fixture(scope="module")
def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return compose["services"]


def settings_names() -> set[str]:
    """The environment variables the service reads: each setting's names."""
    names: set[str] = set()
    for name, field in Settings.model_fields.items():
        alias = field.validation_alias
        choices = getattr(alias, "choices", None) or [alias or name.upper()]
        names.update(str(choice) for choice in choices)
    return names


def test_compose_file_follows_the_compose_specification(compose: dict[str, Any], tmp_path: Path) -> None:
    resolved = tmp_path / "compose.json"
    resolved.write_text(json.dumps(compose), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", "vendor.compose-spec", str(resolved)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_compose_refuses_to_start_without_the_secrets() -> None:
    """The example's secrets are empty on purpose: nothing starts until .env sets them (no default password)."""
    example = read_env_file(ENV_EXAMPLE)
    assert {name: example.get(name) for name in SECRETS} == dict.fromkeys(SECRETS, "")
    for missing in SECRETS:
        with pytest.raises(MissingVariable, match=missing):
            load_compose(example | SECRETS | {missing: ""})


def test_secrets_come_from_the_env_file_only() -> None:
    """No password or secret is written in compose.yaml: each is a required ${NAME:?…} of the env file."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    for name in SECRETS:
        assert f"${{{name}:?" in text
    for service in load_compose(dict.fromkeys(SECRETS, "__secret__"))["services"].values():
        for name, value in environment(service).items():
            if any(word in name for word in ("PASSWORD", "SECRET")):
                assert value == "__secret__", f"{name} is written in compose.yaml"
            if name == "DATABASE_URL":
                assert make_url(value or "").password == "__secret__"


def test_every_variable_is_documented_in_the_example() -> None:
    """Each variable compose.yaml reads from .env is in compose.env.example, and the example has no stale ones."""
    text = COMPOSE_FILE.read_text(encoding="utf-8")
    passed_on = {
        name
        for service in load_compose(SECRETS)["services"].values()
        for name, value in environment(service).items()
        if value is None
    }
    assert interpolated_names(text) | passed_on == documented_variables(ENV_EXAMPLE)


def test_the_service_reads_and_accepts_every_variable_it_is_given(services: dict[str, dict[str, Any]]) -> None:
    known = settings_names()
    for name in APP_SERVICES:
        given = environment(services[name])
        assert set(given) <= known, f"{name}: not settings of the service: {sorted(set(given) - known)}"
        # Validated as the service would at start: a value it refuses (a typo'd boolean, a bad URL) fails here.
        Settings(**{key: value for key, value in given.items() if value is not None})


def test_init_and_web_run_commands_lmi_has(services: dict[str, dict[str, Any]]) -> None:
    """Each step of the init job and the web command parses with `lmi`'s own parser (no stale command or flag)."""
    steps = {
        "init": services["init"]["command"][2].split("&&"),
        "web": [shlex.join(services["web"]["command"])],
    }
    commands = []
    for service, lines in steps.items():
        for line in lines:
            program, *argv = shlex.split(line)
            assert program == "lmi", f"{service}: {line}"
            parser().parse_args(argv)  # exits (fails the test) on an unknown command or option
            commands.append(" ".join(argv[:2]))
    assert commands == [
        "migrate",
        "import-reference --quiet",
        "build-index",
        "catalog load-samples",
        "catalog retag",
        "serve",
    ], "init migrates, imports, builds the models, then tags the catalogs; web only serves"
    assert services["init"]["restart"] == "no", "a one-shot job that restarts never completes"


def test_web_starts_once_init_succeeded_and_what_it_uses_is_healthy(services: dict[str, dict[str, Any]]) -> None:
    web = services["web"]
    depends = web["depends_on"]
    assert depends["init"]["condition"] == "service_completed_successfully"
    for name, condition in depends.items():
        assert name in services, f"web depends on {name}, which compose.yaml does not define"
        if condition["condition"] == "service_healthy":
            assert "healthcheck" in services[name], f"{name} is waited for as healthy but has no healthcheck"
    for name in APP_SERVICES:
        given = environment(services[name])
        database = make_url(given["DATABASE_URL"] or "")
        assert database.drivername == "postgresql+psycopg"
        assert database.host in services[name]["depends_on"], f"{name} uses {database.host} without waiting for it"
        postgres = environment(services[database.host])
        assert (database.username, database.database, database.password) == (
            postgres["POSTGRES_USER"],
            postgres["POSTGRES_DB"],
            postgres["POSTGRES_PASSWORD"],
        )
    storage = environment(web)["LMI_RATE_LIMIT_STORAGE"] or ""
    assert storage.startswith("redis://")
    assert make_url(storage).host in depends, "the rate limits' storage is waited for"


def test_web_has_several_workers_a_readiness_check_and_is_published_on_loopback(
    services: dict[str, dict[str, Any]],
) -> None:
    web = services["web"]
    assert int(environment(web)["LMI_WORKERS"] or 0) >= 2
    kind, program, flag, code = web["healthcheck"]["test"]
    assert (kind, program, flag) == ("CMD", "python", "-c") and "http://127.0.0.1:8000/readyz" in code
    compile(code, "healthcheck", "exec")
    assert [port.rsplit(":", 1)[1] for port in web["ports"]] == ["8000"]  # the image's LMI_PORT
    for name, service in services.items():
        for port in service.get("ports", []):
            assert str(port).startswith("127.0.0.1:"), f"{name} publishes {port} beyond this host"
    assert "ports" not in services["postgres"]
    assert "ports" not in services["redis"]


def test_volumes_images_and_limits(compose: dict[str, Any], services: dict[str, dict[str, Any]]) -> None:
    declared = set(compose.get("volumes", {}))
    for name, service in services.items():
        image = service["image"]
        tag = image.rpartition(":")[2]
        assert ":" in image and tag != "latest", f"{name}: unpinned image {image}"
        if name not in APP_SERVICES:
            assert any(character.isdigit() for character in tag), f"{name}: {image} is not pinned to a version"
        limits = service["deploy"]["resources"]["limits"]
        assert {"cpus", "memory"} <= set(limits), f"{name} has no CPU or memory limit"
        for volume in service.get("volumes", []):
            source = volume.split(":")[0]
            if not source.startswith((".", "/")):
                assert source in declared, f"{name} mounts the undeclared volume {source}"
    for name in APP_SERVICES:
        mounts = {volume.split(":")[1]: volume for volume in services[name]["volumes"]}
        given = environment(services[name])
        assert mounts[given["LMI_DATA_DIR"] or ""].endswith(":ro"), "the public data is mounted read-only"
        assert mounts[given["LMI_INDEX_DIR"] or ""].startswith("index:"), "init builds the models web loads"


def test_docker_compose_config_accepts_the_file(env: dict[str, str], tmp_path: Path) -> None:
    """`docker compose config`, where the compose plugin is installed (it needs no daemon)."""
    try:
        version = subprocess.run(["docker", "compose", "version"], capture_output=True, text=True, check=False)
    except FileNotFoundError:
        pytest.skip("no docker CLI: compose.yaml is checked against the Compose Specification's schema instead")
    if version.returncode != 0:
        reason = (version.stderr or version.stdout).strip().splitlines()[0]
        pytest.skip(f"the docker compose plugin is not installed ({reason}): checked against the schema instead")
    env_file = tmp_path / "compose.env"
    env_file.write_text("".join(f"{name}={value}\n" for name, value in env.items()), encoding="utf-8")
    result = subprocess.run(
        ["docker", "compose", "--file", str(COMPOSE_FILE), "--env-file", str(env_file), "config", "--quiet"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
