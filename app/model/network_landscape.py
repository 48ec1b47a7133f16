"""The loss landscape of the network being trained: a plane through its final parameters.

Plane: a filter-normalized random plane through the final parameters (Li et al. 2018) or the
PCA plane of the training path. `NetworkLandscapeModel(playground)` computes it in a
BackgroundJob whenever training gives a new path — coarse while the playground plays, full
when it pauses; a newer request cancels the running one — and holds the result, which the
view draws and "Race on this plane" slices.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.jobs import JobSlot
from valley.core import landscape
from valley.core.scene import NETWORK_PLANES

COARSE, FULL = 25, 81
SPAN = 1.0  # the plane covers α, β in [−SPAN, SPAN] (random) or the path's extent (PCA)
PLANES = NETWORK_PLANES


def compute_landscape(network, X, T, path: np.ndarray, plane: str, resolution: int, seed: int = 0,
                      cancel=lambda: False) -> dict:
    """Loss on a grid over the plane, and the path's coordinates in it (no Qt: runs in a worker)."""
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
    e = float(result["extent"])
    return landscape.Slice(result["objective"], result["centre"], result["d1"], result["d2"],
                           bounds=((-e, e), (-e, e)), title=title)


def race_start(result: dict) -> tuple[float, float]:
    """Where training started, projected on the plane; the centre (0, 0) if that is not finite."""
    first = np.asarray(result["coords"][0], float)
    return (float(first[0]), float(first[1])) if np.isfinite(first).all() else (0.0, 0.0)


class NetworkLandscapeModel(QObject):
    """The plane of the playground's network and its training path; recomputed as training changes."""

    resultChanged = pyqtSignal()  # a new plane, or none (self.result is None: train first)
    busyChanged = pyqtSignal(bool)
    planeChanged = pyqtSignal(str)
    failed = pyqtSignal(str)

    def __init__(self, playground, parent: QObject | None = None):
        super().__init__(parent)
        self.playground = playground
        self.plane = "random"
        self.result: dict | None = None
        self.resolution = FULL  # of the plane being computed, or of the last one asked for
        self.error = ""  # why the last plane could not be computed
        # A job holds its function's closure (the training path) until it is freed: the slot
        # frees each once its thread has ended, so retraining leaks none.
        self.jobs = JobSlot(self)
        self.jobs.busyChanged.connect(self.busyChanged)
        playground.resultsChanged.connect(self.compute)
        playground.networkChanged.connect(self.compute)
        playground.timeline.playingChanged.connect(lambda playing: None if playing else self.compute())
        self.compute()

    @property
    def trained(self) -> bool:
        """Whether there is a training path to draw a plane around."""
        history = self.playground.history
        return history is not None and len(history.params) >= 2

    def set_plane(self, plane: str) -> None:
        if plane not in PLANES:
            raise ValueError(f"plane must be one of {', '.join(PLANES)}, got {plane!r}")
        if plane == self.plane:
            return
        self.plane = plane
        self.planeChanged.emit(plane)
        self.compute()

    def apply_scene(self) -> None:
        """The plane a network scene's [view] network_landscape names, if it names one."""
        playground = self.playground
        plane = playground.document.scene.view.network_landscape
        if playground.in_scene and plane is not None:
            self.set_plane(plane)

    def compute(self, *_) -> bool:
        """Start the plane of the current path (coarse while playing); False when untrained."""
        self.jobs.cancel()
        self.error = ""
        if not self.trained:
            if self.result is not None:
                self.result = None
                self.resultChanged.emit()
            return False
        session = self.playground
        resolution = self.resolution = COARSE if session.timeline.playing else FULL
        net, data = session.network.copy(), session.data
        path = np.asarray(session.history.params, float)
        plane, seed = self.plane, session.seed
        self.jobs.start(lambda progress, cancel: compute_landscape(
            net, data.X_train, data.T_train, path, plane, resolution, seed, cancel),
            on_finished=self._show, on_failed=self._fail)
        return True

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def wait(self, msecs: int = 120_000) -> bool:
        """Block until the plane being computed is held (exports); True when none is being computed."""
        return self.jobs.wait(msecs)

    def shutdown(self) -> None:
        """Cancel and wait for every thread: call before the owner goes away."""
        self.jobs.shutdown()

    def title(self) -> str:
        """E.g. "Loss of the 2-4-4-1 network on circles (PCA plane)"."""
        session = self.playground
        sizes = "-".join(str(n) for n in session.sizes)
        dataset = session.spec.example or session.spec.dataset
        plane = "PCA plane" if self.result is not None and self.result["plane"] == "pca" else "random plane"
        return f"Loss of the {sizes} network on {dataset} ({plane})"

    def pick(self, alpha: float, beta: float) -> bool:
        """Put the weights at (α, β) of the held plane into the playground's network; False off the plane."""
        result = self.result
        if result is None:
            return False
        e = float(result["extent"])
        if not (abs(alpha) <= e and abs(beta) <= e):
            return False
        self.playground.set_probe(result["centre"] + alpha * result["d1"] + beta * result["d2"])
        return True

    def race_request(self) -> tuple | None:
        """(surface, title, bounds, start) to race on the held plane; None when none is held."""
        if self.result is None:
            return None
        title = self.title()
        surface = plane_surface(self.result, title)
        return surface, title, surface.bounds, race_start(self.result)

    # ----- job reports (GUI thread) -----
    def _show(self, result: dict | None) -> None:
        if result:  # None: cancelled by the cancel() it polls
            self.result = result
            self.resultChanged.emit()

    def _fail(self, message: str) -> None:
        self.error = message
        self.failed.emit(message)
