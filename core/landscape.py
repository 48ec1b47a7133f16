"""2-D slices of n-D objectives (a network's loss landscape) and the directions to slice along.

`Slice(obj, theta0, d1, d2)` is the Surface f(α, β) = L(θ₀ + α·d₁ + β·d₂), so the
race, the critical-point finder and the basin maps work on it unchanged. The picture's
grid goes through the objective's `plane_values` (a network's forms its first layer from
the plane itself), points through `values(thetas)` / `gradients(thetas)` and Newton's
needs through `gradient_and_hvp`: batched, many parameter vectors per pass, for a network.

Directions follow Li et al. 2018, "Visualizing the Loss Landscape of Neural Nets"
(filter normalization; PCA of a training path) and their reference code
(tomgoldstein/loss-landscape, net_plotter.py and plot_trajectory.py).
"""
from __future__ import annotations

import os

import numpy as np

from valley.core.curvature import slice_hessian
from valley.core.objective import Surface

# Grid points per batched call: bounds the (points × parameters) block in memory.
_BLOCK = 4096


class LandscapeError(ValueError):
    """Directions or paths of the wrong shape, or degenerate directions."""


def _norms(A, axis=None, keepdims=False):
    """Euclidean norms that neither overflow nor warn: ‖A‖ = m·‖A/m‖ with m = max |A|.

    A diverged run's weights can be 1e200 and more, whose squares overflow.
    """
    A = np.asarray(A, float)
    with np.errstate(all="ignore"):
        m = np.max(np.abs(A), axis=axis, keepdims=True) if A.size else np.zeros((1,) * A.ndim)
        safe = np.where((m > 0) & np.isfinite(m), m, 1.0)
        n = safe * np.sqrt(np.sum((A / safe) ** 2, axis=axis, keepdims=True))
        n = np.where(np.isfinite(m), n, m)  # an infinite entry: an infinite norm
    return n if keepdims else np.squeeze(n, axis=axis) if axis is not None else float(n.squeeze())


def _vector(name, v, n=None):
    v = np.asarray(v, float)
    if v.ndim != 1 or (n is not None and v.shape != (n,)):
        raise LandscapeError(f"{name} must be a vector of length {n if n else 'n'}, got shape {v.shape}")
    return v


