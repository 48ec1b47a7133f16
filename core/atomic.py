"""Replace a file all at once: readers see the old contents or the new, never half of either.

The new contents go to a hidden temporary file beside the file (beside its target when the
path is a symbolic link, so the link stays a link), are flushed to the disk, checked, and
only then renamed over the old file. A temporary file carries the id of the process writing
it: one left behind by a process that was killed (kill -9 gives no chance to clean up) is
removed by the next write to the same file.
"""
from __future__ import annotations

import contextlib
import os
import re
import secrets
from collections.abc import Iterator
from pathlib import Path

PART = ".part"  # temporary files are ".NAME.PID.RANDOM.part.EXT"
NAME_ROOM = 40  # characters of the file's stem kept in a temporary name (names hold 255 bytes)


def target_of(path: str | os.PathLike) -> Path:
    """The file a write to `path` replaces: the path itself, or the file a symbolic link names
    (one that does not exist yet is created). OSError (ELOOP) for links that name each other:
    writing would replace a link with a file."""
    path = Path(path)
    if not path.is_symlink():
        return path
    try:
        return Path(os.path.realpath(path, strict=True))
    except FileNotFoundError:  # a link to a file not written yet
        return Path(os.path.realpath(path))


def file_mode(path: Path) -> int:
    """The mode the new file gets: the old file's, else rw-r--r--.

    (mkstemp-style files are 0o600, which a colleague could not read after the rename.)
    """
    try:
        return os.stat(path).st_mode & 0o777
    except OSError:
        return 0o644  # (reading the umask would mean setting it: not thread-safe)


def _part_pattern(target: Path) -> re.Pattern:
    stem = re.escape(target.stem[:NAME_ROOM])
    return re.compile(rf"\.{stem}\.(\d+)\.[0-9a-f]+{re.escape(PART + target.suffix)}")


def process_alive(pid: int) -> bool:
    """Whether process `pid` exists (a stale part file's writer is gone when it does not)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # another user's process: alive, and not ours to judge
        return True
    return True


def remove_stale_parts(target: Path) -> list[Path]:
    """Remove temporary files for `target` whose writing process is gone; returns them."""
    pattern, removed = _part_pattern(target), []
    try:
        names = os.listdir(target.parent)
    except OSError:
        return removed
    for name in names:
        match = pattern.fullmatch(name)
        if match and not process_alive(int(match[1])):
            with contextlib.suppress(OSError):
                os.unlink(target.parent / name)
                removed.append(target.parent / name)
    return removed


def create_part(target: Path) -> Path:
    """A new, empty temporary file beside `target`, named for it and for this process."""
    name = f".{target.stem[:NAME_ROOM]}.{os.getpid()}.{secrets.token_hex(4)}{PART}{target.suffix}"
    temp = target.parent / name
    os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    return temp


def sync_file(path: Path) -> None:
    """Flush a written file to the disk: a full disk that the writer did not notice says so here."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextlib.contextmanager
def replacing(path: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path to write; when the block ends without an error it replaces `path`.

    The temporary file is flushed to the disk and must not be empty; on any failure (or
    KeyboardInterrupt) it is removed and the old file stays as it was.
    """
    target = target_of(path)
    remove_stale_parts(target)
    temp = create_part(target)
    try:
        yield temp
        if os.stat(temp).st_size == 0:
            raise OSError(f"nothing was written to {target.name}")
        sync_file(temp)
        os.chmod(temp, file_mode(target))
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temp)
        raise


def write_atomic(path: str | os.PathLike, data: bytes) -> None:
    """Replace `path` with `data`; on any failure the old file is untouched and no temporary is left."""
    with replacing(path) as temp:
        with open(temp, "wb") as file:
            file.write(data)
        if os.stat(temp).st_size != len(data):
            raise OSError(f"only {os.stat(temp).st_size} of {len(data)} bytes reached the disk")
