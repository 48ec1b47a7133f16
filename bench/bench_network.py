"""The playground's frame rate: a 2-8-8-1 network (and a 2-16-16-1 one with batch norm and
dropout, issue 12's case) trains on 500 points while the diagram (edges, rings, bias squares,
20×20 thumbnails per neuron) and the 100×100 decision heatmap with its boundary redraw every
step. Target: at least 30 frames per second.

A frame = one training step (the whole run's training time is spread over its frames) +
moving the session to that step + every view recomputing and repainting synchronously.
"""
from __future__ import annotations

import os
import time

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import numpy as np  # noqa: E402

from bench.common import make_row  # noqa: E402

TARGET_FPS = 30.0


def _frames_per_second(frames: int, hidden=(8, 8), **options) -> tuple[float, float]:
    """(frames per second of wall-clock time, frames per second of this process's CPU time).

    The second counts only the work done for the frames (all threads), so it stays comparable
    when other processes share the cores; the first is what a viewer sees.
    """
    from PyQt6.QtWidgets import QApplication

    from valley.app.model.document import Document
    from valley.app.qt_setup import prepare_qt
    from valley.app.views.decision_view import DecisionView
    from valley.app.views.network_diagram import NetworkDiagram
    from valley.core.scene import NetworkSpec, OptimizerSpec, Scene

    prepare_qt()  # as the app starts: Qt's thread pool, glibc's memory
    app = QApplication.instance() or QApplication([])
    spec = NetworkSpec(hidden=list(hidden), dataset="circles", samples=715, train_fraction=0.7,
                       optimizer=OptimizerSpec(kind="adam", hyperparameters={"lr": 0.03}), **options)
    start, cpu_start = time.perf_counter(), time.process_time()
    session = Document(Scene(kind="network", network=spec, steps=frames), background=False).playground
    assert len(session.data.X_train) == 500 and session.sizes == [2, *hidden, 1]
    diagram = NetworkDiagram(session)
    decision = DecisionView(session)
    for widget in (diagram, decision):
        widget.resize(800, 600)
        widget.show()
    diagram.set_playing(True)  # as the page does while its Player runs
    app.processEvents()
    for t in range(1, frames + 1):
        session.timeline.set_step(t)  # the views recompute on stepChanged
        diagram.viewport().repaint()
        decision.viewport().repaint()  # the plot's scene (heatmap, points) is drawn on its viewport
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu_start
    for widget in (diagram, decision):
        widget.close()
        widget.deleteLater()
    app.processEvents()
    return frames / elapsed, frames / cpu


def run(quick: bool) -> list[dict]:
    frames = 120 if quick else 400
    runs = 3 if quick else 5
    rows = []
    for title, hidden, options in (("2-8-8-1", (8, 8), {}),
                                   ("2-16-16-1 with batch norm and dropout 0.2", (16, 16),
                                    {"batch_norm": True, "dropout": 0.2})):
        measured = [_frames_per_second(frames, hidden, **options) for _ in range(runs)]
        fps = float(np.median([wall for wall, _ in measured]))
        cpu_fps = float(np.median([cpu for _, cpu in measured]))
        rows.append(make_row(f"playground: train {title} on 500 points + diagram, thumbnails, 100×100 heatmap",
                             fps, None, unit="frames/s", runs=runs, target=TARGET_FPS, higher_is_better=True,
                             note=f"{frames} frames per run, training time included; "
                                  "diagram antialiasing off while playing, the heatmap and thumbnails "
                                  "in float32, as in the app; "
                                  f"{cpu_fps:.1f} frames per CPU-second (all threads: the rate on "
                                  "otherwise idle cores)"))
    return rows


if __name__ == "__main__":
    from bench.common import print_table

    print_table(run(quick=True))