class Slice(Surface):
    """f(α, β) = L(θ₀ + α·d₁ + β·d₂) of any n-D objective, as a Surface.

    `evaluate(A, B)` — the picture — runs in `grid_dtype` (float32 by default: ~1e-6
    relative, several times faster) on `workers` threads; `value`, `gradient` and
    `hessian` run in float64. The Hessian is exact: dᵢᵀHdⱼ, from Hessian-vector products
    for objectives that batch them (a network's).
    """

    name = "landscape"
    axis_labels = ("α (direction 1)", "β (direction 2)")
    value_label = "loss"

    def __init__(self, objective, theta0, d1, d2, bounds=((-1.0, 1.0), (-1.0, 1.0)),
                 title: str = "Loss landscape", grid_dtype=np.float32, workers: int | None = None):
        n = objective.dim or None
        self.objective = objective
        self.theta0 = _vector("theta0", theta0, n)
        self.d1 = _vector("d1", d1, self.theta0.size)
        self.d2 = _vector("d2", d2, self.theta0.size)
        if not np.any(self.d1) or not np.any(self.d2):
            raise LandscapeError("slice directions must be non-zero")
        (x0, x1), (y0, y1) = bounds
        if not (x0 < x1 and y0 < y1):
            raise LandscapeError(f"bounds must be ((α_min, α_max), (β_min, β_max)), got {bounds!r}")
        self.bounds = ((float(x0), float(x1)), (float(y0), float(y1)))
        self.title = title
        self.formula = "L(θ₀ + α·d₁ + β·d₂)"
        self.minima = []
        self.saddles = []
        self.params = {}
        self.grid_dtype = np.dtype(grid_dtype)
        self.seed_from_values = bool(objective.batched)
        self.workers = workers if workers is not None else min(4, os.cpu_count() or 1)

    def theta_at(self, alpha, beta) -> np.ndarray:
        """The parameter vectors θ₀ + α·d₁ + β·d₂, shape (..., n)."""
        alpha, beta = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(beta, float))
        return self.theta0 + alpha[..., None] * self.d1 + beta[..., None] * self.d2

    def _blocks(self, a, b, fn, out_count, dtype=np.float64):
        """Apply fn to θ blocks of the flattened grid; fn returns tuples of (k,) arrays."""
        a, b = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
        flat_a, flat_b = a.ravel(), b.ravel()
        outs = [np.empty(flat_a.size) for _ in range(out_count)]
        for start in range(0, flat_a.size, _BLOCK):
            stop = min(flat_a.size, start + _BLOCK)
            thetas = self.theta_at(flat_a[start:stop], flat_b[start:stop]).astype(dtype, copy=False)
            for out, part in zip(outs, fn(thetas)):
                out[start:stop] = part
        return [o.reshape(a.shape) for o in outs]

    def _values(self, thetas, dtype=np.float64, workers=1):
        return (self.objective.values(thetas, dtype=dtype, workers=workers),)

    def _gradients(self, thetas):
        return self.objective.gradients(thetas)

    def _f(self, a, b):
        return self._blocks(a, b, self._values, 1)[0]

    def _grad(self, a, b):
        def fn(thetas):
            g = self._gradients(thetas)
            return g @ self.d1, g @ self.d2
        return tuple(self._blocks(a, b, fn, 2))

    def _hess(self, a, b):
        if not self.objective.batched:
            def exact(thetas):
                H = np.array([self.objective.hessian(t) for t in thetas])
                return (H @ self.d1 @ self.d1, H @ self.d1 @ self.d2, H @ self.d2 @ self.d2)
            return tuple(self._blocks(a, b, exact, 3))

        def products(thetas):  # Dᵀ·H·D from two exact Hessian-vector products per point
            M = slice_hessian(self.objective, thetas, self.d1, self.d2)
            return M[:, 0, 0], M[:, 0, 1], M[:, 1, 1]
        return tuple(self._blocks(a, b, products, 3))

    def gradient_and_hessian(self, theta):
        """(gradient, Hessian) of the slice at (α, β) points, from one pass per block of points."""
        if not self.objective.batched:
            return super().gradient_and_hessian(theta)
        theta = np.asarray(theta, float)
        D = np.stack([self.d1, self.d2])

        def both(thetas):
            g, HD = self.objective.gradient_and_hvp(thetas[:, None, :], D)  # (P, 1, n), (P, 2, n)
            slope = g[:, 0] @ D.T
            M = HD @ D.T
            return slope[:, 0], slope[:, 1], M[:, 0, 0], 0.5 * (M[:, 0, 1] + M[:, 1, 0]), M[:, 1, 1]
        with np.errstate(all="ignore"):
            gx, gy, hxx, hxy, hyy = self._blocks(theta[..., 0], theta[..., 1], both, 5)
        return (np.stack([gx, gy], -1),
                np.stack([np.stack([hxx, hxy], -1), np.stack([hxy, hyy], -1)], -2))

    def evaluate(self, X, Y):
        """The loss on a grid (or any broadcast arrays) of (α, β), in grid_dtype, batched."""
        return self.objective.plane_values(self.theta0, self.d1, self.d2, X, Y, self.grid_dtype,
                                           self.workers)

    def value(self, theta):
        theta = np.asarray(theta, float)
        with np.errstate(all="ignore"):
            v = self._f(theta[..., 0], theta[..., 1])
        return float(v) if v.ndim == 0 else v


# --- directions --------------------------------------------------------------------------

def random_direction(n: int, rng: np.random.Generator) -> np.ndarray:
    """A Gaussian random direction in n dimensions."""
    return rng.standard_normal(int(n))


def filter_normalized_direction(net, rng: np.random.Generator, keep_biases: bool = False
                                ) -> np.ndarray:
    """A Gaussian direction with each neuron's incoming weights rescaled to their norm in θ.

    Li et al. 2018: for every neuron j of layer l, d_W[l][j, :] ← d_W[l][j, :]·‖W[l][j, :]‖ /
    ‖d_W[l][j, :]‖. Biases are zeroed; keep_biases=True copies θ's biases into the
    direction, as the reference code does when it does not ignore them.
    Flat, in get_params() order.
    """
    parts = []
    for W, b in zip(net.weights, net.biases):
        d = rng.standard_normal(W.shape)
        norms = np.linalg.norm(d, axis=1, keepdims=True)
        with np.errstate(all="ignore"):  # huge or non-finite weights give huge or NaN rows
            d *= _norms(W, axis=1, keepdims=True) / np.maximum(norms, 1e-10)
        parts += [d.ravel(), b.copy() if keep_biases else np.zeros_like(b)]
    return np.concatenate(parts)


