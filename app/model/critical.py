"""The critical points of the race's surface: found once per surface, shown within the bounds.

Finding them runs Newton on ∇f = 0 from a grid of seeds (core.critical; on a slice of a
network's loss, from the few grid points where the loss is flattest, with exact slice
Hessians). That takes from milliseconds to seconds (a formula of 150 factors: 3 to 5 s), so a
view asks with `in_view(wait=False)`: the search runs as a background job and `found_changed`
is emitted once its points are held; a document that works in the foreground (exports,
`Document(background=False)`) finds them at once. They are kept until the race shows another
surface, which cancels a search still running: a result is only ever held for the surface
it was found on.
"""
from __future__ import annotations

import numpy as np
from PyQt6.QtCore import QObject, pyqtSignal

from valley.app.model.jobs import JobSlot
from valley.core.critical import CriticalPoint, critical_points


class CriticalPoints(QObject):
    """The race's critical points, cached per surface (its bounds only filter them)."""

    found_changed = pyqtSignal()  # the points of the race's current surface are held now
    busyChanged = pyqtSignal(bool)  # a search runs in the background
    progress = pyqtSignal(float)  # of the running search, 0..1

    def __init__(self, race, parent: QObject | None = None):
        super().__init__(parent)
        self.race = race
        self._surface = None
        self._found: list[CriticalPoint] = []
        self.error = ""  # why the last search failed (its surface then shows no markers)
        self.jobs = JobSlot(self)
        self.jobs.busyChanged.connect(self.busyChanged)
        self._job_surface = None  # the surface the running search is on
        race.sceneChanged.connect(self._scene_changed)

    @property
    def busy(self) -> bool:
        return self.jobs.busy

    def ready(self) -> bool:
        """True when the points of the race's current surface are held."""
        return self._surface is self.race.surface

    def found(self, grid=None) -> list[CriticalPoint]:
        """What core finds on the current surface, in the surface's own bounds; blocks until
        they are held (a search already running on this surface is waited for).

        `grid` = (xs, ys, Z): the surface's values that the picture already computed; a network's
        plane seeds Newton from them when they span the surface's bounds, rather than paying for
        a grid of forward passes twice.
        """
        surface = self.race.surface
        if self._surface is surface:
            return self._found
        if self._job_surface is surface and self.jobs.wait() and self._surface is surface:
            return self._found
        self._stop_job()
        self._hold(surface, _search(surface, _seeding_grid(surface, grid)))
        return self._found

    def request(self, grid=None) -> bool:
        """True when the current surface's points are held; else start their search in the
        background (unless it runs already) and return False: `found_changed` follows.

        A document working in the foreground finds them now instead. `grid` as in `found`.
        """
        surface = self.race.surface
        if self._surface is surface:
            return True
        if not self.race.document.background:
            self.found(grid)
            return True
        if self._job_surface is surface:
            return False
        grid = _seeding_grid(surface, grid)
        self._job_surface = surface
        job = self.jobs.start(lambda progress, cancel: _search(surface, grid, progress, cancel),
                              on_finished=lambda found: self._on_finished(surface, found),
                              on_failed=lambda message: self._on_failed(surface, message))
        job.progress.connect(lambda f, j=job: self.progress.emit(f) if j is self.jobs.job else None)
        return False

    def wait(self, msecs: int = 120_000) -> bool:
        """Block until a running search's points are held (exports); True when none runs."""
        return self.jobs.wait(msecs)

    def shutdown(self) -> None:
        """Cancel and wait for every search: call before the owner goes away."""
        self._job_surface = None
        self.jobs.shutdown()

    def in_view(self, grid=None, wait: bool = True) -> list[CriticalPoint] | None:
        """The found points and the surface's known minima inside the race's bounds, each once
        (`grid` as in `found`).

        `wait=False`: None while the search runs in the background (see `request`).
        """
        if wait:
            found = self.found(grid)
        elif self.request(grid):
            found = self._found
        else:
            return None
        surface = self.race.surface
        (x0, x1), (y0, y1) = self.race.bounds
        tolerance = 1e-6 * (1 + abs(x1 - x0))
        shown: list[CriticalPoint] = []
        # the shown points as rows, compared with a new one at once (a surface flat along lines
        # has hundreds of critical points: one np.allclose per pair took half a minute)
        at = np.empty((len(found) + len(surface.minima), 2))

        def add(cp: CriticalPoint) -> None:
            x, y = cp.point
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return
            if shown and np.isclose(cp.point, at[:len(shown)], atol=tolerance).all(axis=1).any():
                return
            at[len(shown)] = cp.point
            shown.append(cp)

        for cp in found:
            add(cp)
        for m in surface.minima:
            point = np.asarray(m, float)
            with np.errstate(all="ignore"):
                eigenvalues = np.linalg.eigvalsh(surface.hessian(point))
            add(CriticalPoint(point=point, value=float(surface.value(point)), kind="minimum",
                              eigenvalues=eigenvalues))
        return shown

    # ----- the race changed; job reports (GUI thread) -----
    def _scene_changed(self) -> None:
        """Another surface: a search on the old one is of no use any more."""
        if self._job_surface is not None and self._job_surface is not self.race.surface:
            self._stop_job()

    def _stop_job(self) -> None:
        self._job_surface = None
        self.jobs.cancel()

    def _on_finished(self, surface, found: list[CriticalPoint]) -> None:
        self._job_surface = None
        if surface is self.race.surface:  # the race may have moved on while the result queued
            self.error = ""
            self._hold(surface, found)

    def _on_failed(self, surface, message: str) -> None:
        self._job_surface = None
        if surface is self.race.surface:
            self.error = message
            self._hold(surface, [])

    def _hold(self, surface, found: list[CriticalPoint]) -> None:
        self._surface, self._found = surface, found
        self.found_changed.emit()


def _seeding_grid(surface, grid):
    """The picture's grid when it spans the surface's bounds (a network's plane seeds from it)."""
    if grid is None:
        return None
    xs, ys = np.asarray(grid[0], float), np.asarray(grid[1], float)
    (x0, x1), (y0, y1) = surface.bounds
    if not (xs.size and ys.size and xs[0] <= x0 and xs[-1] >= x1 and ys[0] <= y0 and ys[-1] >= y1):
        return None
    return grid


def _search(surface, grid, progress=None, cancel=None) -> list[CriticalPoint]:
    try:
        return list(critical_points(surface, grid=grid, progress=progress, cancel=cancel))
    except (ValueError, ArithmeticError):
        return []  # a surface the finder cannot handle shows no markers, not an error
