"""Basin maps: run one optimizer from every start of a grid at once, see where each lands."""
from __future__ import annotations

import copy
from dataclasses import dataclass

import numpy as np

from valley.core.critical import CriticalPoint, classify, critical_points
from valley.core.linalg import symmetric_eig
from valley.core.optimizers import Optimizer
from valley.core.trajectory import FAR_AWAY

DIVERGED = -1
NOT_YET = -2


@dataclass
class BasinMap:
    """Where each start of a resolution × resolution grid went.

    `label[iy, ix]` (row = y, as an image with `extent` = (xmin, xmax, ymin, ymax))
    is an index into `minima` (the attractors: every critical point in view plus
    the surface's known minima — Newton also settles on saddles and maxima),
    DIVERGED (-1) or NOT_YET (-2, still moving when the steps ran out). `steps`
    is the step at which the start settled or diverged, -1 where neither.
    `final` holds each start's last point. `cancelled` is True when `cancel()`
    stopped the run early (unfinished starts stay NOT_YET).
    """

    label: np.ndarray
    steps: np.ndarray
    minima: list[CriticalPoint]
    extent: tuple[float, float, float, float]
    final: np.ndarray
    cancelled: bool = False

    @property
    def resolution(self) -> int:
        return self.label.shape[0]

    def counts(self) -> dict[int, int]:
        """How many starts carry each label."""
        values, counts = np.unique(self.label, return_counts=True)
        return dict(zip(values.tolist(), counts.tolist()))


def _attractors(surface, bounds) -> list[CriticalPoint]:
    found = critical_points(surface, bounds=bounds)
    (x0, x1), (y0, y1) = bounds
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    with np.errstate(all="ignore"):
        for m in surface.minima:
            m = np.asarray(m, dtype=float)
            if all(np.hypot(*(c.point - m)) > 1e-6 * diagonal for c in found):
                w, _ = symmetric_eig(surface.hessian(m))
                found.append(CriticalPoint(point=m, value=float(surface.value(m)),
                                           kind="minimum", eigenvalues=w))
    return found


BLOCK = 16384


def _settle(surface, optimizer, theta, steps, rng, limits, centres, radius2, progress, cancel,
            label, settled_at, final) -> bool:
    """Step one block of starts; fill label/settled_at/final in place. True if cancelled."""
    index = np.arange(len(theta))
    optimizer = copy.deepcopy(optimizer)
    optimizer.reset()
    xlo, xhi, ylo, yhi = limits
    with np.errstate(all="ignore"):
        g = surface.gradient(theta)
        pending = np.ones(len(theta), dtype=bool)  # rows of the batch still undecided
        for k in range(1, steps + 1):
            if k % 5 == 0:
                if cancel is not None and cancel():
                    return True
                progress(k / steps)
            theta = optimizer.advance(theta, surface, rng, g)
            delta = optimizer.record["delta"]
            g = surface.gradient(theta)
            d2 = delta[:, 0] * delta[:, 0] + delta[:, 1] * delta[:, 1]
            x, y = theta[:, 0], theta[:, 1]
            # a sum is non-finite when either term is (or both are astronomically large)
            ok = (np.isfinite(d2 + g[:, 0] + g[:, 1])
                  & (x >= xlo) & (x <= xhi) & (y >= ylo) & (y <= yhi))
            diverged = np.flatnonzero(pending & ~ok)
            if diverged.size:
                label[index[diverged]] = DIVERGED
                settled_at[index[diverged]] = k
                final[index[diverged]] = theta[diverged]
                pending[diverged] = False
            slow = np.flatnonzero(pending & ok & (d2 < radius2))
            if slow.size and len(centres):
                offsets = theta[slow, None, :] - centres[None, :, :]
                distance2 = np.einsum("kaj,kaj->ka", offsets, offsets)
                nearest = np.argmin(distance2, axis=1)
                near = distance2[np.arange(slow.size), nearest] < radius2
                arrived = slow[near]
                label[index[arrived]] = nearest[near]
                settled_at[index[arrived]] = k
                final[index[arrived]] = theta[arrived]
                pending[arrived] = False
            remaining = int(np.count_nonzero(pending)) if diverged.size or slow.size else len(pending)
            if remaining == 0:
                return False
            # Dropping finished rows copies every state array: do it in bulk.
            if remaining < 0.8 * len(pending):
                theta, g, index = theta[pending], g[pending], index[pending]
                optimizer.keep_rows(pending)
                pending = pending[pending]
        final[index[pending]] = theta[pending]
    return False


def basin_map(surface, optimizer: Optimizer, resolution: int = 256, steps: int = 200,
              bounds=None, tol: float = 1e-3, progress=None, cancel=None, rng=None,
              attractors: list[CriticalPoint] | None = None) -> BasinMap:
    """Step `optimizer` (a copy, reset) from every grid start at once.

    A start settles on an attractor when its step is shorter than `tol` × the view
    diagonal while it lies within that distance of the attractor. It diverges when
    its point or gradient stops being finite or it goes more than 10 view-widths
    outside the bounds. `progress(fraction)` is called and `cancel()` polled every
    few steps (the app runs this in a worker thread). Pass `attractors` to reuse
    critical points already found.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or resolution < 2:
        raise ValueError(f"basin_map: resolution must be a whole number >= 2, got {resolution!r}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"basin_map: steps must be a whole number >= 0, got {steps!r}")
    if not tol > 0:
        raise ValueError(f"basin_map: tol must be > 0, got {tol!r}")
    bounds = tuple(tuple(map(float, b)) for b in (bounds or surface.bounds))
    (x0, x1), (y0, y1) = bounds
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    radius2 = (tol * diagonal) ** 2
    wx, wy = FAR_AWAY * (x1 - x0), FAR_AWAY * (y1 - y0)
    if attractors is None:
        attractors = _attractors(surface, bounds)
    centres = np.array([a.point for a in attractors], dtype=float).reshape(-1, 2)

    X, Y = np.meshgrid(np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution))
    starts = np.stack([X.ravel(), Y.ravel()], axis=-1)
    count = len(starts)
    label = np.full(count, NOT_YET, dtype=np.int64)
    settled_at = np.full(count, -1, dtype=np.int64)
    final = starts.copy()
    limits = (x0 - wx, x1 + wx, y0 - wy, y1 + wy)
    cancelled = False
    # Blocks of starts small enough that the working arrays stay in cache: the
    # same vectorized steps run several times faster than on one 65,536-row batch.
    blocks = range(0, count, BLOCK)
    for number, first in enumerate(blocks):
        rows = slice(first, min(first + BLOCK, count))

        def block_progress(fraction, number=number):
            if progress is not None:
                progress((number + fraction) / len(blocks))

        cancelled = _settle(surface, optimizer, starts[rows], steps, rng, limits, centres,
                            radius2, block_progress, cancel,
                            label[rows], settled_at[rows], final[rows])
        if cancelled:
            break
    if progress is not None and not cancelled:
        progress(1.0)
    shape = (resolution, resolution)
    return BasinMap(label=label.reshape(shape), steps=settled_at.reshape(shape),
                    minima=list(attractors), extent=(x0, x1, y0, y1),
                    final=final.reshape(shape + (2,)), cancelled=cancelled)


__all__ = ["BasinMap", "basin_map", "DIVERGED", "NOT_YET", "classify"]
