"""The Basins panel: which optimizer to map, at what resolution and opacity; Compute, Cancel, Clear.

It edits and drives a BasinModel; the 2-D view draws the model's map.
"""
from __future__ import annotations

from PyQt6.QtCore import QSignalBlocker, Qt
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

from valley.app.model.basins import RESOLUTIONS, BasinModel


class BasinPanel(QWidget):
    """Controls for the basin map of one chosen optimizer."""

    def __init__(self, basins: BasinModel, parent: QWidget | None = None):
        super().__init__(parent)
        self.basins = basins
        race = basins.race

        self.optimizer = QComboBox()
        self.optimizer.setToolTip("the optimizer (with its current hyperparameters) to map")
        self.optimizer.currentIndexChanged.connect(self._choose_optimizer)
        self.resolution = QComboBox()
        for n in RESOLUTIONS:
            self.resolution.addItem(f"{n} × {n}", n)
        self.resolution.currentIndexChanged.connect(
            lambda i: basins.set_resolution(self.resolution.itemData(i)))
        self.compute_button = QPushButton("Compute")
        self.compute_button.clicked.connect(lambda _=False: self.compute())
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.clicked.connect(lambda _=False: basins.cancel())
        self.clear_button = QPushButton("Clear")
        self.clear_button.clicked.connect(lambda _=False: self._clear())
        self.progress = QProgressBar()
        self.progress.setRange(0, 1000)
        self.progress.setTextVisible(False)
        self.opacity = QSlider(Qt.Orientation.Horizontal)
        self.opacity.setRange(10, 100)
        self.opacity.valueChanged.connect(lambda v: basins.set_opacity(v / 100.0))
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

        race.optimizersChanged.connect(self._sync_optimizers)
        race.selectionChanged.connect(self._follow_selection)
        basins.settingsChanged.connect(self._sync_settings)
        basins.busyChanged.connect(self._sync_buttons)
        basins.progress.connect(lambda f: self.progress.setValue(round(1000 * f)))
        basins.resultChanged.connect(self._result_changed)
        basins.failed.connect(lambda message: self.status.setText(f"Basin map failed: {message}"))
        basins.cancelled.connect(self._cancelled)
        basins.cleared.connect(
            lambda: self.status.setText("Surface, bounds or optimizer changed: the basin map was cleared."))
        self._sync_optimizers()
        self._sync_buttons()

    def compute(self) -> bool:
        """Compute the map of the optimizer shown in the box."""
        basins = self.basins
        if not basins.compute():
            return False
        self.progress.setValue(0)
        n = basins.resolution
        self.status.setText(f"Computing the basin map of {self.optimizer.currentText()} "
                            f"({n} × {n} starts, {basins.run_steps} steps)…")
        return True

    # ----- mirroring the model -----
    def _choose_optimizer(self, index: int) -> None:
        if index >= 0:
            self.basins.set_optimizer(index)

    def _sync_optimizers(self, *_) -> None:
        with QSignalBlocker(self.optimizer):
            self.optimizer.clear()
            for spec in self.basins.race.scene.optimizers:
                self.optimizer.addItem(spec.display_label())
        self._sync_settings()

    def _sync_settings(self) -> None:
        basins = self.basins
        with QSignalBlocker(self.optimizer):
            self.optimizer.setCurrentIndex(basins.index)
        with QSignalBlocker(self.resolution):
            found = self.resolution.findData(basins.resolution)
            if found < 0:  # a resolution set elsewhere (a scene, a script) is shown too
                self.resolution.addItem(f"{basins.resolution} × {basins.resolution}", basins.resolution)
                found = self.resolution.count() - 1
            self.resolution.setCurrentIndex(found)
        with QSignalBlocker(self.opacity):
            self.opacity.setValue(round(100 * basins.opacity))

    def _follow_selection(self, index: int) -> None:
        """The racer selected elsewhere is the one mapped next, unless a map is being computed."""
        if not self.basins.busy and 0 <= index < self.optimizer.count():
            self.basins.set_optimizer(index)

    def _sync_buttons(self, *_) -> None:
        running = self.basins.busy
        self.compute_button.setEnabled(not running)
        self.cancel_button.setEnabled(running)
        self.resolution.setEnabled(not running)
        self.optimizer.setEnabled(not running)
        self.clear_button.setEnabled(not running and self.basins.result is not None)

    def _result_changed(self) -> None:
        self._sync_buttons()
        basins = self.basins
        if basins.result is not None:
            self.progress.setValue(self.progress.maximum())
            self.status.setText(f"{basins.label}: {basins.describe()}")
        else:
            self.progress.setValue(0)

    def _cancelled(self) -> None:
        self.progress.setValue(0)
        self.status.setText("Basin map cancelled.")

    def _clear(self) -> None:
        self.basins.clear()
        self.status.setText("")
