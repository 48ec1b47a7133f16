"""Critical points of a surface (∇f = 0), found and classified by the Hessian."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valley.core.linalg import newton_step, symmetric_eig

KINDS = ("minimum", "maximum", "saddle", "degenerate")

# Seeds of Newton on a surface whose every gradient costs a network pass (seed_from_values):
# the lowest local minima of the value grid's slope.
_VALUE_SEEDS = 64
# Such a seed lies within a grid step of its critical point, where Newton with the exact Hessian
# converges in a handful of iterations; a seed still moving after this many has none near it.
_VALUE_SEED_ITERATIONS = 30

class SearchCancelled(Exception):
    """critical_points stopped because its `cancel()` said True: no partial list is returned."""


# An eigenvalue smaller than this fraction of the surface's typical curvature in
# view counts as zero: the point is degenerate (the monkey saddle's origin).
DEGENERATE_RTOL = 1e-7


@dataclass
class CriticalPoint:
    """A point where the gradient vanishes, its value, and what the Hessian says it is."""

    point: np.ndarray
    value: float
    kind: str
    eigenvalues: np.ndarray


def _grid(bounds, resolution):
    (x0, x1), (y0, y1) = bounds
    xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
    X, Y = np.meshgrid(xs, ys)
    return np.stack([X.ravel(), Y.ravel()], axis=-1)


def _value_grid_seeds(surface, bounds, resolution, limit: int = _VALUE_SEEDS, grid=None):
    """Grid points where the slope of the value grid is locally smallest: one per basin of ‖∇f‖.

    Every critical point sits where ‖∇f‖ has a local minimum (zero), so Newton needs only these
    few seeds; the grid costs one batched evaluation, as the picture does — or none, when the
    picture's grid (xs, ys, Z) is given: its part inside the bounds.
    """
    (x0, x1), (y0, y1) = bounds
    if grid is None:
        xs, ys = np.linspace(x0, x1, resolution), np.linspace(y0, y1, resolution)
        X, Y = np.meshgrid(xs, ys)
        Z = np.asarray(surface.evaluate(X, Y), float)
    else:
        xs, ys, Z = grid
        columns, rows = (xs >= x0) & (xs <= x1), (ys >= y0) & (ys <= y1)
        xs, ys, Z = xs[columns], ys[rows], Z[np.ix_(rows, columns)]
    gy, gx = np.gradient(Z, ys, xs)
    slope = gx * gx + gy * gy
    slope = np.where(np.isfinite(slope), slope, np.inf)
    padded = np.pad(slope, 1, constant_values=np.inf)
    height, width = slope.shape
    neighbours = np.stack([padded[1 + di:height + 1 + di, 1 + dj:width + 1 + dj]
                           for di in (-1, 0, 1) for dj in (-1, 0, 1) if di or dj])
    lowest = np.isfinite(slope) & (slope <= neighbours.min(axis=0))
    rows, cols = np.nonzero(lowest)
    order = np.argsort(slope[rows, cols], kind="stable")[:limit]
    return np.stack([xs[cols[order]], ys[rows[order]]], axis=-1)


def _newton_on_gradient(surface, theta, max_step, iterations, bounds, first=None, progress=None,
                        cancel=None):
    """Vectorized Newton for ∇f = 0 from every row of theta (least-squares when H is singular).

    `first`: the (gradient, Hessian) at theta when the caller has them already (on a network's
    plane each costs a pass over the data). `cancel()` is polled before each iteration (each is
    one batched gradient and Hessian: the finder's unit of work), and `progress(fraction)` hears
    the share of iterations done.

    A row stops when its step vanishes, blows up, or takes it farther outside `bounds` than
    its remaining steps (each at most max_step long) could bring it back: the finder keeps
    only points inside, and on a network's plane every step costs a pass over the data.
    """
    low = np.array([bounds[0][0], bounds[1][0]], float)
    high = np.array([bounds[0][1], bounds[1][1]], float)
    active = np.ones(len(theta), dtype=bool)
    before = np.full_like(theta, np.nan)  # each row's previous point: a step back there is a cycle
    for iteration in range(iterations):
        idx = np.flatnonzero(active)
        if idx.size == 0:
            break
        _poll(cancel)
        if progress is not None:
            progress(iteration / iterations)
        current = theta[idx]
        if iteration == 0 and first is not None:
            g, H = first
        else:
            g, H = surface.gradient_and_hessian(current)
        step, _ = newton_step(*symmetric_eig(H), g)
        length = np.sqrt(np.sum(step * step, axis=-1, keepdims=True))
        step = step * np.minimum(1.0, max_step / np.where(length > 0, length, 1.0))
        moved = current + step
        finite = np.isfinite(moved).all(axis=-1)
        theta[idx] = np.where(finite[:, None], moved, current)
        # A step that lands back where the row was one step before (closer than a quarter of
        # the step) is Newton bouncing between two points: converging, each step would be much
        # shorter than the one before, so such a row never converges.
        returned = np.sqrt(np.sum((moved - before[idx]) ** 2, axis=-1))
        cycling = returned < 0.25 * np.minimum(length[:, 0], max_step)
        before[idx] = current
        # rows that stopped moving (or blew up), cycle, or cannot come back inside, are done
        outside = np.linalg.norm(np.maximum(np.maximum(low - theta[idx], theta[idx] - high), 0.0), axis=-1)
        reachable = outside <= max_step * (iterations - iteration - 1) * (1.0 + 1e-9)
        active[idx] = (finite & reachable & ~cycling
                       & (length[:, 0] > 1e-15 * (1.0 + np.abs(current).max(axis=-1))))
    return theta


def _poll(cancel) -> None:
    if cancel is not None and cancel():
        raise SearchCancelled("critical_points: cancelled")


def _checked_grid(grid, bounds):
    """(xs, ys, Z) as float arrays, or a ValueError naming what is wrong with the grid."""
    try:
        xs, ys, Z = (np.asarray(part, float) for part in grid)
    except (TypeError, ValueError) as error:
        raise ValueError(f"critical_points: grid must be (xs, ys, Z) of numbers ({error})") from None
    if xs.ndim != 1 or ys.ndim != 1 or Z.shape != (ys.size, xs.size):
        raise ValueError(f"critical_points: grid Z must have shape (len(ys), len(xs)) = ({ys.size}, "
                         f"{xs.size}) for 1-D xs and ys, got xs {xs.shape}, ys {ys.shape}, Z {Z.shape}")
    if np.any(np.diff(xs) <= 0) or np.any(np.diff(ys) <= 0):
        raise ValueError("critical_points: grid xs and ys must increase")
    (x0, x1), (y0, y1) = bounds
    inside = (np.count_nonzero((xs >= x0) & (xs <= x1)), np.count_nonzero((ys >= y0) & (ys <= y1)))
    if min(inside) < 3:
        raise ValueError(f"critical_points: the grid has {inside[0]} × {inside[1]} points inside the bounds "
                         f"{bounds}; at least 3 × 3 are needed to seed from it")
    return xs, ys, Z


def classify(eigenvalues: np.ndarray, curvature_scale: float) -> str:
    """minimum / maximum / saddle / degenerate from the Hessian's eigenvalues."""
    w = np.asarray(eigenvalues, dtype=float)
    if not np.isfinite(w).all() or np.min(np.abs(w)) <= DEGENERATE_RTOL * curvature_scale:
        return "degenerate"
    if (w > 0).all():
        return "minimum"
    if (w < 0).all():
        return "maximum"
    return "saddle"


def critical_points(surface, resolution: int = 64, bounds=None, iterations: int = 100, grid=None,
                    progress=None, cancel=None) -> list[CriticalPoint]:
    """Every critical point of `surface` inside `bounds` (default: the surface's view).

    Vectorized Newton on ∇f = 0 from a resolution × resolution grid of seeds (on a
    surface with `seed_from_values`, a network's loss plane: only from the grid points where
    the values' slope is locally smallest) plus the surface's known minima and saddles; keeps
    the points that converged inside the bounds, merges duplicates, and classifies each by
    its Hessian eigenvalues.
    `grid` = (xs, ys, Z), the surface's values Z[i, j] at (xs[j], ys[i]) on increasing xs and ys
    (a picture's): a surface with `seed_from_values` seeds from its part inside the bounds
    instead of evaluating a resolution × resolution grid of its own.
    `progress(fraction)` hears how far the search is (0 to 1); `cancel()` is polled between
    Newton's iterations, and SearchCancelled raised when it says True.
    Sorted by kind (minima first), then value.
    """
    if isinstance(resolution, bool) or not isinstance(resolution, (int, np.integer)) \
            or resolution < 2:
        raise ValueError(f"critical_points: resolution must be a whole number >= 2, "
                         f"got {resolution!r}")
    bounds = tuple(tuple(map(float, b)) for b in (bounds or surface.bounds))
    (x0, x1), (y0, y1) = bounds
    if not (x1 > x0 and y1 > y0):
        raise ValueError(f"critical_points: bounds must be ((xmin, xmax), (ymin, ymax)) with "
                         f"min < max, got {bounds}")
    diagonal = float(np.hypot(x1 - x0, y1 - y0))
    if grid is not None and surface.seed_from_values:
        grid = _checked_grid(grid, bounds)
        xs, ys = grid[0], grid[1]
        resolution = max(int(np.count_nonzero((xs >= x0) & (xs <= x1))),
                         int(np.count_nonzero((ys >= y0) & (ys <= y1))))
    else:
        grid = None
    spacing = max(x1 - x0, y1 - y0) / (resolution - 1)
    known_minima = [np.asarray(p, float) for p in surface.minima]
    known = known_minima + [np.asarray(p, float) for p in surface.saddles]
    if surface.seed_from_values:
        with np.errstate(all="ignore"):
            seeds = _value_grid_seeds(surface, bounds, resolution, grid=grid)
        iterations = min(iterations, _VALUE_SEED_ITERATIONS)
    else:
        seeds = _grid(bounds, resolution)
    if known:
        seeds = np.concatenate([np.array(known, dtype=float).reshape(-1, 2), seeds])
    with np.errstate(all="ignore"):
        g_seeds, H_seeds = surface.gradient_and_hessian(seeds)
        g0 = np.sqrt(np.sum(g_seeds ** 2, axis=-1))
        gradient_scale = max(float(np.nanmedian(g0)) if np.isfinite(g0).any() else 1.0, 1.0)
        finite_H = np.abs(H_seeds[np.isfinite(H_seeds)])
        curvature_scale = max(float(finite_H.max()) if finite_H.size else 1.0, 1e-300)
        _poll(cancel)
        # Newton is nearly all the work: its iterations span the progress up to the checks below
        theta = _newton_on_gradient(surface, seeds.copy(), 2.0 * spacing, iterations, bounds,
                                    first=(g_seeds, H_seeds), cancel=cancel,
                                    progress=None if progress is None
                                    else lambda fraction: progress(0.95 * fraction))
        _poll(cancel)
        g = surface.gradient(theta)
        gnorm = np.sqrt(np.sum(g * g, axis=-1))
        slack = 1e-9 * diagonal
        inside = ((theta[:, 0] >= x0 - slack) & (theta[:, 0] <= x1 + slack)
                  & (theta[:, 1] >= y0 - slack) & (theta[:, 1] <= y1 + slack))
        converged = inside & (gnorm <= 1e-9 * gradient_scale)
        for p in known_minima:  # trust the catalogue even where the gradient is a convention (kinks)
            converged |= inside & (np.abs(theta - p).max(axis=-1) <= 1e-9 * diagonal)
        candidates = theta[converged][np.argsort(gnorm[converged], kind="stable")]
        # A greedy merge into a preallocated array: a surface flat along whole lines (a long
        # product x·y·x·y…) sends thousands of seeds to thousands of distinct points.
        kept, count = np.empty_like(candidates), 0
        for p in candidates:
            if count == 0 or np.min(np.hypot(*(kept[:count] - p).T)) > 1e-6 * diagonal:
                kept[count], count = p, count + 1
        if count == 0:
            return []
        points = kept[:count]
        values = surface.value(points)
        eigenvalues, _ = symmetric_eig(surface.hessian(points))
    result: list[CriticalPoint] = []
    degenerate_kept, degenerate_count = np.empty_like(points), 0
    for p, v, w in zip(points, np.atleast_1d(values), eigenvalues):
        kind = classify(w, curvature_scale)
        if kind == "degenerate" and not np.isfinite(w).all() and any(
                np.allclose(p, m, atol=1e-9 * diagonal) for m in known_minima):
            kind = "minimum"
        if kind == "degenerate":
            # a flat region yields a point from every seed in it: keep one per patch
            if degenerate_count and np.min(np.hypot(*(degenerate_kept[:degenerate_count] - p).T)) <= 1.5 * spacing:
                continue
            degenerate_kept[degenerate_count], degenerate_count = p, degenerate_count + 1
        result.append(CriticalPoint(point=p, value=float(v), kind=kind, eigenvalues=w))
    result.sort(key=lambda c: (KINDS.index(c.kind), c.value))
    if progress is not None:
        progress(1.0)
    return result
