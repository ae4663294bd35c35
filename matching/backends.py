"""The matcher backends, defined once: the settings, the CLI, the assembly and the embedders all
take their names from here.

A backend is an embedding model ("e5", "minilm") searched together with the words of the
titles, or "none" for word matching alone.
"""

from typing import Final, Literal, get_args

__all__ = ["BACKENDS", "EMBEDDING_BACKENDS", "NO_EMBEDDINGS", "Backend"]

Backend = Literal["e5", "minilm", "none"]
"""A matcher backend name, as a type (for settings and command-line choices)."""

BACKENDS: tuple[str, ...] = get_args(Backend)
"""Every backend: "e5", "minilm", "none"."""

NO_EMBEDDINGS: Final = "none"
"""The backend that matches on words only and loads no embedding model."""

EMBEDDING_BACKENDS: tuple[str, ...] = ("minilm", "e5")
"""The backends with an embedding model, i.e. the names :func:`matching.embeddings.create_embedder` accepts."""
