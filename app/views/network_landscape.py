"""The loss landscape of the network being trained, with its training path projected on the plane.

Plane: a filter-normalized random plane through the final parameters (Li et al. 2018) or the
PCA plane of the training path. Computed by a BackgroundJob: coarse while playing, full when
paused; a newer request cancels the running one.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PyQt6.QtCore import QSignalBlocker, pyqtSignal
from PyQt6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from valley.app.model.jobs import BackgroundJob

COARSE, FULL = 25, 81
SPAN = 1.0  # the plane covers α, β in [−SPAN, SPAN] (random) or the path's extent (PCA)


def compute_landscape(network, X, T, path: np.ndarray, plane: str, resolution: int, seed: int = 0,
                      cancel=lambda: False) -> dict:
    """Loss on a grid over the plane, and the path's coordinates in it (no Qt: runs in a worker)."""
    from valley.core import landscape

    objective = network.objective(X, T)
    finite = np.isfinite(path).all(axis=1)
    if not finite.any():
        raise ValueError("the training path has no finite parameters to draw a landscape around")
    path = path[: int(np.flatnonzero(finite)[-1]) + 1]  # a diverged run: centre on its last finite step
    centre = path[-1]
    rng = np.random.default_rng(seed)
    net = network.copy()
    net.set_params(centre)
    explained = None
    if plane == "pca" and len(path) >= 3:
        d1, d2, explained = landscape.pca_directions(path)
    else:
        d1 = landscape.filter_normalized_direction(net, rng)
        d2 = landscape.filter_normalized_direction(net, rng)
    coords = np.asarray(landscape.project(path, centre, d1, d2), float)
    coords = coords[0] if isinstance(coords, tuple) else coords
    extent = max(SPAN, 1.2 * float(np.nanmax(np.abs(coords)))) if np.isfinite(coords).all() else SPAN
    alphas = np.linspace(-extent, extent, resolution)
    A, B = np.meshgrid(alphas, alphas)
    if cancel():
        return {}
    surface = landscape.Slice(objective, centre, d1, d2)
    Z = np.asarray(surface.evaluate(A, B), float)
    # The plane itself travels with the picture: "Race on this plane" slices the same one.
    return dict(Z=Z, extent=extent, coords=coords, resolution=resolution, explained=explained,
                objective=objective, centre=centre, d1=d1, d2=d2,
                plane="pca" if explained is not None else "random")


def plane_surface(result: dict, title: str = "Loss landscape"):
    """The Slice of compute_landscape's plane, bounded by its extent (a core Surface)."""
    from valley.core import landscape

    e = float(result["extent"])
    return landscape.Slice(result["objective"], result["centre"], result["d1"], result["d2"],
                           bounds=((-e, e), (-e, e)), title=title)


def race_start(result: dict) -> tuple[float, float]:
    """Where training started, projected on the plane; the centre (0, 0) if that is not finite."""
    first = np.asarray(result["coords"][0], float)
    return (float(first[0]), float(first[1])) if np.isfinite(first).all() else (0.0, 0.0)


