"""The loss landscape of the network being trained, with its training path projected on the plane.

Draws a NetworkLandscapeModel's plane (the model computes it) and the head at step t; "Race on
this plane" asks the window to race the optimizers on the shown plane.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QRectF, QSignalBlocker, Qt, pyqtSignal
from PyQt6.QtGui import QFont, QFontMetricsF
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from valley.app.model.network_landscape import NetworkLandscapeModel
from valley.app.theme import style_plot

# The plane's axes (whole, short): θ₀ + α·d₁ + β·d₂
AXIS_NAMES = {"bottom": ("α (direction 1)", "α"), "left": ("β (direction 2)", "β")}


class NetworkLandscapeView(QWidget):
    # (surface, title, bounds, start): race the optimizers on the shown plane
    raceRequested = pyqtSignal(object, str, object, object)

    def __init__(self, model: NetworkLandscapeModel, parent=None, theme=None):
        super().__init__(parent)
        self.model = model
        self.session = model.playground
        self._picked_at: tuple[float, float] | None = None  # (α, β) of the last pick
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.choice = QComboBox(self)
        self.choice.addItem("Filter-normalized random plane", "random")
        self.choice.addItem("PCA plane of the training path", "pca")
        self.choice.currentIndexChanged.connect(lambda i: model.set_plane(self.choice.itemData(i)))
        bar.addWidget(self.choice, 1)
        # Its own line: in the page's narrow column the status would crowd out the controls.
        self.status = QLabel(self)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.race_button = QPushButton("Race on this plane", self)
        self.race_button.setToolTip("Race the optimizers on this slice of the network's loss, "
                                    "from where training started (the Landscape tab)")
        self.race_button.clicked.connect(lambda _=False: self.request_race())
        bar.addWidget(self.race_button)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        self.plot = pg.PlotWidget(self)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", AXIS_NAMES["bottom"][0])
        self.plot.setLabel("left", AXIS_NAMES["left"][0])
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.path = self.plot.plot(pen=pg.mkPen("#ffffff", width=2.5))
        self.head = pg.ScatterPlotItem(size=14, brush=pg.mkBrush("#ff5c8a"), pen=pg.mkPen("#000000", width=1.5))
        self.plot.addItem(self.head)
        # Where a click put the network: its weights are θ₀ + α·d₁ + β·d₂ until the step changes.
        self.picked = pg.ScatterPlotItem(size=16, symbol="+", brush=pg.mkBrush("#ffffff"),
                                         pen=pg.mkPen("#000000", width=1))
        self.plot.addItem(self.picked)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        self.plot.setToolTip("Click the plane: the network takes the weights of that point")
        layout.addWidget(self.plot, 1)
        self.plot.getPlotItem().getViewBox().sigResized.connect(self._fit_axis_names)
        if theme is not None:
            self.apply_theme(theme)
        model.resultChanged.connect(self._show)
        model.planeChanged.connect(self._sync_plane)
        model.busyChanged.connect(self._sync_status)
        model.failed.connect(self._sync_status)
        self.session.timeline.stepChanged.connect(self._move_head)
        self.session.probeChanged.connect(self._sync_status)
        self._sync_plane(model.plane)
        self._show()

    def apply_theme(self, theme) -> None:
        self.plot.setBackground(theme.background)
        style_plot(self.plot.getPlotItem(), theme, AXIS_NAMES["bottom"][0], AXIS_NAMES["left"][0])
        self._fit_axis_names()
        # The path is drawn over viridis (dark blue to yellow): white with a dark edge reads on all of it.
        self.path.setPen(pg.mkPen("#ffffff", width=theme.line_width))
        self.head.setSize(theme.head_size)
        self.head.setBrush(pg.mkBrush(theme.accent))
        self.picked.setSize(theme.head_size * 1.3)

    def _fit_axis_names(self, *_) -> None:
        """Each axis' whole name where it fits along the axis, else the letter alone: in a
        projector's short column "β (direction 2)" was cut to "β (direction"."""
        plot = self.plot.getPlotItem()
        for name, (whole, short) in AXIS_NAMES.items():
            axis = plot.getAxis(name)
            size = str(axis.labelStyle.get("font-size", "")).removesuffix("pt")
            font = QFont()
            if size.replace(".", "", 1).isdigit():
                font.setPointSizeF(float(size))
            length = axis.height() if name == "left" else axis.width()
            text = whole if QFontMetricsF(font).horizontalAdvance(whole) + 8 <= length else short
            if axis.labelText != text:
                axis.setLabel(text, **axis.labelStyle)

    def request_race(self) -> bool:
        """Emit raceRequested for the shown plane; False when no landscape is shown."""
        request = self.model.race_request()
        if request is None:
            return False
        self.raceRequested.emit(*request)
        return True

    def _sync_plane(self, plane: str) -> None:
        with QSignalBlocker(self.choice):
            self.choice.setCurrentIndex(self.choice.findData(plane))

    def _sync_status(self, *_) -> None:
        model, result = self.model, self.model.result
        if model.busy:
            text = f"computing {model.resolution}×{model.resolution}…"
        elif model.error:
            text = model.error
        elif result is None:
            text = "train first: the landscape follows the training path"
        else:
            text = f"log₁₀ loss, {result['resolution']}×{result['resolution']}"
            if result["explained"] is not None:
                share = float(np.sum(result["explained"][:2]))
                text += f" · the plane explains {share:.0%} of the path's variance"
        probe = self.session.probe
        shown = result is not None and probe is not None and self._picked_at is not None
        self.picked.setVisible(shown)
        if shown:
            alpha, beta = self._picked_at
            self.picked.setData(pos=[(alpha, beta)])
            data = self.session.data
            net = self.session.network.copy()
            net.set_params(probe)
            with np.errstate(all="ignore"):
                loss = net.loss(data.X_train, data.T_train)
            text = f"picked ({alpha:.2g}, {beta:.2g}): loss {loss:.4g}"
        self.status.setText(text)

    def _clicked(self, event) -> None:
        """A left click on the plane puts that point's weights into the network."""
        if event.button() != Qt.MouseButton.LeftButton or self.model.result is None:
            return
        point = self.plot.getPlotItem().vb.mapSceneToView(event.scenePos())
        alpha, beta = float(point.x()), float(point.y())
        if self.model.pick(alpha, beta):
            self._picked_at = (alpha, beta)
            self._sync_status()

    def _show(self) -> None:
        result = self.model.result
        self.race_button.setEnabled(result is not None)
        self._sync_status()
        for item in (self.image, self.path, self.head):
            item.setVisible(result is not None)
        if result is None:
            return
        Z = result["Z"]
        finite = Z[np.isfinite(Z)]
        shown = np.log10(np.maximum(Z, 1e-12)) if finite.size and finite.min() > 0 else Z
        e = result["extent"]
        self.image.setImage(np.nan_to_num(shown, nan=np.nanmax(shown) if finite.size else 0.0))
        self.image.setRect(QRectF(-e, -e, 2 * e, 2 * e))
        coords = result["coords"]
        self.path.setData(coords[:, 0], coords[:, 1])
        self._move_head(self.session.step)

    def _move_head(self, t: int) -> None:
        if self._picked_at is not None and self.session.probe is None:  # the step moved on
            self._picked_at = None
            self._sync_status()
        result = self.model.result
        if result is None:
            return
        coords = result["coords"]
        t = min(t, len(coords) - 1)
        self.head.setData(pos=coords[t:t + 1])
