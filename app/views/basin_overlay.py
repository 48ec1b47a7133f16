"""Basin-map overlay: where one optimizer ends up from every start, painted over the 2-D view.

`BasinOverlay(session, landscape_view)` is a small control panel ("Basin map for:
<optimizer>", resolution, Compute / Cancel, a progress bar) that owns one ImageItem on
the landscape's plot. The map is computed by `core.basins.basin_map` in a
`BackgroundJob`, so the window keeps playing; it is cleared when the surface or the
bounds change.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, QSignalBlocker, Qt
from PyQt6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QProgressBar,
    QPushButton,
    QSlider,
    QVBoxLayout,
    QWidget,
)

from valley.app.model.jobs import BackgroundJob

RESOLUTIONS = (32, 64, 128, 256)
DEFAULT_RESOLUTION = 128
OVERLAY_Z = -7  # above the heatmap (-10), below contours (-5), trails and heads
DEFAULT_OPACITY = 0.55
# Categorical colours for attractors (Tableau 10: distinct, and none is the diverged grey).
ATTRACTOR_COLOURS = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948",
                     "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
DIVERGED_COLOUR = "#202020"
NOT_CONVERGED_COLOUR = "#FFFFFF"


def basin_rgba(label: np.ndarray, opacity: float = DEFAULT_OPACITY) -> np.ndarray:
    """(n, n) labels -> (n, n, 4) uint8: a colour per attractor, dark for diverged,
    faint white for still moving."""
    from valley.core.basins import DIVERGED, NOT_YET

    alpha = int(round(255 * opacity))
    rgba = np.zeros(label.shape + (4,), dtype=np.uint8)
    for k in np.unique(label):
        if k == DIVERGED:
            colour, a = DIVERGED_COLOUR, alpha
        elif k == NOT_YET:
            colour, a = NOT_CONVERGED_COLOUR, alpha // 3
        else:
            colour, a = ATTRACTOR_COLOURS[int(k) % len(ATTRACTOR_COLOURS)], alpha
        r, g, b, _ = pg.mkColor(colour).getRgb()
        rgba[label == k] = (r, g, b, a)
    return rgba


def describe(result) -> str:
    """Share of starts per outcome, largest first: "minimum (3, 2) 41% · diverged 12%"."""
    from valley.core.basins import DIVERGED, NOT_YET

    total = result.label.size
    parts = []
    for k, count in sorted(result.counts().items(), key=lambda kc: -kc[1]):
        if k == DIVERGED:
            name = "diverged"
        elif k == NOT_YET:
            name = "still moving"
        else:
            attractor = result.minima[k]
            x, y = attractor.point
            name = f"{attractor.kind} ({x:.3g}, {y:.3g})"
        parts.append(f"{name} {100.0 * count / total:.0f}%")
    return " · ".join(parts)


class BasinOverlay(QWidget):
    """Controls and overlay for the basin map of one chosen optimizer."""

    def __init__(self, session, landscape_view, parent: QWidget | None = None):
        super().__init__(parent)
        self.session = session
        self.landscape = landscape_view
        self.job: BackgroundJob | None = None
        self.result = None
        self._generation = 0  # bumps on every start/clear so a stale result is dropped

        plot = getattr(landscape_view, "plot", None) or landscape_view.getPlotItem()
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setZValue(OVERLAY_Z)
        self.image.setVisible(False)
        plot.addItem(self.image, ignoreBounds=True)

        self.optimizer = QComboBox()
        self.optimizer.setToolTip("the optimizer (with its current hyperparameters) to map")
        self.resolution = QComboBox()
        for n in RESOLUTIONS:
            self.resolution.addItem(f"{n} × {n}", n)
        self.resolution.setCurrentIndex(RESOLUTIONS.index(DEFAULT_RESOLUTION))
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(self.compute)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setEnabled(False)
        self.clear_button.clicked.connect(self.clear)
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.setValue(round(100 * DEFAULT_OPACITY))
        self.opacity.valueChanged.connect(self._redraw)
        self.status = QLabel("Colours each start by where the optimizer ends up.")
        self.status.setWordWrap(True)

        form = QFormLayout()
        form.addRow("Basin map for:", self.optimizer)
        form.addRow("Resolution:", self.resolution)
        form.addRow("Opacity:", self.opacity)
        buttons = QHBoxLayout()
        buttons.addWidget(self.compute_button)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.clear_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.progress)
        layout.addWidget(self.status)
        layout.addStretch(1)

        session.optimizersChanged.connect(self._sync_optimizers)
        session.selectionChanged.connect(self._follow_selection)
        session.sceneChanged.connect(self._surface_changed)
        self._sync_optimizers()

    # ----- mirroring the session -----
    def _sync_optimizers(self, *_) -> None:
        with QSignalBlocker(self.optimizer):
            current = self.optimizer.currentIndex()
            self.optimizer.clear()
            for spec in self.session.scene.optimizers:
                self.optimizer.addItem(spec.display_label())
            count = self.optimizer.count()
            keep = current if 0 <= current < count else self.session.selected
            self.optimizer.setCurrentIndex(min(max(keep, 0), count - 1))

    def _follow_selection(self, index: int) -> None:
        if self.job is None and 0 <= index < self.optimizer.count():
            with QSignalBlocker(self.optimizer):
                self.optimizer.setCurrentIndex(index)

    def _surface_changed(self) -> None:
        """A new surface or view makes the map meaningless: stop and clear."""
        if self.job is not None or self.result is not None:
            self.clear()
            self.status.setText("Surface or bounds changed: the basin map was cleared.")

    # ----- computing -----
    def compute(self, resolution: int | None = None) -> bool:
        """Start the basin map for the chosen optimizer in the background."""
        from valley.app.model.race import build_optimizer
        from valley.core.basins import basin_map

        index = self.optimizer.currentIndex()
        if not 0 <= index < len(self.session.scene.optimizers):
            return False
        self.cancel()
        spec = self.session.scene.optimizers[index]
        try:
            optimizer = build_optimizer(spec)
        except ValueError as error:
            self.status.setText(str(error))
            return False
        n = int(resolution or self.resolution.currentData())
        surface, bounds = self.session.surface, self.session.bounds
        steps, seed = self.session.scene.steps, self.session.scene.seed

        def work(progress, cancel):
            return basin_map(surface, optimizer, resolution=n, steps=steps, bounds=bounds,
                             progress=progress, cancel=cancel, rng=np.random.default_rng(seed))

        self._generation += 1
        generation = self._generation
        job = BackgroundJob(work, self)
        job.progress.connect(lambda f: self._on_progress(generation, f))
        job.finished.connect(lambda r: self._on_finished(generation, r, spec.display_label()))
        job.failed.connect(lambda message: self._on_failed(generation, message))
        job.cancelled.connect(lambda: self._on_cancelled(generation))
        self.job = job
        self.progress.setValue(0)
        self.status.setText(f"Computing the basin map of {spec.display_label()} "
                            f"({n} × {n} starts, {steps} steps)…")
        self._set_running(True)
        job.start()
        return True

    def cancel(self) -> None:
        if self.job is not None:
            self.job.cancel()

    def clear(self) -> None:
        self._generation += 1
        if self.job is not None:
            self.job.shutdown()
            self.job = None
        self.result = None
        self.image.setVisible(False)
        self.image.clear()
        self.progress.setValue(0)
        self._set_running(False)
        self.clear_button.setEnabled(False)
        self.status.setText("")

    def shutdown(self) -> None:
        """Stop any running job and wait for its thread (before the window closes)."""
        if self.job is not None:
            self.job.shutdown()

    def _set_running(self, running: bool) -> None:
        self.compute_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.resolution.setEnabled(not running)
        self.optimizer.setEnabled(not running)

    # ----- job reports (GUI thread) -----
    def _finish_job(self) -> None:
        if self.job is not None:
            self.job.wait()
            self.job.deleteLater()
            self.job = None
        self._set_running(False)

    def _on_progress(self, generation: int, fraction: float) -> None:
        if generation == self._generation:
            self.progress.setValue(round(1000 * fraction))

    def _on_finished(self, generation: int, result, label: str) -> None:
        if generation != self._generation:
            return
        self._finish_job()
        self.result = result
        self._redraw()
        self.clear_button.setEnabled(True)
        self.status.setText(f"{label}: {describe(result)}")

    def _on_failed(self, generation: int, message: str) -> None:
        if generation == self._generation:
            self._finish_job()
            self.status.setText(f"Basin map failed: {message}")

    def _on_cancelled(self, generation: int) -> None:
        if generation == self._generation:
            self._finish_job()
            self.progress.setValue(0)
            self.status.setText("Basin map cancelled.")

    def _redraw(self, *_) -> None:
        if self.result is None:
            return
        label = self.result.label
        x0, x1, y0, y1 = self.result.extent
        n = label.shape[0]
        dx, dy = (x1 - x0) / (n - 1), (y1 - y0) / (n - 1)
        self.image.setImage(basin_rgba(label, self.opacity.value() / 100.0), autoLevels=False,
                            levels=(0, 255))
        # pixel centres on the grid points, like the heatmap underneath
        self.image.setRect(QRectF(x0 - dx / 2, y0 - dy / 2, x1 - x0 + dx, y1 - y0 + dy))
        self.image.setVisible(True)
