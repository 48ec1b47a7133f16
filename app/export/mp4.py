"""MP4 (H.264) through imageio and the ffmpeg that imageio-ffmpeg ships; frames stream out."""
from __future__ import annotations

import contextlib
import os
import struct

import numpy as np

from valley.app.export.atomic import ExportError, atomic_path
from valley.app.export.frames import check_fps, frame_steps, render_frames
from valley.app.export.render import check_size


def check_even(size) -> tuple[int, int]:
    size = check_size(size)
    if size[0] % 2 or size[1] % 2:
        raise ExportError(f"MP4 needs an even width and height (H.264, yuv420p), got "
                          f"{size[0]}x{size[1]}")
    return size


# Top-level boxes every H.264 MP4 that ffmpeg finished has: without 'moov' (written last, with the
# index of every frame) no player can open the file.
REQUIRED_BOXES = (b"ftyp", b"mdat", b"moov")


def check_mp4(path) -> None:
    """OSError unless the file at `path` is a whole MP4: top-level boxes that end where the file
    ends, among them ftyp, mdat and moov.

    ffmpeg's failures do not reach us (imageio does not look at its exit status): on a full disk
    it wrote half a file and the export succeeded; the file is checked before it replaces any.
    """
    size = os.path.getsize(path)
    found, offset = set(), 0

    def cut_short(detail: str) -> OSError:
        return OSError(f"the MP4 ffmpeg wrote is incomplete ({detail}); is the disk full?")

    with open(path, "rb") as file:
        while offset < size:
            file.seek(offset)
            header = file.read(16)
            if len(header) < 8:
                raise cut_short(f"a box header cut off at byte {offset:,}")
            length, kind = struct.unpack(">I4s", header[:8])
            if length == 1:  # a 64-bit length follows the type
                if len(header) < 16:
                    raise cut_short(f"a box header cut off at byte {offset:,}")
                length = struct.unpack(">Q", header[8:16])[0]
            elif length == 0:  # the box runs to the end of the file
                length = size - offset
            if length < 8 or offset + length > size:
                raise cut_short(f"a {kind.decode('latin-1')!r} box of {length:,} bytes at byte "
                                f"{offset:,} in a file of {size:,}")
            found.add(kind)
            offset += length
    missing = [kind.decode() for kind in REQUIRED_BOXES if kind not in found]
    if missing:
        raise cut_short(f"no {', '.join(missing)} box")


class Mp4Writer:
    """Streams frames to ffmpeg writing a temporary file; finish() renames it into place."""

    def __init__(self, path, fps: float, size):
        import imageio.v2 as imageio

        self.size = check_even(size)
        self._atomic = atomic_path(path)
        temp = self._temp = self._atomic.__enter__()
        try:
            self._writer = imageio.get_writer(
                str(temp), format="FFMPEG", mode="I", fps=check_fps(fps), codec="libx264",
                pixelformat="yuv420p", quality=7, macro_block_size=2, ffmpeg_log_level="error",
                output_params=["-preset", "veryfast"])
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise

    def add(self, rgb: np.ndarray) -> None:
        if rgb.shape[:2] != (self.size[1], self.size[0]):
            raise ExportError(f"frame of {rgb.shape[1]}x{rgb.shape[0]}, expected "
                              f"{self.size[0]}x{self.size[1]}")
        self._writer.append_data(rgb)

    def finish(self) -> None:
        self._writer.close()
        check_mp4(self._temp)
        self._atomic.__exit__(None, None, None)
        self._atomic = None

    def abort(self) -> None:
        if self._atomic is None:
            return
        with contextlib.suppress(Exception):
            self._writer.close()
        error = ExportError("export aborted")
        with contextlib.suppress(ExportError):
            self._atomic.__exit__(ExportError, error, None)
        self._atomic = None


def export_mp4(model, view, path, steps=None, fps: float = 30, size=(800, 600),
               frames: int | None = None, progress=None, cancel=None) -> None:
    """Animate `view` over steps a..b (inclusive) into an H.264 MP4 at `path`."""
    chosen = frame_steps(model, steps, frames)
    writer = Mp4Writer(path, fps, size)
    try:
        render_frames(model.timeline, view, chosen, size, writer, progress, cancel)
        writer.finish()
    finally:
        writer.abort()
