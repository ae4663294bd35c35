"""The Dockerfile and what the image installs, checked without a container engine (hadolint runs in `make lint`).

The image installs the package without its optional `minilm` extra, so torch stays out of it; these checks keep the
extra, the backend that needs it and the Dockerfile in step, and every package of the project in the image.
"""

import json
import re
import shlex
import tomllib
from fnmatch import fnmatch

from matching.backends import OPTIONAL_PACKAGES
from service.cli import parser
from tests.deploy.files import DOCKERIGNORE, ROOT, dockerfile_stages

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
DISTRIBUTION = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*")


def names(requirements: list[str]) -> set[str]:
    return {match[0].lower() for requirement in requirements if (match := DISTRIBUTION.match(requirement))}


def test_the_optional_backend_packages_are_an_extra_of_their_own() -> None:
    dependencies = names(PYPROJECT["project"]["dependencies"])
    extras = PYPROJECT["project"]["optional-dependencies"]
    for backend, modules in OPTIONAL_PACKAGES.items():
        packages = set(modules.values())
        assert names(extras[backend]) == packages, f"the {backend} extra and matching.backends disagree"
        assert not packages & dependencies, f"{sorted(packages & dependencies)} would be in every install"
    assert "torch" not in dependencies


def test_build_installs_the_package_without_extras_and_checks_it() -> None:
    build, _ = dockerfile_stages()
    commands = [part.strip() for step in build if step.keyword == "RUN" for part in step.arguments.split("&&")]
    installs = [command for command in commands if "pip install" in command]
    assert len(installs) == 2, "the build stage installs the dependencies, then the package"
    for command in installs:
        assert "--no-cache-dir" in command
        assert "[" not in command, f"an extra is installed: {command}"
    assert "pip check" in commands[commands.index(installs[-1]) + 1], "the install is checked"


def test_runtime_is_slim_pinned_non_root_and_checks_its_health() -> None:
    build, runtime = dockerfile_stages()
    base = {stage[0].arguments.split()[0] for stage in (build, runtime)}
    assert len(base) == 1, "both stages use one base image (the virtual environment is copied between them)"
    image = base.pop()
    assert re.fullmatch(r"python:3\.11\.\d+-slim-\w+", image), f"{image}: a pinned patch release, slim"
    keywords = [step.keyword for step in runtime]
    assert "COPY" in keywords and not any("pip install" in step.arguments for step in runtime)
    user = next(step.arguments for step in reversed(runtime) if step.keyword == "USER")
    assert user.split(":")[0].isdigit() and user.split(":")[0] != "0", f"USER {user}: numeric and not root"
    healthcheck = next(step.arguments for step in runtime if step.keyword == "HEALTHCHECK")
    program, flag, code = json.loads(healthcheck.partition(" CMD ")[2])
    assert (program, flag) == ("python", "-c") and "/healthz" in code
    compile(code, "HEALTHCHECK", "exec")  # the check is Python that parses (the slim image has no curl)


def test_the_default_command_runs_steps_lmi_has() -> None:
    """CMD imports (unchanged files are skipped), builds the models, then serves with LMI_WORKERS workers."""
    _, runtime = dockerfile_stages()
    command = json.loads(next(step.arguments for step in runtime if step.keyword == "CMD"))
    assert command[:2] == ["sh", "-c"]
    steps = [shlex.split(step.replace("${LMI_WORKERS}", "2")) for step in command[2].split("&&")]
    assert [step[:2] for step in steps] == [["lmi", "import-reference"], ["lmi", "build-index"], ["exec", "lmi"]]
    for step in steps:
        argv = step[2:] if step[0] == "exec" else step[1:]
        parser().parse_args(argv)  # exits (fails the test) on an unknown command or option
    assert steps[-1][2:] == ["serve", "--workers", "2"]


def test_every_package_of_the_project_is_copied_into_the_image() -> None:
    """A new top-level package needs a COPY in the Dockerfile and a line in .dockerignore, or the image lacks it."""
    packages = {pattern.rstrip("*") for pattern in PYPROJECT["tool"]["setuptools"]["packages"]["find"]["include"]}
    build, _ = dockerfile_stages()
    copied = {step.arguments.split()[0].rstrip("/") for step in build if step.keyword == "COPY"}
    assert packages <= copied, f"not copied into the image: {sorted(packages - copied)}"
    rules = [line for line in DOCKERIGNORE.read_text(encoding="utf-8").splitlines() if line and line[0] != "#"]
    for path in sorted(copied):
        included = False
        for rule in rules:  # the last matching rule wins, as Docker reads .dockerignore
            negated = rule.startswith("!")
            if fnmatch(path, rule.lstrip("!").rstrip("/")):
                included = negated
        assert included, f"{path} is copied but .dockerignore leaves it out of the build context"
    for secret_or_bulk in (".env", ".venv", "var", "node_modules", ".git", "tests", "reports"):
        assert not any(fnmatch(secret_or_bulk, rule.lstrip("!").rstrip("/")) for rule in rules if rule[0] == "!")