class NetworkLandscapeView(QWidget):
    # (surface, title, bounds, start): race the optimizers on the shown plane
    raceRequested = pyqtSignal(object, str, object, object)

    def __init__(self, session, parent=None, theme=None):
        super().__init__(parent)
        self.session = session
        self.plane = "random"
        self.job = None
        self._old_jobs = []  # cancelled jobs whose threads may still be running
        self.result = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        bar = QHBoxLayout()
        self.choice = QComboBox(self)
        self.choice.addItem("Filter-normalized random plane", "random")
        self.choice.addItem("PCA plane of the training path", "pca")
        self.choice.currentIndexChanged.connect(lambda i: self.set_plane(self.choice.itemData(i)))
        bar.addWidget(self.choice, 1)
        # Its own line: in the page's narrow column the status would crowd out the controls.
        self.status = QLabel(self)
        self.status.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.race_button = QPushButton("Race on this plane", self)
        self.race_button.setToolTip("Race the optimizers on this slice of the network's loss, "
                                    "from where training started (the Landscape tab)")
        self.race_button.setEnabled(False)
        self.race_button.clicked.connect(lambda _=False: self.request_race())
        bar.addWidget(self.race_button)
        layout.addLayout(bar)
        layout.addWidget(self.status)
        self.plot = pg.PlotWidget(self)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setLabel("bottom", "α (direction 1)")
        self.plot.setLabel("left", "β (direction 2)")
        self.image = pg.ImageItem(axisOrder="row-major")
        self.image.setColorMap(pg.colormap.get("viridis"))
        self.plot.addItem(self.image)
        self.path = self.plot.plot(pen=pg.mkPen("#ffffff", width=2.5))
        self.head = pg.ScatterPlotItem(size=14, brush=pg.mkBrush("#ff5c8a"), pen=pg.mkPen("#000000", width=1.5))
        self.plot.addItem(self.head)
        layout.addWidget(self.plot, 1)
        if theme is not None:
            self.apply_theme(theme)
        session.resultsChanged.connect(self.recompute)
        session.networkChanged.connect(self.recompute)
        session.timeline.stepChanged.connect(self._move_head)
        session.timeline.playingChanged.connect(lambda playing: None if playing else self.recompute())
        self.recompute()

    def apply_theme(self, theme) -> None:
        from valley.app.theme import style_plot

        self.plot.setBackground(theme.background)
        style_plot(self.plot.getPlotItem(), theme, "α (direction 1)", "β (direction 2)")
        # The path is drawn over viridis (dark blue to yellow): white with a dark edge reads on all of it.
        self.path.setPen(pg.mkPen("#ffffff", width=theme.line_width))
        self.head.setSize(theme.head_size)
        self.head.setBrush(pg.mkBrush(theme.accent))

    def set_plane(self, plane: str) -> None:
        if plane != self.plane:
            self.plane = plane
            with QSignalBlocker(self.choice):
                self.choice.setCurrentIndex(self.choice.findData(plane))
            self.recompute()

    def recompute(self, *_) -> None:
        self._retire_job()
        history = self.session.history
        if history is None or len(history.params) < 2:
            self.status.setText("train first: the landscape follows the training path")
            self.race_button.setEnabled(False)
            return
        playing = self.session.timeline.playing
        resolution = COARSE if playing else FULL
        net = self.session.network.copy()
        data = self.session.data
        path = np.asarray(history.params, float)
        plane, seed = self.plane, self.session.seed
        job = BackgroundJob(lambda progress, cancel: compute_landscape(
            net, data.X_train, data.T_train, path, plane, resolution, seed, cancel), self)
        job.finished.connect(self._show)
        job.failed.connect(lambda message: self.status.setText(message))
        self.job = job
        self.status.setText(f"computing {resolution}×{resolution}…")
        job.start()

    def _retire_job(self) -> None:
        """Cancel the current job and free the finished ones.

        A job (a child of this view) holds its function's closure — the training path, i.e.
        the history's parameters — until it is deleted: without this every retrain leaked one.
        """
        if self.job is not None:
            self.job.cancel()
            self._old_jobs.append(self.job)
            self.job = None
        still_running = []
        for job in self._old_jobs:
            if job.is_running():
                still_running.append(job)
            else:
                job.wait()
                job.deleteLater()  # Qt deletes it (and so its closure) from the event loop
        self._old_jobs = still_running

    def race_title(self, result: dict) -> str:
        """E.g. "Loss of the 2-4-4-1 network on circles (PCA plane)"."""
        session = self.session
        sizes = "-".join(str(n) for n in session.sizes)
        dataset = session.spec.example or session.spec.dataset
        plane = "PCA plane" if result.get("plane") == "pca" else "random plane"
        return f"Loss of the {sizes} network on {dataset} ({plane})"

    def request_race(self) -> bool:
        """Emit raceRequested for the shown plane; False when no landscape is shown."""
        if self.result is None or not self.race_button.isEnabled():
            return False
        title = self.race_title(self.result)
        surface = plane_surface(self.result, title)
        self.raceRequested.emit(surface, title, surface.bounds, race_start(self.result))
        return True

    def _show(self, result: dict) -> None:
        if not result:
            return
        self.result = result
        self.race_button.setEnabled(True)
        Z = result["Z"]
        finite = Z[np.isfinite(Z)]
        shown = np.log10(np.maximum(Z, 1e-12)) if finite.size and finite.min() > 0 else Z
        e = result["extent"]
        self.image.setImage(np.nan_to_num(shown, nan=np.nanmax(shown) if finite.size else 0.0))
        self.image.setRect(pg.QtCore.QRectF(-e, -e, 2 * e, 2 * e))
        coords = result["coords"]
        self.path.setData(coords[:, 0], coords[:, 1])
        text = f"log₁₀ loss, {result['resolution']}×{result['resolution']}"
        if result.get("explained") is not None:
            share = float(np.sum(result["explained"][:2]))
            text += f" · the plane explains {share:.0%} of the path's variance"
        self.status.setText(text)
        self._move_head(self.session.step)

    def _move_head(self, t: int) -> None:
        if self.result is None:
            return
        coords = self.result["coords"]
        t = min(t, len(coords) - 1)
        self.head.setData(pos=coords[t:t + 1])

    def shutdown(self) -> None:
        for job in self._old_jobs + ([self.job] if self.job is not None else []):
            job.shutdown()
