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


def _frames_per_second(frames: int, hidden=(8, 8), **options) -> float:
    from PyQt6.QtWidgets import QApplication

    from valley.app.model.document import Document
    from valley.app.views.decision_view import DecisionView
    from valley.app.views.network_diagram import NetworkDiagram
    from valley.core.scene import NetworkSpec, OptimizerSpec, Scene

    app = QApplication.instance() or QApplication([])
    spec = NetworkSpec(hidden=list(hidden), dataset="circles", samples=715, train_fraction=0.7,
                       optimizer=OptimizerSpec(kind="adam", hyperparameters={"lr": 0.03}), **options)
    start = time.perf_counter()
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
        decision.repaint()
    elapsed = time.perf_counter() - start
    for widget in (diagram, decision):
        widget.close()
        widget.deleteLater()
    app.processEvents()
    return frames / elapsed


def run(quick: bool) -> list[dict]:
    frames = 120 if quick else 400
    runs = 3 if quick else 5
    rows = []
    for title, hidden, options in (("2-8-8-1", (8, 8), {}),
                                   ("2-16-16-1 with batch norm and dropout 0.2", (16, 16),
                                    {"batch_norm": True, "dropout": 0.2})):
        fps = float(np.median([_frames_per_second(frames, hidden, **options) for _ in range(runs)]))
        rows.append(make_row(f"playground: train {title} on 500 points + diagram, thumbnails, 100×100 heatmap",
                             fps, None, unit="frames/s", runs=runs, target=TARGET_FPS, higher_is_better=True,
                             note=f"{frames} frames per run, training time included; "
                                  "diagram antialiasing off while playing, as in the app"))
    return rows


if __name__ == "__main__":
    from bench.common import print_table

    print_table(run(quick=True))