def parameter_axes(n: int, i: int, j: int) -> tuple[np.ndarray, np.ndarray]:
    """Unit vectors along parameters i and j: the slice shows L as a function of those two."""
    if not (0 <= i < n and 0 <= j < n) or i == j:
        raise LandscapeError(f"parameter axes need two different indices in 0..{n - 1}, got {i}, {j}")
    d1, d2 = np.zeros(n), np.zeros(n)
    d1[i] = d2[j] = 1.0
    return d1, d2


def start_to_end_directions(start, end, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """d₁ = end − start; d₂ a random direction orthogonal to d₁ with the same length."""
    start = _vector("start", start)
    end = _vector("end", end, start.size)
    with np.errstate(all="ignore"):
        d1 = end - start
    if not np.isfinite(d1).all():
        raise LandscapeError("start and end must be finite points (a diverged run's last point "
                             "is not): no start-to-end direction")
    norm = _norms(d1)
    if norm == 0:
        raise LandscapeError("start and end are the same point: no start-to-end direction")
    unit = d1 / norm
    d2 = rng.standard_normal(start.size)
    d2 -= (d2 @ unit) * unit
    return d1, d2 / np.linalg.norm(d2) * norm


def pca_directions(path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The two principal components of a path's rows θᵢ − θ_final, and their explained variance ratio.

    As in Li et al.'s plot_trajectory.py (sklearn PCA of θᵢ − θ_final, which centres
    the rows); the ratio is each component's share of the path's total variance.
    """
    path = np.asarray(path, float)
    if path.ndim != 2 or path.shape[0] < 3 or path.shape[1] < 2:
        raise LandscapeError(f"pca_directions needs a path of shape (steps ≥ 3, n ≥ 2), got {path.shape}")
    bad = np.flatnonzero(~np.isfinite(path).all(axis=1))
    if bad.size:
        raise LandscapeError(f"pca_directions needs finite points; row {bad[0]} of the path is not "
                             "(a diverged run: use the path up to its last finite point)")
    with np.errstate(all="ignore"):
        M = path - path[-1]
        M = M - M.mean(axis=0)
        # Scale out the magnitude first: the squared singular values of a huge path overflow.
        scale = float(np.max(np.abs(M))) or 1.0
        _, s, Vt = np.linalg.svd(M / scale, full_matrices=False)
    total = float(np.sum(s * s))
    if total == 0 or s.size < 2 or s[1] <= 1e-12 * s[0]:
        raise LandscapeError("the path does not span two dimensions: no PCA plane")
    return Vt[0].copy(), Vt[1].copy(), (s[:2] ** 2) / total


def project(path, theta0, d1, d2) -> np.ndarray:
    """(α, β) for each row of path, by least squares θ − θ₀ ≈ α·d₁ + β·d₂ (any two directions)."""
    theta0 = _vector("theta0", theta0)
    path = np.asarray(path, float)
    if path.ndim == 1:
        path = path[None, :]
    if path.ndim != 2 or path.shape[1] != theta0.size:
        raise LandscapeError(f"path must have shape (steps, {theta0.size}), got {path.shape}")
    D = np.column_stack([_vector("d1", d1, theta0.size), _vector("d2", d2, theta0.size)])
    if not np.isfinite(D).all():
        raise LandscapeError("project needs finite directions d1, d2")
    # The pseudo-inverse solves every row on its own: a non-finite row (a diverged step)
    # projects to NaN without touching the others.
    with np.errstate(all="ignore"):
        return (np.linalg.pinv(D) @ (path - theta0).T).T


def fit_bounds(coords, margin: float = 0.25, minimum: float = 1e-3):
    """Bounds around projected points, widened by `margin` of their extent on each side."""
    coords = np.asarray(coords, float)
    low, high = coords.min(axis=0), coords.max(axis=0)
    with np.errstate(all="ignore"):
        pad = np.maximum((high - low) * margin, minimum)
        return ((float(low[0] - pad[0]), float(high[0] + pad[0])),
                (float(low[1] - pad[1]), float(high[1] + pad[1])))
