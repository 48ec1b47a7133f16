"""The contract every function Valley optimizes follows."""
from __future__ import annotations

import numpy as np

from valley.core.limits import GRID_WORK, RESOLUTION

# Points of a plane per `values` call: bounds the (points × parameters) block in memory.
PLANE_BLOCK = 4096


class Objective:
    """An n-D function with exact derivatives: value, gradient, hessian on a 1-D theta."""

    dim: int = 0  # 0: any
    # True when values()/gradients() evaluate many θ in one pass (a network's forward pass
    # over stacked parameters): then a 2-D slice's curvature costs less as differences of
    # gradients than as n×n Hessians.
    batched: bool = False

    def value(self, theta: np.ndarray) -> float:
        raise NotImplementedError

    def gradient(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hessian(self, theta: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    def hvp_at(self, theta):
        """v ↦ H(θ)·v, for many v at one θ (Lanczos, conjugate gradients).

        This generic form forms H once; a network's objective instead keeps one forward and
        backward pass and runs the R-operator per product, never forming H.
        """
        H = np.asarray(self.hessian(theta), float)
        return lambda v: np.einsum("...ij,...j->...i", H, np.asarray(v, float))

    def hvp(self, theta, v) -> np.ndarray:
        """H(θ)·v."""
        return self.hvp_at(theta)(v)

    def gradient_and_hvp(self, theta, v):
        """(∇f(θ), H(θ)·v), θ and v broadcasting as in `hvp`; a network's share one pass."""
        return self.gradient(theta), self.hvp(theta, v)

    def values(self, thetas, dtype=np.float64, workers: int = 1) -> np.ndarray:
        """Values at many θ, (..., n) -> (...): one value() each unless a subclass batches them.

        A batched subclass may compute in a narrower `dtype` and in `workers` threads.
        """
        thetas = np.asarray(thetas, float)
        flat = thetas.reshape(-1, thetas.shape[-1])
        return np.array([self.value(t) for t in flat], float).reshape(thetas.shape[:-1])

    def plane_values(self, theta0, d1, d2, alpha, beta, dtype=np.float64, workers: int = 1
                     ) -> np.ndarray:
        """Values at θ₀ + α·d₁ + β·d₂ for broadcast arrays α, β: a 2-D slice's whole grid.

        This generic form forms the θ's in blocks and hands them to `values`; a network's
        objective instead forms its first layer's pre-activations from the plane directly.
        """
        alpha, beta = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(beta, float))
        flat_a, flat_b = alpha.ravel(), beta.ravel()
        out = np.empty(flat_a.size)
        with np.errstate(all="ignore"):
            for start in range(0, flat_a.size, PLANE_BLOCK):
                a, b = flat_a[start:start + PLANE_BLOCK, None], flat_b[start:start + PLANE_BLOCK, None]
                out[start:start + a.shape[0]] = self.values(theta0 + a * d1 + b * d2, dtype=dtype,
                                                            workers=workers)
        return out.reshape(alpha.shape)

    def gradients(self, thetas) -> np.ndarray:
        """Gradients at many θ, (P, n) -> (P, n)."""
        return np.array([self.gradient(t) for t in np.atleast_2d(np.asarray(thetas, float))], float)


class Surface(Objective):
    """A 2-D objective that also evaluates whole grids and knows its view.

    Subclasses implement `_f`, `_grad` and `_hess` on broadcast arrays x, y; so
    `value`, `gradient` and `hessian` accept theta of shape (2,) or (..., 2),
    which lets basin maps step thousands of starts at once.
    """

    dim = 2
    name: str = ""
    title: str = ""
    formula: str = ""
    bounds: tuple[tuple[float, float], tuple[float, float]] = ((-2.0, 2.0), (-2.0, 2.0))
    minima: list[tuple[float, float]] = []
    saddles: list[tuple[float, float]] = []
    params: dict[str, float] = {}
    axis_labels: tuple[str, str] = ("x", "y")
    value_label: str = "f(x, y)"
    # True where every gradient costs a network pass: the critical-point finder then seeds
    # Newton only where the value grid's slope is locally smallest, not from the whole grid.
    seed_from_values: bool = False
    # Array operations per grid point, compared with limits.GRID_WORK: a typed formula's steps
    # (a catalogue surface is a few operations whatever it is).
    cost: int = 1

    def grid_shape(self, nx: int, ny: int) -> tuple[int, int]:
        """(nx, ny) points for a picture of the surface, both scaled down alike where
        nx · ny · cost would pass limits.GRID_WORK, to no fewer than limits.RESOLUTION.lo a side."""
        scale = min(1.0, (GRID_WORK / (nx * ny * max(self.cost, 1))) ** 0.5)
        if scale == 1.0:
            return nx, ny
        return max(RESOLUTION.lo, int(nx * scale)), max(RESOLUTION.lo, int(ny * scale))

    def _f(self, x, y):
        raise NotImplementedError

    def _grad(self, x, y):
        """Return (df/dx, df/dy)."""
        raise NotImplementedError

    def _hess(self, x, y):
        """Return (d2f/dx2, d2f/dxdy, d2f/dy2)."""
        raise NotImplementedError

    def evaluate(self, X, Y):
        X, Y = np.broadcast_arrays(np.asarray(X, float), np.asarray(Y, float))
        with np.errstate(all="ignore"):
            return np.asarray(self._f(X, Y), dtype=float) + np.zeros(X.shape)

    def gradient_grid(self, X, Y):
        X, Y = np.broadcast_arrays(np.asarray(X, float), np.asarray(Y, float))
        with np.errstate(all="ignore"):
            gx, gy = self._grad(X, Y)
        zero = np.zeros(X.shape)
        return np.asarray(gx, float) + zero, np.asarray(gy, float) + zero

    def hessian_grid(self, X, Y):
        X, Y = np.broadcast_arrays(np.asarray(X, float), np.asarray(Y, float))
        with np.errstate(all="ignore"):
            hxx, hxy, hyy = self._hess(X, Y)
        zero = np.zeros(X.shape)
        return (np.asarray(hxx, float) + zero, np.asarray(hxy, float) + zero,
                np.asarray(hyy, float) + zero)

    def value(self, theta):
        theta = np.asarray(theta, float)
        v = self.evaluate(theta[..., 0], theta[..., 1])
        return float(v) if v.ndim == 0 else v

    def gradient(self, theta):
        theta = np.asarray(theta, float)
        gx, gy = self.gradient_grid(theta[..., 0], theta[..., 1])
        return np.stack([gx, gy], axis=-1)

    def hessian(self, theta):
        theta = np.asarray(theta, float)
        hxx, hxy, hyy = self.hessian_grid(theta[..., 0], theta[..., 1])
        return np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2)

    def gradient_and_hessian(self, theta):
        """(gradient, hessian) at θ (2,) or (..., 2): Newton's two needs, from one pass where a
        surface's both come from one (a slice of a network's loss)."""
        return self.gradient(theta), self.hessian(theta)

    # One point (2,) through scalar x, y: no broadcasting, several times cheaper per call
    # than value/gradient/hessian, for loops that evaluate a single point per step.

    def point_value(self, theta) -> float:
        return float(self._f(theta[0], theta[1]))

    def point_gradient(self, theta) -> np.ndarray:
        gx, gy = self._grad(theta[0], theta[1])
        return np.array((gx, gy), dtype=float)

    def point_hessian(self, theta) -> np.ndarray:
        hxx, hxy, hyy = self._hess(theta[0], theta[1])
        return np.array(((hxx, hxy), (hxy, hyy)), dtype=float)

    def contains(self, theta, margin: float = 0.0) -> np.ndarray | bool:
        """Whether theta lies inside the bounds widened by `margin` times their size."""
        theta = np.asarray(theta, float)
        (x0, x1), (y0, y1) = self.bounds
        mx, my = margin * (x1 - x0), margin * (y1 - y0)
        return ((theta[..., 0] >= x0 - mx) & (theta[..., 0] <= x1 + mx)
                & (theta[..., 1] >= y0 - my) & (theta[..., 1] <= y1 + my))
