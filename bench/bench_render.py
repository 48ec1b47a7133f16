"""Drawing speed of the race, and time to the first painted frame.

- Frames per second while playing 6 optimizers on a 512×512 surface with the loss chart,
  the results table and the readout visible: the window offscreen, each frame sets the next
  step and repaints the whole window synchronously. The peer is the usual matplotlib
  animation of the same picture (FuncAnimation without blitting redraws the Agg canvas
  every frame): filled contours of the same 512×512 grid, contour lines, the 6 trails and
  heads, a loss chart beside it, at the same pixel size.
- Startup: from starting `python -c "<open the window>"` to the first paint of the 2-D view
  (median of a few fresh processes).
"""
from __future__ import annotations

import os
import statistics
import subprocess
import sys
import textwrap
import time

import numpy as np

from bench.common import make_row

WIDTH, HEIGHT = 1400, 860
RESOLUTION = 512
FPS_TARGET = 60.0
STARTUP_TARGET_S = 2.0


def _scene():
    from valley.core.scene import PALETTE, OptimizerSpec, default_scene

    scene = default_scene()
    scene.optimizers.append(OptimizerSpec(kind="adam", label="Adam lr 0.01", color=PALETTE[5],
                                          hyperparameters={"lr": 0.01}))
    scene.view.resolution = RESOLUTION
    scene.steps = 400
    return scene


def valley_fps(frames: int) -> float:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import Qt
    from PyQt6.QtWidgets import QApplication

    from valley.app.qt_setup import prepare_qt

    prepare_qt()  # as the app starts
    app = QApplication.instance() or QApplication([])
    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document

    session = Document(_scene()).race
    window = MainWindow(session.document, show_3d=False, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(WIDTH, HEIGHT)
    window.show()
    app.processEvents()
    painted = PaintCounter(window.landscape.viewport(), window.loss_chart.plot_widget.viewport(),
                           window.readout.label)
    start = time.perf_counter()
    for k in range(frames):
        session.timeline.set_step(1 + k % session.max_step)
        app.processEvents()  # as in the app: the step's setData calls queue one repaint
    elapsed = time.perf_counter() - start
    window.close()
    if min(painted.counts.values()) < frames:
        raise RuntimeError(f"not every frame was painted: {painted.counts} for {frames} frames")
    return frames / elapsed


class PaintCounter:
    """Counts paint events of a few widgets (proof that each frame really was drawn)."""

    def __init__(self, *widgets):
        from PyQt6.QtCore import QEvent, QObject

        counts = self.counts = {id(w): 0 for w in widgets}

        class Filter(QObject):
            def eventFilter(self, obj, event):
                if event.type() == QEvent.Type.Paint and id(obj) in counts:
                    counts[id(obj)] += 1
                return False

        self.filter = Filter()
        for w in widgets:
            w.installEventFilter(self.filter)


def matplotlib_fps(frames: int) -> float:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from valley.app.model.document import Document

    session = Document(_scene()).race
    (x0, x1), (y0, y1) = session.bounds
    x, y = np.linspace(x0, x1, RESOLUTION), np.linspace(y0, y1, RESOLUTION)
    Z = session.surface.evaluate(x[None, :], y[:, None])
    dpi = 100
    figure = Figure(figsize=(WIDTH / dpi, HEIGHT / dpi), dpi=dpi)
    canvas = FigureCanvasAgg(figure)
    ax, loss_ax = figure.add_subplot(1, 2, 1), figure.add_subplot(2, 2, 2)
    filled = ax.contourf(x, y, Z, levels=40, cmap="viridis")
    figure.colorbar(filled, ax=ax)
    ax.contour(x, y, Z, levels=14, colors="white", linewidths=0.6)
    trails, heads = [], []
    for spec, traj in zip(session.scene.optimizers, session.trajectories):
        trails.append(ax.plot([], [], color=spec.color, lw=2.5, label=spec.display_label())[0])
        heads.append(ax.plot([], [], "o", color=spec.color, ms=9, mec="black")[0])
        loss_ax.plot(traj.losses, color=spec.color)
    now = loss_ax.axvline(0, color="#ff5c8a", ls="--")
    ax.legend(loc="upper right")
    canvas.draw()
    start = time.perf_counter()
    for k in range(frames):
        t = 1 + k % session.max_step
        for trail, head, traj in zip(trails, heads, session.trajectories):
            j = min(t, len(traj.points) - 1)
            trail.set_data(traj.points[: j + 1, 0], traj.points[: j + 1, 1])
            head.set_data([traj.points[j, 0]], [traj.points[j, 1]])
        now.set_xdata([t, t])
        canvas.draw()  # what FuncAnimation(blit=False) does every frame
    return frames / (time.perf_counter() - start)


STARTUP_SCRIPT = textwrap.dedent("""
    import os, sys, time
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PyQt6.QtCore import QObject, QEvent, Qt
    from PyQt6.QtWidgets import QApplication
    from valley.app.qt_setup import prepare_qt
    prepare_qt()
    app = QApplication([])
    from valley.app.main_window import MainWindow
    from valley.app.model.document import Document

    class FirstPaint(QObject):
        def eventFilter(self, obj, event):
            if event.type() == QEvent.Type.Paint:
                print(time.time(), flush=True)
                os._exit(0)
            return False

    window = MainWindow(Document(), show_3d=False, remember=False)
    window.setAttribute(Qt.WidgetAttribute.WA_DontShowOnScreen)
    window.resize(1400, 860)
    watcher = FirstPaint()
    window.landscape.viewport().installEventFilter(watcher)
    window.show()
    app.exec()
""")


def startup_seconds(runs: int) -> list[float]:
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    times = []
    for _ in range(runs):
        start = time.time()
        out = subprocess.run([sys.executable, "-c", STARTUP_SCRIPT], env=env, capture_output=True,
                             text=True, timeout=60)
        if out.returncode != 0 or not out.stdout.strip():
            raise RuntimeError(f"startup run failed: {out.stderr.strip()[-300:]}")
        times.append(float(out.stdout.split()[0]) - start)
    return times


def run(quick: bool) -> list[dict]:
    frames = 120 if quick else 400
    runs = 1 if quick else 3
    valley = statistics.median(valley_fps(frames) for _ in range(runs))
    peer = statistics.median(matplotlib_fps(max(20, frames // 6)) for _ in range(runs))
    startups = startup_seconds(3 if quick else 5)
    return [
        make_row(f"play 6 optimizers on a {RESOLUTION}² surface, chart + readout, "
                 f"{WIDTH}×{HEIGHT} offscreen", valley, peer, unit="fps", runs=runs,
                 target=FPS_TARGET, higher_is_better=True,
                 note="peer: matplotlib Agg redraw per frame (FuncAnimation, no blit)"),
        make_row("start-up: process start to first painted frame", statistics.median(startups),
                 None, unit="s", runs=len(startups), target=STARTUP_TARGET_S,
                 note="fresh interpreter, default scene"),
    ]


if __name__ == "__main__":
    for row in run(quick="--quick" in sys.argv):
        print(row)
