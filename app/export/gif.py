"""Animated GIF through Pillow, one shared palette so colours do not flicker between frames.

Pillow's `save(save_all=True)` merges identical neighbouring frames into one longer frame, so
an animation whose racers have all stopped would hold fewer frames than asked. The frames are
written instead through Pillow's documented frame-level API (`GifImagePlugin.getheader` for
the header and shared palette, `getdata` for each frame): every asked step becomes exactly
one frame. Like Pillow, a frame stores only the rectangle that changed since the one before
(an unchanged frame stores one unchanged pixel); with disposal 1 ("leave in place") every
decoded frame is the whole picture.
"""
from __future__ import annotations

import contextlib

import numpy as np
from PIL import GifImagePlugin, Image

from valley.app.export.atomic import ExportError, atomic_path
from valley.app.export.frames import check_fps, frame_steps, render_frames
from valley.app.export.render import check_size, image_to_rgb, render_image


class GifWriter:
    """Streams frames into a temporary GIF as they come; finish() renames it into place.

    Each frame is quantized to the shared palette and written at once, so memory stays flat in
    the number of frames (a whole 4K run held in memory took gigabytes).
    """

    def __init__(self, path, fps: float, size, palette_frame: np.ndarray | None = None):
        self.path, self.fps, self.size = path, check_fps(fps), check_size(size)
        self.duration = max(20, int(round(1000 / self.fps)))  # browsers treat < 20 ms as 100 ms
        self.palette = None if palette_frame is None else self._palette(palette_frame)
        self.count = 0
        self._previous: np.ndarray | None = None  # the last frame's palette indices
        self._atomic = atomic_path(path)
        self._file = open(self._atomic.__enter__(), "wb")  # noqa: SIM115 (closed by finish/abort)

    @staticmethod
    def _palette(rgb: np.ndarray) -> Image.Image:
        return Image.fromarray(rgb).quantize(colors=256, method=Image.Quantize.FASTOCTREE,
                                             dither=Image.Dither.NONE)

    def add(self, rgb: np.ndarray) -> None:
        if rgb.shape[:2] != (self.size[1], self.size[0]):
            raise ExportError(f"frame of {rgb.shape[1]}x{rgb.shape[0]}, expected "
                              f"{self.size[0]}x{self.size[1]}")
        if self.palette is None:  # the first frame decides the colours
            self.palette = self._palette(rgb)
        frame = Image.fromarray(rgb).quantize(palette=self.palette, dither=Image.Dither.NONE)
        if self._previous is None:
            header, _ = GifImagePlugin.getheader(frame, info={"loop": 0, "duration": self.duration,
                                                              "optimize": False})
            self._file.writelines(header)
        self._previous = write_frame(self._file, frame, self._previous, self.duration)
        self._file.flush()
        self.count += 1

    def finish(self) -> None:
        if self.count == 0:
            self.abort()
            raise ExportError("no frames to write")
        self._file.write(b";")  # the GIF trailer
        self._file.close()
        self._atomic.__exit__(None, None, None)
        self._atomic = None

    def abort(self) -> None:
        """Stop without writing: the temporary file goes, an older file at the path stays."""
        if self._atomic is None:
            return
        self._file.close()
        error = ExportError("export aborted")
        with contextlib.suppress(ExportError):
            self._atomic.__exit__(ExportError, error, None)
        self._atomic = None


def changed_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) around the pixels that differ; one pixel if none do."""
    rows = np.flatnonzero((before != after).any(axis=1))
    if rows.size == 0:
        return 0, 0, 1, 1
    columns = np.flatnonzero((before[rows[0]:rows[-1] + 1] != after[rows[0]:rows[-1] + 1]).any(axis=0))
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def write_frame(file, frame: Image.Image, previous: np.ndarray | None, duration: int) -> np.ndarray:
    """Write one palette frame, only the rectangle that changed since `previous`; its indices."""
    indices = np.asarray(frame)
    box = (0, 0, frame.width, frame.height) if previous is None else changed_box(previous, indices)
    piece = frame if box == (0, 0, frame.width, frame.height) else frame.crop(box)
    file.writelines(GifImagePlugin.getdata(piece, offset=box[:2], duration=duration, disposal=1))
    return indices


def export_gif(model, view, path, steps=None, fps: float = 30, size=(800, 600),
               frames: int | None = None, progress=None, cancel=None) -> None:
    """Animate `view` over steps a..b (inclusive) into a looping GIF at `path`."""
    chosen = frame_steps(model, steps, frames)
    size = check_size(size)
    check_fps(fps)
    original = model.timeline.step
    model.timeline.set_step(chosen[-1])  # the last frame has every trail: its colours make the palette
    palette_frame = image_to_rgb(render_image(view, size))
    model.timeline.set_step(original)
    writer = GifWriter(path, fps, size, palette_frame)
    try:
        render_frames(model.timeline, view, chosen, size, writer, progress, cancel)
        writer.finish()
    finally:
        writer.abort()
