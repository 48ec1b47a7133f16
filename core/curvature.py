"""The curvature of any objective from Hessian-vector products: top eigenvalues, spectrum, slices.

`top_eigenvalues` is Lanczos (Lanczos 1950; with full reorthogonalization, as Golub & Van Loan
§10.1 and PyHessian's `eigenvalues` do) on v ↦ H·v: it never forms H, so λmax of a network costs
a few dozen products. `spectrum` forms the exact H (networks up to a few hundred parameters)
and returns all its eigenvalues. `slice_hessian` is the 2×2 Hessian of a plane, Dᵀ·H·D, from
two products.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# Ritz pairs count as converged when their residual ‖H·y − θ·y‖ is below this share of the
# largest |Ritz value|.
DEFAULT_TOL = 1e-10
MAX_K = 10


class CurvatureError(ValueError):
    """A bad request: k out of range, a direction of the wrong shape."""


@dataclass
class Eigenpairs:
    """Eigenvalues in descending order, their unit eigenvectors (rows), and the products spent."""

    values: np.ndarray
    vectors: np.ndarray
    products: int


def _dimension(objective, theta) -> int:
    theta = np.asarray(theta, float)
    if theta.ndim != 1:
        raise CurvatureError(f"one θ of shape (n,) is needed, got shape {theta.shape}")
    if objective.dim and theta.shape != (objective.dim,):
        raise CurvatureError(f"θ must have shape ({objective.dim},), got {theta.shape}")
    return theta.size


def lanczos_top(hvp, n: int, k: int, start, tol: float = DEFAULT_TOL,
                max_iter: int | None = None) -> Eigenpairs:
    """The k largest eigenvalues of the symmetric operator v ↦ hvp(v) on ℝⁿ, by Lanczos.

    Full reorthogonalization keeps the Krylov basis orthogonal, so after n products the
    answer is exact; it usually stops much earlier, when the top k Ritz pairs have
    residuals below tol × the largest |Ritz value|. A breakdown (an invariant subspace
    found) continues from a fresh direction orthogonal to the basis. A product that is not
    finite (the loss overflowed there) gives NaN eigenvalues and vectors.
    """
    if not 1 <= k <= min(MAX_K, n):
        raise CurvatureError(f"k must be between 1 and {min(MAX_K, n)}, got {k!r}")
    limit = n if max_iter is None else max(k, min(n, int(max_iter)))
    q = np.array(start, dtype=float)
    norm = math.sqrt(float(q.dot(q))) if q.shape == (n,) else math.nan
    if not math.isfinite(norm) or norm == 0:
        raise CurvatureError(f"the start vector must be a finite, non-zero vector of length {n}")
    Q = np.empty((limit, n))
    T = np.zeros((limit, limit))  # the tridiagonal Qᵀ·H·Q, grown a row and a column per product
    fresh = None  # a seeded generator, made only if a breakdown needs one
    q /= norm
    ritz = S = None
    m = 0
    # Scalars stay plain floats and products are `ndarray.dot`: with the few products a warm
    # start needs, numpy's per-call cost on small arrays is most of an iteration.
    with np.errstate(all="ignore"):
        for j in range(limit):
            Q[j] = q
            w = np.asarray(hvp(q), float)
            alpha = float(q.dot(w))
            T[j, j] = alpha
            basis = Q[:j + 1]
            w -= basis.T.dot(basis.dot(w))  # twice is enough (Kahan): the basis stays orthogonal
            w -= basis.T.dot(basis.dot(w))
            beta = math.sqrt(float(w.dot(w)))
            m = j + 1
            if not math.isfinite(beta) or not math.isfinite(alpha):
                # A product that overflowed: no eigenvalue to report (NaN), not one of a basis cut short.
                return Eigenpairs(values=np.full(k, np.nan), vectors=np.full((k, n), np.nan), products=m)
            if m >= k:
                if m == 1:  # the Rayleigh quotient, its Ritz vector the start itself
                    last, scale = 1.0, max(abs(alpha), 1e-300)
                else:
                    ritz, S = _eigh_2x2(T[0, 0], T[0, 1], alpha) if m == 2 else np.linalg.eigh(T[:m, :m])
                    last = max(abs(x) for x in S[-1, -k:].tolist())
                    scale = max(abs(float(ritz[0])), abs(float(ritz[-1])), 1e-300)  # ritz ascends
                if m == n or beta * last <= tol * scale:
                    break
            if beta <= 1e-12 * max(abs(alpha), 1e-300):
                # An invariant subspace: go on from a direction the basis has not seen.
                fresh = fresh if fresh is not None else np.random.default_rng(0)
                q = fresh.standard_normal(n)
                q -= Q[:m].T.dot(Q[:m].dot(q))
                q -= Q[:m].T.dot(Q[:m].dot(q))
                q /= math.sqrt(float(q.dot(q)))
                beta = 0.0
            else:
                q = w / beta
            if j + 1 < limit:
                T[j, j + 1] = T[j + 1, j] = beta
    if ritz is None:  # stopped after one product
        ritz, S = T[:1, 0].copy(), np.ones((1, 1))
    top = slice(-1, -k - 1, -1)
    return Eigenpairs(values=ritz[top].copy(), vectors=S[:, top].T.dot(Q[:m]), products=m)


def _eigh_2x2(a: float, b: float, c: float) -> tuple[np.ndarray, np.ndarray]:
    """np.linalg.eigh of [[a, b], [b, c]] by one Jacobi rotation (Golub & Van Loan §8.5.2).

    Lanczos warm-started near an eigenvector mostly stops at two products, and numpy's eigh
    costs more there than the product itself. Eigenvalues ascending, eigenvectors as columns.
    """
    if b == 0.0:
        low, high = (a, c) if a <= c else (c, a)
        vectors = np.eye(2) if a <= c else np.array([[0.0, 1.0], [1.0, 0.0]])
        return np.array([low, high]), vectors
    tau = (c - a) / (2.0 * b)
    t = math.copysign(1.0, tau) / (abs(tau) + math.sqrt(1.0 + tau * tau))
    cs = 1.0 / math.sqrt(1.0 + t * t)
    sn = t * cs
    # Columns (cs, −sn) and (sn, cs) belong to a − t·b and c + t·b.
    first, second = a - t * b, c + t * b
    if first <= second:
        return np.array([first, second]), np.array([[cs, sn], [-sn, cs]])
    return np.array([second, first]), np.array([[sn, cs], [cs, -sn]])


def top_eigenvalues(objective, theta, k: int = 1, rng: np.random.Generator | None = None,
                    start=None, tol: float = DEFAULT_TOL, max_iter: int | None = None,
                    return_vectors: bool = False):
    """The k (≤ 10) largest eigenvalues of the Hessian at θ, descending, by seeded Lanczos.

    The start is `start` (e.g. the last step's top eigenvector) or a Gaussian drawn from
    `rng` (default: seed 0). With return_vectors=True an `Eigenpairs` is returned.
    """
    n = _dimension(objective, theta)
    if start is None:
        rng = rng if rng is not None else np.random.default_rng(0)
        start = rng.standard_normal(n)
    pairs = lanczos_top(objective.hvp_at(np.asarray(theta, float)), n, k, start, tol, max_iter)
    return pairs if return_vectors else pairs.values


def spectrum(objective, theta) -> np.ndarray:
    """Every eigenvalue of the exact Hessian at θ, ascending (NaN where H is not finite)."""
    _dimension(objective, theta)
    H = np.asarray(objective.hessian(np.asarray(theta, float)), float)
    if not np.isfinite(H).all():
        return np.full(H.shape[0], np.nan)
    return np.linalg.eigvalsh(H)


def slice_hessian(objective, theta, d1, d2) -> np.ndarray:
    """The Hessian of f(α, β) = L(θ + α·d₁ + β·d₂) at (0, 0): Dᵀ·H·D, shape (..., 2, 2).

    θ may be one point (n,) or many (..., n); the two products H·d₁, H·d₂ are one call.
    """
    theta = np.asarray(theta, float)
    D = np.stack([np.asarray(d1, float), np.asarray(d2, float)])
    if D.shape != (2, theta.shape[-1]):
        raise CurvatureError(f"directions must have shape ({theta.shape[-1]},), got "
                             f"{np.shape(d1)} and {np.shape(d2)}")
    HD = objective.hvp(theta[..., None, :], D)  # (..., 2, n)
    M = np.einsum("...in,jn->...ij", HD, D)
    return 0.5 * (M + np.swapaxes(M, -1, -2))


# Sharpness during training: Lanczos from the last top eigenvector, which moves little in
# `every` steps, so a few products give λmax to this relative residual (the eigenvalue's
# error goes as its square: ~1e-4 relative, plenty for a chart).
SHARPNESS_TOL = 1e-2
SHARPNESS_MAX_PRODUCTS = 24


class SharpnessRecorder:
    """λmax of the Hessian every `every` steps of a run: (steps, values), each warm-started.

    Cohen et al. 2021 ("Gradient descent on neural networks typically occurs at the edge of
    stability") record it every 50–100 steps offline; warm starts make every 10 cheap.
    """

    def __init__(self, every: int, n: int, rng: np.random.Generator | None = None):
        if isinstance(every, bool) or not isinstance(every, (int, np.integer)) or every < 0:
            raise CurvatureError(f"sharpness_every must be a whole number ≥ 0 (0: off), got {every!r}")
        self.every = int(every)
        self.steps: list[int] = []
        self.values: list[float] = []
        self._start = (rng if rng is not None else np.random.default_rng(0)).standard_normal(n)

    def due(self, step: int) -> bool:
        """Whether λmax is recorded at `step`."""
        return bool(self.every) and step % self.every == 0

    def observe(self, step: int, objective, theta) -> None:
        """Record λmax at θ (the parameters after `step` updates) when `step` is due."""
        if self.due(step):
            self.record(step, objective.hvp_at(theta), theta)

    def record(self, step: int, hvp, theta) -> None:
        """Record λmax at θ from v ↦ H(θ)·v (a kept pass: the caller may reuse its gradient)."""
        value = np.nan
        if np.isfinite(theta).all():
            pairs = lanczos_top(hvp, theta.size, 1, self._start, SHARPNESS_TOL, SHARPNESS_MAX_PRODUCTS)
            value = float(pairs.values[0])
            if math.isfinite(value):  # lanczos_top's values and vectors are finite together
                self._start = pairs.vectors[0]
        self.steps.append(int(step))
        self.values.append(value)

    def result(self) -> tuple[np.ndarray, np.ndarray]:
        return np.array(self.steps, dtype=int), np.array(self.values, dtype=float)


@dataclass
class ConjugateGradientResult:
    """x ≈ (H + λI)⁻¹b per row, the iterations each row took, and where CG met negative curvature."""

    x: np.ndarray
    iterations: np.ndarray
    negative_curvature: np.ndarray


def conjugate_gradient(hvp, b, damping: float = 0.0, tol: float = 1e-10,
                       max_iter: int = 50) -> ConjugateGradientResult:
    """Solve (H + λI)x = b by conjugate gradients on v ↦ H·v, row by row for b of shape (..., n).

    Hessian-free (Martens 2010): only products, never H. A row stops when its residual falls to
    tol·‖b‖, after max_iter products, or on a direction d with dᵀ(H + λI)d ≤ 0 (truncated
    Newton, Nocedal & Wright Algorithm 7.1): then it keeps the iterate so far, or b itself when
    that happens at once. After n iterations on an n×n positive definite system, x is exact.
    """
    b = np.asarray(b, float)
    x = np.zeros_like(b)
    r = b.copy()
    d = r.copy()
    rr = np.sum(r * r, axis=-1)
    goal = (tol * np.sqrt(rr)) ** 2
    active = rr > goal
    iterations = np.zeros(rr.shape, int)
    negative = np.zeros(rr.shape, bool)
    with np.errstate(all="ignore"):
        for _ in range(int(max_iter)):
            if not np.any(active):
                break
            Hd = np.asarray(hvp(d), float) + damping * d
            dHd = np.sum(d * Hd, axis=-1)
            bent = active & ~(dHd > 0)
            negative |= bent
            x = np.where((bent & (iterations == 0))[..., None], b, x)
            active &= dHd > 0
            alpha = np.where(active, rr / np.where(active, dHd, 1.0), 0.0)
            x = x + alpha[..., None] * d
            r = r - alpha[..., None] * Hd
            rr_new = np.sum(r * r, axis=-1)
            iterations += active
            beta = np.where(active, rr_new / np.where(active, rr, 1.0), 0.0)
            d = r + beta[..., None] * d
            rr = np.where(active, rr_new, rr)
            active &= rr_new > goal
    return ConjugateGradientResult(x, iterations, negative)
