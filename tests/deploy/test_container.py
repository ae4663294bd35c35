"""The image built and run, where a container engine works (docker or podman); skipped otherwise, saying why.

Building downloads the dependencies (several hundred MB) and takes minutes: leave these out with `-m "not container"`.
The compose file is not started here (it needs the public data and minutes of embedding); see the README.
"""

import shutil
import subprocess
import uuid
from collections.abc import Iterator

import pytest

from tests.deploy.files import ROOT

pytestmark = pytest.mark.container

BUILD_SECONDS = 3600
# Its virtual environment is about 0.93 GB without the minilm extra (measured in a fresh venv, not in an image); the
# extra adds about 0.9 GB with torch's CPU build (torch 754 MB, transformers 130 MB), several GB with a CUDA build.
LARGEST_IMAGE_BYTES = 1_600_000_000


def container_engine() -> tuple[str | None, str]:
    """The first engine whose `info` answers, or None and why none does."""
    reasons = []
    for name in ("docker", "podman"):
        path = shutil.which(name)
        if path is None:
            reasons.append(f"{name} is not installed")
            continue
        try:
            info = subprocess.run([path, "info"], capture_output=True, text=True, timeout=60, check=False)
        except subprocess.TimeoutExpired:
            reasons.append(f"{name} info timed out")
            continue
        if info.returncode == 0:
            return path, ""
        lines = (info.stderr or info.stdout).strip().splitlines()
        reasons.append(f"{name} info failed: {lines[-1] if lines else f'exit code {info.returncode}'}")
    return None, "; ".join(reasons)


def run(engine: str, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([engine, *args], capture_output=True, text=True, timeout=timeout, check=False)


@pytest.fixture(scope="module")
def engine() -> str:
    path, reason = container_engine()
    if path is None:
        pytest.skip(f"no container engine: {reason}")
    return path


@pytest.fixture(scope="module")
def image(engine: str) -> Iterator[str]:
    tag = f"lmi-service:test-{uuid.uuid4().hex[:8]}"
    build = run(engine, "build", "--tag", tag, str(ROOT), timeout=BUILD_SECONDS)
    assert build.returncode == 0, build.stdout[-4000:] + build.stderr[-4000:]
    yield tag
    run(engine, "image", "rm", "--force", tag)


def test_image_runs_the_cli_without_torch_as_a_non_root_user(engine: str, image: str) -> None:
    help_text = run(engine, "run", "--rm", image, "lmi", "--help")
    assert help_text.returncode == 0 and "import-reference" in help_text.stdout, help_text.stderr
    probe = "import importlib.util as u, os; print(os.getuid(), u.find_spec('torch') is None)"
    facts = run(engine, "run", "--rm", image, "python", "-c", probe)
    assert facts.stdout.split() == ["10001", "True"], facts.stderr


def test_image_refuses_the_minilm_backend_with_a_clear_message(engine: str, image: str) -> None:
    serve = run(engine, "run", "--rm", "--env", "LMI_MATCHER_BACKEND=minilm", image, "lmi", "serve")
    assert serve.returncode == 2
    assert "lmi-service[minilm]" in serve.stderr


def test_image_size(engine: str, image: str) -> None:
    size = run(engine, "image", "inspect", "--format", "{{.Size}}", image)
    assert size.returncode == 0, size.stderr
    print(f"{image}: {int(size.stdout) / 1e9:.2f} GB")  # shown with -rP or -s
    assert int(size.stdout) < LARGEST_IMAGE_BYTES, "torch (or another large optional package) is in the image"
