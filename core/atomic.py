"""Replace a file all at once: readers see the old contents or the new, never half of either."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _file_mode(path: Path) -> int:
    """The old file's mode, else rw-r--r--."""
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o644  # (reading the umask would mean setting it: not thread-safe)


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data`: a temporary file beside it, fsync, then os.replace.

    On any failure the old file is untouched and the temporary file is gone.
    """
    path = Path(path)
    handle, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent or ".")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.chmod(temp, _file_mode(path))  # mkstemp makes 0o600 files
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
