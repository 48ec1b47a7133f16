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

import numpy as np
from PIL import GifImagePlugin, Image

from valley.app.export.atomic import ExportError, atomic_path
from valley.app.export.frames import check_fps, frame_steps, render_frames
from valley.app.export.render import check_size, image_to_rgb, render_image


class GifWriter:
    """Collects frames (quantized at once to 1 byte per pixel) and writes them on finish()."""

    def __init__(self, path, fps: float, size, palette_frame: np.ndarray | None = None):
        self.path, self.fps, self.size = path, check_fps(fps), check_size(size)
        self.frames: list[Image.Image] = []
        self.palette = None if palette_frame is None else self._palette(palette_frame)

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
        self.frames.append(Image.fromarray(rgb).quantize(palette=self.palette,
                                                         dither=Image.Dither.NONE))

    def finish(self) -> None:
        if not self.frames:
            raise ExportError("no frames to write")
        duration = max(20, int(round(1000 / self.fps)))  # browsers treat < 20 ms as 100 ms
        with atomic_path(self.path) as temp:
            with open(temp, "wb") as file:
                write_gif(file, self.frames, duration)
        self.frames = []

    def abort(self) -> None:
        self.frames = []


def changed_box(before: np.ndarray, after: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom) around the pixels that differ; one pixel if none do."""
    rows = np.flatnonzero((before != after).any(axis=1))
    if rows.size == 0:
        return 0, 0, 1, 1
    columns = np.flatnonzero((before[rows[0]:rows[-1] + 1] != after[rows[0]:rows[-1] + 1]).any(axis=0))
    return int(columns[0]), int(rows[0]), int(columns[-1]) + 1, int(rows[-1]) + 1


def write_gif(file, frames: list[Image.Image], duration: int) -> None:
    """Write palette images (all with the same palette) as a looping GIF, one frame each."""
    options = {"loop": 0, "duration": duration, "optimize": False}
    header, _ = GifImagePlugin.getheader(frames[0], info=dict(options))
    file.writelines(header)
    previous = None
    for frame in frames:
        indices = np.asarray(frame)
        if previous is None:
            box = (0, 0, frame.width, frame.height)
        else:
            box = changed_box(previous, indices)
        piece = frame if box == (0, 0, frame.width, frame.height) else frame.crop(box)
        file.writelines(GifImagePlugin.getdata(piece, offset=box[:2], duration=duration,
                                               disposal=1))
        previous = indices
    file.write(b";")  # the GIF trailer


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
