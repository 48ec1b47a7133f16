"""The Hessian's spectrum at the step shown: every eigenvalue of the training loss's exact Hessian.

`SpectrumModel(playground)` computes it in a BackgroundJob whenever the shown step or the
training changes while the timeline is paused (while it plays, the chart keeps the last one:
an exact Hessian per frame would stall the animation); a newer request cancels the older one.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.jobs import JobSlot
from valley.core import limits
from valley.core.curvature import spectrum
from valley.core.training import curvature_conflict


def spectrum_at(network, X, T, theta) -> np.ndarray:
    """All eigenvalues of the exact Hessian of the network's loss on (X, T) at θ (no Qt: a worker)."""
    return spectrum(network.objective(X, T), np.asarray(theta, float))


class SpectrumModel(QObject):
    """The eigenvalues at one step of the playground's training; recomputed as the step changes."""

    resultChanged = pyqtSignal()  # a new spectrum, or none (self.eigenvalues is None)

    def __init__(self, playground, parent: QObject | None = None):
        super().__init__(parent)
        self.playground = playground
        self.step: int | None = None  # the step the eigenvalues belong to
        self.eigenvalues: np.ndarray | None = None
        self.reason = ""  # why there is no spectrum, for the chart to say
        self.jobs = JobSlot(self)
        playground.resultsChanged.connect(self.compute)
        playground.networkChanged.connect(self.compute)
        playground.timeline.stepChanged.connect(self.compute)
        playground.timeline.playingChanged.connect(lambda playing: None if playing else self.compute())
        self.compute()

    def compute(self, *_) -> None:
        """Start the spectrum of the shown step, unless the timeline plays or the net is too big."""
        session = self.playground
        if session.timeline.playing:
            return
        self.jobs.cancel()
        history, net = session.history, session.network
        t = min(int(session.step), len(history.params) - 1)
        if net.without_curvature:
            self._show(None, curvature_conflict("The spectrum", net.without_curvature))
            return
        if net.n_params > limits.SPECTRUM_MAX_PARAMS:
            self._show(None, f"the spectrum is shown up to {limits.SPECTRUM_MAX_PARAMS} parameters "
                             f"(this network has {net.n_params})")
            return
        theta = np.asarray(history.params[t], float)
        if not np.isfinite(theta).all():
            self._show(None, f"no spectrum at step {t}: the parameters are not finite")
            return
        net, data = net.copy(), session.data
        self.jobs.start(lambda progress, cancel: (t, spectrum_at(net, data.X_train, data.T_train, theta)),
                        on_finished=lambda result: self._show(result, ""),
                        on_failed=lambda message: self._show(None, message))

    def wait(self, msecs: int = 30_000) -> bool:
        """Block until the spectrum being computed is held (tests, exports)."""
        return self.jobs.wait(msecs)

    def shutdown(self) -> None:
        self.jobs.shutdown()

    def _show(self, result, reason: str) -> None:
        if result is None:
            self.step, self.eigenvalues = None, None
        else:
            self.step, self.eigenvalues = result
        self.reason = reason
        self.resultChanged.emit()
