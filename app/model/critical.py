"""The critical points of the race's surface: found once per surface, shown within the bounds.

Finding them runs Newton on ∇f = 0 from a grid of seeds (core.critical; on a slice of a
network's loss, from the few grid points where the loss is flattest, with exact slice
Hessians: well under a second); they are found when first asked for, and kept until the race
shows another surface.
"""
from __future__ import annotations

import numpy as np

from valley.core.critical import CriticalPoint, critical_points


class CriticalPoints:
    """The race's critical points, cached per surface (its bounds only filter them)."""

    def __init__(self, race):
        self.race = race
        self._surface = None
        self._found: list[CriticalPoint] = []

    def found(self) -> list[CriticalPoint]:
        """What core finds on the current surface, in the surface's own bounds."""
        surface = self.race.surface
        if surface is not self._surface:
            try:
                found = list(critical_points(surface))
            except (ValueError, ArithmeticError):
                found = []  # a surface the finder cannot handle shows no markers, not an error
            self._surface, self._found = surface, found
        return self._found

    def in_view(self) -> list[CriticalPoint]:
        """The found points and the surface's known minima inside the race's bounds, each once."""
        surface = self.race.surface
        (x0, x1), (y0, y1) = self.race.bounds
        tolerance = 1e-6 * (1 + abs(x1 - x0))
        shown: list[CriticalPoint] = []
        # the shown points as rows, compared with a new one at once (a surface flat along lines
        # has hundreds of critical points: one np.allclose per pair took half a minute)
        at = np.empty((len(self.found()) + len(surface.minima), 2))

        def add(cp: CriticalPoint) -> None:
            x, y = cp.point
            if not (x0 <= x <= x1 and y0 <= y <= y1):
                return
            if shown and np.isclose(cp.point, at[:len(shown)], atol=tolerance).all(axis=1).any():
                return
            at[len(shown)] = cp.point
            shown.append(cp)

        for cp in self.found():
            add(cp)
        for m in surface.minima:
            point = np.asarray(m, float)
            with np.errstate(all="ignore"):
                eigenvalues = np.linalg.eigvalsh(surface.hessian(point))
            add(CriticalPoint(point=point, value=float(surface.value(point)), kind="minimum",
                              eigenvalues=eigenvalues))
        return shown
