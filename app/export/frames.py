"""Drive a view through a range of steps and hand each rendered frame to a writer.

Animations are "draw step t" repeated: the model's timeline moves, the view (subscribed to
it) redraws, the frame is rendered. The timeline's step is put back afterwards.
"""
from __future__ import annotations

from collections.abc import Callable

import numpy as np

from valley.app.export.atomic import ExportCancelled, ExportError
from valley.app.export.render import check_size, image_to_rgb, render_image

MAX_FRAMES = 10_000
MAX_FPS = 120


def check_fps(fps) -> float:
    if isinstance(fps, bool) or not isinstance(fps, (int, float)) or not 1 <= fps <= MAX_FPS:
        raise ExportError(f"fps must be a number from 1 to {MAX_FPS}, got {fps!r}")
    return float(fps)


def frame_steps(model, steps=None, frames: int | None = None) -> list[int]:
    """The steps to draw: every step from a to b inclusive, or `frames` of them evenly spread.

    `model` is the race or the playground, whose timeline the views follow; by default the
    range is the whole run, up to the last step it reached (runs may stop before `steps`).
    """
    last = int(model.steps)
    if steps is None:
        steps = (0, model.timeline.last)
    try:
        a, b = steps
    except (TypeError, ValueError):
        raise ExportError(f"steps must be two whole numbers A:B, got {steps!r}") from None
    if isinstance(a, bool) or isinstance(b, bool) or not all(isinstance(v, (int, np.integer))
                                                             for v in (a, b)):
        raise ExportError(f"steps must be two whole numbers A:B, got {steps!r}")
    if not 0 <= a <= b <= last:
        raise ExportError(f"steps {a}:{b} must satisfy 0 <= A <= B <= {last} (the scene's steps)")
    # Counted before any list is made: 10**9 frames must not allocate 10**9 of anything.
    count = b - a + 1 if frames is None else min(check_frames(frames), b - a + 1)
    if count > MAX_FRAMES:
        raise ExportError(f"{count} frames is too many (at most {MAX_FRAMES}); "
                          "ask for fewer frames or a shorter range")
    if count == b - a + 1:  # every step (more frames than steps draw each step once)
        return list(range(a, b + 1))
    return sorted({int(round(v)) for v in np.linspace(a, b, count)})


def check_frames(frames) -> int:
    """A frame count asked for: a whole number >= 1 (ExportError otherwise)."""
    if isinstance(frames, bool) or not isinstance(frames, (int, np.integer)) or frames < 1:
        raise ExportError(f"frames must be a whole number >= 1, got {frames!r}")
    return int(frames)


def render_frames(timeline, widget, steps: list[int], size, writer,
                  progress: Callable[[float], None] | None = None,
                  cancel: Callable[[], bool] | None = None) -> None:
    """Render each step with `widget` and `writer.add(rgb)`; restores the timeline's step."""
    size = check_size(size)
    original = timeline.step
    try:
        for done, t in enumerate(steps):
            if cancel is not None and cancel():
                raise ExportCancelled("export cancelled")
            timeline.set_step(t)
            writer.add(image_to_rgb(render_image(widget, size)))
            if progress is not None:
                progress((done + 1) / len(steps))
    finally:
        timeline.set_step(original)
