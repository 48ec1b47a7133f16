"""Write a file all at once: a temporary file beside the target, then os.replace.

A failed or cancelled export removes its temporary file, so an older file at the path
survives untouched and no truncated file is ever left behind.
"""
from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


class ExportError(ValueError):
    """An export that cannot be done: bad path, size, range, view or format (says which)."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""


def check_writable(path: str | os.PathLike) -> Path:
    """The output path, or ExportError naming why it cannot be written."""
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if path.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: it is a folder")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable")
    return path


def file_mode(path: Path) -> int:
    """The mode the new file should get: the old file's, else rw-r--r--.

    (mkstemp creates 0o600 files, which a colleague could not read after the rename.)
    """
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o644  # (reading the umask would mean setting it: not thread-safe)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path (same folder, same suffix); on success it replaces `path`."""
    path = check_writable(path)
    try:
        handle, temp = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=f".part{path.suffix}",
                                        dir=path.parent)
    except OSError as error:
        raise ExportError(f"cannot write {str(path)!r}: {error.strerror or error}") from None
    os.close(handle)
    try:
        yield Path(temp)
        os.chmod(temp, file_mode(path))
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise
