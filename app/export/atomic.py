"""Write a file all at once: a temporary file beside the target, then os.replace.

A failed or cancelled export removes its temporary file, so an older file at the path
survives untouched and no truncated file is ever left behind.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path

from valley.core.atomic import replacing, target_of


class ExportError(ValueError):
    """An export that cannot be done: bad path, size, range, view or format (says which)."""


class ExportCancelled(ExportError):
    """The user cancelled; nothing was written."""


def check_writable(path: str | os.PathLike) -> Path:
    """The output path, or ExportError naming why it cannot be written.

    A symbolic link is written through: its target is checked (and later replaced).
    """
    path = Path(path)
    limit = _name_max(path.parent)
    if len(os.fsencode(path.name)) > limit:
        raise ExportError(f"cannot write {_short(path)}: the file name is "
                          f"{len(os.fsencode(path.name))} bytes long; the limit is {limit}")
    try:
        target = target_of(path)
    except OSError as error:
        raise ExportError(f"cannot write {_short(path)}: {error.strerror or error}") from None
    folder = target.parent if str(target.parent) else Path(".")
    if target.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: it is a folder")
    if folder.exists() and not folder.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder")
    if not folder.is_dir():
        raise ExportError(f"cannot write {str(path)!r}: folder {str(folder)!r} does not exist")
    if not os.access(folder, os.W_OK):
        raise ExportError(f"cannot write {str(path)!r}: folder {str(folder)!r} is not writable")
    return path


def _name_max(folder: Path) -> int:
    try:
        return os.pathconf(folder if folder.is_dir() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        return 255


def _short(path: Path) -> str:
    text = str(path)
    return repr(text if len(text) <= 80 else text[:40] + "…" + text[-20:])


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike):
    """Yield a temporary path (same folder, same suffix); on success it replaces `path`.

    The file written must not be empty and is flushed to the disk before the rename; a
    failure (a full disk, an interrupted export) leaves the old file and no temporary behind.
    """
    path = check_writable(path)
    with contextlib.ExitStack() as stack:
        try:
            temp = stack.enter_context(replacing(path))
        except OSError as error:
            raise ExportError(f"cannot write {str(path)!r}: {error.strerror or error}") from None
        yield temp
