"""Writing cache files so that a reader sees the old file or the complete new one, never a part."""

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from filelock import FileLock

__all__ = ["atomic_path", "building"]


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path next to `path`; on success move it over `path` with os.replace.

    Same directory, so the rename is atomic on POSIX; on failure the temporary file is removed.
    mkstemp creates files readable by their owner only; the cache may be built by one user (an
    image build) and read by another (the service), so the final file gets ordinary 0644.
    """
    descriptor, name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(descriptor)
    temporary = Path(name)
    try:
        yield temporary
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


@contextmanager
def building(path: Path) -> Iterator[None]:
    """Hold the lock on building `path` (a file `.<name>.lock` beside it): the worker processes of one
    host (or hosts sharing the folder) that all miss a cache build it once; the others wait here, then
    find it built. Check the cache again once the lock is held."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with FileLock(path.parent / f".{path.name}.lock"):
        yield
