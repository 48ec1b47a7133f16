"""Run one optimizer from one start: a Trajectory, with divergence as a result."""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from valley.core.objective import Surface
from valley.core.optimizers import Optimizer

# A run whose point is this many view-widths outside the bounds has diverged.
FAR_AWAY = 10.0


@dataclass
class Trajectory:
    """Everything a view needs to draw step t of one optimizer's run.

    `points[k]`, `losses[k]`, `gradients[k]` describe theta after k steps
    (k = 0 is the start). `states[k]` is the optimizer's record of the step from
    `points[k]` to `points[k+1]` (so there is one fewer state than points); the
    record's keys depend on the optimizer, e.g. Adam: t, lr, g, s, r, s_hat, r_hat,
    delta. `status` is "converged", "diverged" or "running" (steps ran out);
    `stopped_at` is the index of the last point when the run stopped early,
    otherwise None. When diverged, the last point/loss may be non-finite.
    """

    points: np.ndarray
    losses: np.ndarray
    gradients: np.ndarray
    states: list[dict] = field(default_factory=list)
    status: str = "running"
    stopped_at: int | None = None
    reason: str = ""

    @property
    def steps(self) -> int:
        return len(self.points) - 1

    @property
    def final_point(self) -> np.ndarray:
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        return float(self.losses[-1])


class _FastSurface:
    """A Surface evaluated one point at a time through its point_* methods.

    One trajectory evaluates a single point per step, where numpy's per-call
    overhead dominates; the scalar path is several times cheaper. Used only when
    it agrees with the generic path at the start.
    """

    def __init__(self, surface: Surface):
        self.value = surface.point_value
        self.gradient = surface.point_gradient
        self.hessian = surface.point_hessian

    def hvp_at(self, theta):
        H = self.hessian(theta)
        return lambda v: H @ v


def _evaluator(objective, start):
    if not isinstance(objective, Surface) or start.shape != (2,):
        return objective
    fast = _FastSurface(objective)
    try:  # a start where the surface is NaN or overflows is a result (diverged at 0), not a warning
        with np.errstate(all="ignore"):
            agree = (np.allclose(fast.gradient(start), objective.gradient(start), equal_nan=True)
                     and np.allclose(fast.hessian(start), objective.hessian(start), equal_nan=True)
                     and np.allclose(fast.value(start), objective.value(start), equal_nan=True))
    except Exception:  # a surface whose formulas need arrays: use the generic path
        agree = False
    return fast if agree else objective


def _far_limits(bounds):
    if bounds is None:
        return None
    (x0, x1), (y0, y1) = bounds
    wx, wy = FAR_AWAY * (x1 - x0), FAR_AWAY * (y1 - y0)
    return x0 - wx, x1 + wx, y0 - wy, y1 + wy


def _bad_number(name: str, value: float) -> str:
    return f"{name} became NaN" if math.isnan(value) else f"{name} overflowed to infinity"


def run(objective, optimizer: Optimizer, start, steps: int, rng=None, tol: float = 1e-8,
        bounds=None) -> Trajectory:
    """Reset `optimizer` and step it from `start` up to `steps` times.

    Stops as "converged" when the gradient norm and the step length both fall
    below `tol`, and as "diverged" when the loss, gradient or point stops being
    finite or (2-D, with bounds given or known to the surface) the point lies more
    than 10 view-widths outside the bounds. Noise comes from `rng` (a seeded
    numpy Generator); without one the optimizer's own generator seeded 0 is used.
    """
    start = np.array(start, dtype=float)
    if start.ndim != 1:
        raise ValueError(f"run: start must be a 1-D point, got shape {start.shape}")
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)) or steps < 0:
        raise ValueError(f"run: steps must be a whole number >= 0, got {steps!r}")
    if not tol >= 0:
        raise ValueError(f"run: tol must be >= 0, got {tol!r}")
    if bounds is None and isinstance(objective, Surface):
        bounds = objective.bounds
    limits = _far_limits(bounds) if start.shape == (2,) else None
    optimizer.reset()
    evaluate = _evaluator(objective, start)
    value, gradient, tol2 = evaluate.value, evaluate.gradient, tol * tol
    points, losses, gradients, states = [start], [], [], []
    status, stopped_at, reason = "running", None, ""
    with np.errstate(all="ignore"):
        f, g = value(start), gradient(start)
        losses.append(f)
        gradients.append(g)
        theta = start
        if not math.isfinite(f) or not math.isfinite(float(g.dot(g))):
            status, stopped_at = "diverged", 0
            reason = _bad_number("loss" if not math.isfinite(f) else "gradient",
                                 f if not math.isfinite(f) else float(g.dot(g)))
        step = optimizer.advance  # the loop silences numpy once, not per step
        for k in range(1, steps + 1) if status == "running" else ():
            theta_new = step(theta, evaluate, rng, g)
            record = optimizer.record
            states.append(record)
            f, g = value(theta_new), gradient(theta_new)
            points.append(theta_new)
            losses.append(f)
            gradients.append(g)
            delta = record["delta"]
            g2, d2 = float(g.dot(g)), float(delta.dot(delta))
            if not math.isfinite(d2):
                status, reason = "diverged", _bad_number("step", d2)
            elif not math.isfinite(f):
                status, reason = "diverged", _bad_number("loss", f)
            elif not math.isfinite(g2):
                status, reason = "diverged", _bad_number("gradient", g2)
            elif limits is not None:
                x, y = theta_new
                if not (limits[0] <= x <= limits[1] and limits[2] <= y <= limits[3]):
                    status = "diverged"
                    reason = f"left the view far behind (> {FAR_AWAY:g} view-widths away)"
            elif not math.isfinite(float(theta_new.sum())):
                status, reason = "diverged", "point overflowed to infinity"
            if status == "running" and g2 < tol2 and d2 < tol2:
                status, reason = "converged", f"gradient norm and step < {tol:g}"
            if status != "running":
                stopped_at = k
                break
            theta = theta_new
    return Trajectory(points=np.array(points), losses=np.array(losses, dtype=float),
                      gradients=np.array(gradients), states=states, status=status,
                      stopped_at=stopped_at, reason=reason)
