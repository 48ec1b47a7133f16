"""Export speed: a 200-frame 1280×720 GIF and MP4 of a lecture preset, and a 3840×2160 PNG.

Valley drives its 2-D view offscreen frame by frame (set the step, render, encode). The peer
is what one would write instead: matplotlib's FuncAnimation of the same picture (filled
contours of the surface, the racers' trails and heads), saved with PillowWriter (GIF) or
FFMpegWriter (MP4, the same ffmpeg that imageio-ffmpeg ships), and savefig for the PNG.
Targets from the issue: GIF under 10 s, MP4 under 6 s, 4K PNG under 1 s.
"""
from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bench.common import make_row

PRESET = "rosenbrock"
SIZE = (1280, 720)
FRAMES, QUICK_FRAMES = 200, 50
TARGETS = {"gif": 10.0, "mp4": 6.0, "png": 1.0}


def _session():
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtWidgets import QApplication

    from valley.app.qt_setup import prepare_qt

    prepare_qt()  # as the app starts
    app = QApplication.instance() or QApplication(["bench"])
    from valley.app.export_cli import resolve_scene
    from valley.app.model.document import Document
    from valley.core.scene_io import load_scene

    return app, Document(load_scene(resolve_scene(PRESET))).race


def _valley_seconds(session, kind: str, frames: int, folder: Path) -> float:
    from valley.app.export import build_view, export_file

    view = build_view(session.document, "landscape")
    size = (3840, 2160) if kind == "png" else SIZE
    started = time.perf_counter()
    export_file(session, view, folder / f"valley.{kind}", size=size, steps=(0, frames - 1), fps=30)
    seconds = time.perf_counter() - started
    view.close()
    return seconds


def _peer_seconds(session, kind: str, frames: int, folder: Path) -> float | None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import imageio_ffmpeg
        import matplotlib.pyplot as plt
        from matplotlib import animation
    except ImportError:
        return None
    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()
    size = (3840, 2160) if kind == "png" else SIZE
    started = time.perf_counter()
    dpi = 100
    fig, ax = plt.subplots(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi)
    (x0, x1), (y0, y1) = session.bounds
    X, Y = np.meshgrid(np.linspace(x0, x1, 256), np.linspace(y0, y1, 256))
    Z = np.log1p(session.surface.evaluate(X, Y) - np.nanmin(session.surface.evaluate(X, Y)))
    ax.contourf(X, Y, Z, levels=30)
    ax.contour(X, Y, Z, levels=30, colors="white", linewidths=0.4)
    lines = [ax.plot([], [], color=s.color, lw=2)[0] for s in session.scene.optimizers]
    heads = [ax.plot([], [], "o", color=s.color, ms=8)[0] for s in session.scene.optimizers]
    ax.set_xlim(x0, x1)
    ax.set_ylim(y0, y1)

    def draw(t):
        for i, (line, head) in enumerate(zip(lines, heads)):
            trail = session.trail(i, t)
            line.set_data(trail[:, 0], trail[:, 1])
            head.set_data([trail[-1, 0]], [trail[-1, 1]])
        return lines + heads

    if kind == "png":
        draw(frames - 1)
        fig.savefig(folder / "peer.png", dpi=dpi)
    else:
        movie = animation.FuncAnimation(fig, draw, frames=range(frames), blit=False)
        writer = (animation.PillowWriter(fps=30) if kind == "gif"
                  else animation.FFMpegWriter(fps=30, codec="libx264"))
        movie.save(folder / f"peer.{kind}", writer=writer, dpi=dpi)
    plt.close(fig)
    return time.perf_counter() - started


def run(quick: bool) -> list[dict]:
    frames = QUICK_FRAMES if quick else FRAMES
    _app, session = _session()
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        folder = Path(folder)
        for kind, what in (("gif", f"GIF {frames} frames {SIZE[0]}x{SIZE[1]}"),
                           ("mp4", f"MP4 {frames} frames {SIZE[0]}x{SIZE[1]}"),
                           ("png", "PNG 3840x2160")):
            valley = _valley_seconds(session, kind, frames, folder)
            peer = _peer_seconds(session, kind, frames, folder)
            # the targets are for 200 frames: scale them for the quick run
            target = TARGETS[kind] * (frames / FRAMES if kind != "png" else 1.0)
            rows.append(make_row(f"export {what} ({PRESET} preset)", valley, peer, unit="s",
                                 runs=1, target=target,
                                 note="peer: matplotlib FuncAnimation/savefig of the same picture"))
    return rows


if __name__ == "__main__":
    from bench.common import print_table

    print_table(run(quick=True))
