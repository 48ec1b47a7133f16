"""Animated GIF through Pillow, one shared palette so colours do not flicker between frames."""
from __future__ import annotations

import numpy as np
from PIL import Image

from app.export.atomic import ExportError, atomic_path
from app.export.frames import check_fps, frame_steps, render_frames
from app.export.render import check_size, image_to_rgb, render_image


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
            first, *rest = self.frames
            first.save(temp, format="GIF", save_all=True, append_images=rest, duration=duration,
                       loop=0, optimize=False, disposal=1)
        self.frames = []

    def abort(self) -> None:
        self.frames = []


def export_gif(session, view, path, steps=None, fps: float = 30, size=(800, 600),
               frames: int | None = None, progress=None, cancel=None) -> None:
    """Animate `view` over steps a..b (inclusive) into a looping GIF at `path`."""
    chosen = frame_steps(session, steps, frames)
    size = check_size(size)
    check_fps(fps)
    original = session.step
    session.set_step(chosen[-1])  # the last frame has every trail: its colours make the palette
    palette_frame = image_to_rgb(render_image(view, size))
    session.set_step(original)
    writer = GifWriter(path, fps, size, palette_frame)
    try:
        render_frames(session, view, chosen, size, writer, progress, cancel)
        writer.finish()
    finally:
        writer.abort()
