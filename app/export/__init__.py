"""Exports: PNG and SVG stills, GIF and MP4 animations, of the window or one view, headless.

    from valley.app.export import build_view, export_file
    view = build_view(document, "landscape")
    export_file(document.race, view, "race.gif", size=(800, 600), steps=(0, 200), fps=30)

Every file is written atomically (temporary file beside it, then rename); bad input raises
ExportError (a ValueError) that names what is wrong.
"""
from __future__ import annotations

from pathlib import Path

from valley.app.export.atomic import ExportCancelled, ExportError, atomic_path, check_writable
from valley.app.export.frames import check_fps, frame_steps
from valley.app.export.gif import GifWriter, export_gif
from valley.app.export.mp4 import Mp4Writer, check_even, export_mp4
from valley.app.export.png import export_png
from valley.app.export.render import (
    MAX_SIZE,
    VIEWS,
    build_view,
    check_size,
    gl_status,
    image_to_rgb,
    model_of,
    parse_size,
    render_image,
)
from valley.app.export.svg import export_svg

FORMATS = ("png", "svg", "gif", "mp4")
ANIMATED = ("gif", "mp4")

__all__ = ["ANIMATED", "FORMATS", "MAX_SIZE", "VIEWS", "ExportCancelled", "ExportError",
           "GifWriter", "Mp4Writer", "atomic_path", "build_view", "check_even", "check_fps",
           "check_size", "check_writable", "export_file", "export_gif", "export_mp4",
           "export_png", "export_svg", "format_of", "frame_steps", "gl_status", "image_to_rgb",
           "model_of", "parse_size", "render_image"]


def format_of(path) -> str:
    """'png' | 'svg' | 'gif' | 'mp4' from the file name; ExportError otherwise."""
    suffix = Path(path).suffix.lower().lstrip(".")
    if suffix not in FORMATS:
        shown = f".{suffix}" if suffix else "no extension"
        raise ExportError(f"cannot export to {str(path)!r}: unknown format ({shown}); "
                          f"use one of {', '.join('.' + f for f in FORMATS)}")
    return suffix


def export_file(model, view, path, size=(1280, 720), steps=None, fps: float = 30,
                frames: int | None = None, transparent: bool = False, progress=None,
                cancel=None) -> None:
    """Export `view` of `model` (the race or the playground) to `path` in the format its extension names.

    Stills show the last step of `steps` (default: the model's current step).
    """
    title = model.document.title
    kind = format_of(path)
    check_writable(path)
    size = check_size(size)
    if kind in ANIMATED:
        exporter = export_gif if kind == "gif" else export_mp4
        exporter(model, view, path, steps=steps, fps=fps, size=size, frames=frames,
                 progress=progress, cancel=cancel)
        return
    if cancel is not None and cancel():  # asked while the scene was computed: draw nothing
        raise ExportCancelled("export cancelled")
    timeline = model.timeline
    original = timeline.step
    if steps is not None:
        timeline.set_step(frame_steps(model, steps)[-1])
    try:
        if kind == "png":
            export_png(view, path, size, transparent, cancel=cancel)
        else:
            export_svg(view, path, size, title=title, cancel=cancel)
    finally:
        timeline.set_step(original)
    if progress is not None:
        progress(1.0)
