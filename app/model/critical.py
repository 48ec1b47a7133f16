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

    def found(self, grid=None) -> list[CriticalPoint]:
        """What core finds on the current surface, in the surface's own bounds.

        `grid` = (xs, ys, Z): the surface's values that the picture already computed; a network's
        plane seeds Newton from them when they span the surface's bounds, rather than paying for
        a grid of forward passes twice.
        """
        surface = self.race.surface
        if surface is not self._surface:
            if grid is not None:
                xs, ys = np.asarray(grid[0], float), np.asarray(grid[1], float)
                (x0, x1), (y0, y1) = surface.bounds
                if not (xs.size and ys.size and xs[0] <= x0 and xs[-1] >= x1 and ys[0] <= y0 and ys[-1] >= y1):
                    grid = None
            try:
                found = list(critical_points(surface, grid=grid))
            except (ValueError, ArithmeticError):
                found = []  # a surface the finder cannot handle shows no markers, not an error
            self._surface, self._found = surface, found
        return self._found

    def in_view(self, grid=None) -> list[CriticalPoint]:
        """The found points and the surface's known minima inside the race's bounds, each once
        (`grid` as in `found`)."""
        surface = self.race.surface
        (x0, x1), (y0, y1) = self.race.bounds
        tolerance = 1e-6 * (1 + abs(x1 - x0))
        shown: list[CriticalPoint] = []
        found = self.found(grid)
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
