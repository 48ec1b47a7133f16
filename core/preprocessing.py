"""Input preprocessing, fitted on the training set only and applied to any data (slide 002).

Every transform is affine, y = W (x − shift), so one object holds them all:

- none: W = I, shift = 0.
- standardize: x ← (x − μ) / σ per feature; W = diag(1/σ), shift = μ.
- min_max: x ← (x − min) / (max − min) per feature; maps the training set to [0, 1].
- pca: PCA whitening W = Λ^(−1/2) Uᵀ, from the covariance M = U Λ Uᵀ of the training inputs:
  rotate into the eigenbasis (largest variance first), then scale each axis to variance 1.
- zca: ZCA (Mahalanobis) whitening W = M^(−1/2) = U Λ^(−1/2) Uᵀ: symmetric, and of all
  whitenings (W Wᵀ = M⁻¹) the one that moves the points least, so the inputs keep their axes.

Both whitenings give the training inputs the identity covariance. Variances and
covariances divide by n (numpy's default for std), so "identity" holds exactly for the
fitted set. Test data is transformed with the training statistics, never its own: the
network sees test inputs as it saw the training inputs.

A feature without spread on the training set (a constant column; fewer samples than
features, for whitening) cannot be scaled to variance 1: that is a PreprocessingError,
unless `eps` > 0 is given, which is added to each variance (to the range, for min_max)
before dividing, as cs231n's whitening does. The data is then only nearly white.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PREPROCESSING = ("none", "standardize", "min_max", "pca", "zca")
TITLES = {"none": "None", "standardize": "Standardize (x − μ) / σ",
          "min_max": "Min-max to [0, 1]", "pca": "PCA whitening", "zca": "ZCA whitening"}
# An eigenvalue of the covariance below this share of the largest is a direction without spread:
# dividing by its square root would blow rounding noise up to unit variance.
RANK_TOLERANCE = 1e-12
# A feature whose standard deviation is below this share of its largest magnitude is constant
# up to rounding (the mean of a column of 0.1s need not be exactly 0.1).
SPREAD_TOLERANCE = 1e-12
# Covariances square the inputs; beyond this size the squares leave the floating-point range.
LARGEST_INPUT = 1e150


class PreprocessingError(ValueError):
    """An unknown preprocessing, bad inputs, or training data without spread to scale by."""


@dataclass(frozen=True, eq=False)  # a generated == would compare numpy arrays: ambiguous
class Transform:
    """y = W (x − shift) for inputs x, fitted on a training set (see the module's note).

    `mean` and `covariance` are the training inputs' own (the "before" ellipse of a plot);
    `shift` is what is subtracted (the mean, or the minimum for min_max) and `matrix` is W,
    diagonal except for the whitenings. The covariance of the transformed training inputs
    is W M Wᵀ.
    """

    kind: str
    shift: np.ndarray       # (d,)
    matrix: np.ndarray      # (d, d)
    mean: np.ndarray        # (d,) of the training inputs
    covariance: np.ndarray  # (d, d) of the training inputs, dividing by n
    eps: float = 0.0

    @property
    def dimension(self) -> int:
        return int(self.shift.shape[0])

    @property
    def scale(self) -> np.ndarray:
        """Each feature's factor, the diagonal of W: 1/σ for standardize, 1/(max − min) for min_max."""
        return np.diag(self.matrix).copy()

    @property
    def output_covariance(self) -> np.ndarray:
        """The covariance of the transformed training inputs (the "after" ellipse): W M Wᵀ."""
        return self.matrix @ self.covariance @ self.matrix.T

    def apply(self, X) -> np.ndarray:
        """The transformed inputs, rows of X (n, d) → (n, d); the training statistics, not X's own."""
        X = _inputs(X, "apply")
        if X.shape[1] != self.dimension:
            raise PreprocessingError(f"{self.kind} was fitted on {self.dimension} features; "
                                     f"got inputs with {X.shape[1]}")
        return (X - self.shift) @ self.matrix.T


def _inputs(X, who: str) -> np.ndarray:
    X = np.asarray(X, float)
    if X.ndim != 2:
        raise PreprocessingError(f"{who} expects inputs of shape (n, features), got {X.shape}")
    return X


def make_transform(kind: str, X_train, eps: float = 0.0) -> Transform:
    """The preprocessing `kind` (one of PREPROCESSING; "min-max" also reads) fitted on X_train (n, d)."""
    key = str(kind).lower().replace("-", "_")
    if key not in PREPROCESSING:
        raise PreprocessingError(f"unknown preprocessing {kind!r}; choose one of {', '.join(PREPROCESSING)}")
    X = _inputs(X_train, key)
    n, d = X.shape
    if n == 0 or d == 0:
        raise PreprocessingError(f"{key} needs at least one training sample and one feature, "
                                 f"got inputs of shape {X.shape}")
    if not np.all(np.isfinite(X)):
        row, col = np.argwhere(~np.isfinite(X))[0]
        raise PreprocessingError(f"{key}: training input [{row}, {col}] is {X[row, col]}, not a finite number")
    if not (isinstance(eps, (int, float, np.integer, np.floating)) and np.isfinite(eps) and eps >= 0):
        raise PreprocessingError(f"{key}: eps must be a number ≥ 0, got {eps!r}")
    eps = float(eps)
    magnitude = np.max(np.abs(X), axis=0)
    if magnitude.max() > LARGEST_INPUT:
        j = int(np.argmax(magnitude))
        raise PreprocessingError(f"{key}: feature {j + 1} reaches {magnitude[j]:g}; preprocessing squares "
                                 f"the inputs, so they must stay within ±{LARGEST_INPUT:g}")
    mean = X.mean(axis=0)
    centred = X - mean
    # Computed on inputs scaled to at most 1, so tiny inputs keep their variance (1e-200 squared
    # is 0 in floating point) and large ones do not overflow; `scale` goes back in at the end.
    scale = float(np.max(np.abs(centred)))
    unit = centred / scale if scale > 0 else centred
    unit_covariance = unit.T @ unit / n
    covariance = unit_covariance * scale * scale
    if key == "none":
        return Transform(key, np.zeros(d), np.eye(d), mean, covariance, eps)
    if key in ("standardize", "min_max"):
        if key == "standardize":
            variance = np.maximum(np.diag(unit_covariance), 0.0)
            shift, spread, what = mean, _root(scale, variance, eps), "standard deviation"
            flat = np.flatnonzero(spread <= SPREAD_TOLERANCE * magnitude) if eps == 0 else []
        else:
            low = X.min(axis=0)
            shift, spread, what = low, X.max(axis=0) - low + eps, "range (max − min)"
            flat = np.flatnonzero(spread <= 0.0)
        if len(flat):
            j = int(flat[0])
            raise PreprocessingError(
                f"{key}: feature {j + 1} is constant on the training set (every value {X[0, j]:g}), "
                f"so its {what} is 0 (up to rounding) and cannot be divided by; drop the feature or pass eps > 0")
        return Transform(key, shift, np.diag(1.0 / spread), mean, covariance, eps)
    return _whitening(key, mean, covariance, unit_covariance, scale, n, eps)


def _root(scale: float, v, eps: float):
    """√(scale²·v + eps), without scale² underflowing to 0 or overflowing."""
    if eps == 0.0:
        return scale * np.sqrt(v)
    if scale >= 1.0:
        return scale * np.sqrt(v + eps / (scale * scale))
    return np.sqrt(scale * scale * v + eps)


def _whitening(key: str, mean, covariance, unit_covariance, scale: float, n: int, eps: float) -> Transform:
    lam, U = np.linalg.eigh(unit_covariance)
    lam, U = lam[::-1], U[:, ::-1]  # largest variance first: PCA's first axis
    # An eigenvector's sign is arbitrary; fixing it (largest entry positive) makes the PCA
    # picture the same on every machine.
    U = U * np.where(U[np.argmax(np.abs(U), axis=0), np.arange(U.shape[1])] < 0, -1.0, 1.0)
    top = max(float(lam[0]), 0.0)
    flat = np.flatnonzero(lam <= RANK_TOLERANCE * top) if top > 0 else np.arange(len(lam))
    if eps == 0.0 and len(flat):
        d = len(lam)
        direction = ", ".join(f"{v:.3g}" for v in U[:, flat[0]])
        why = (f"{n} samples of {d} features span at most {n - 1} directions" if n <= d
               else f"the training inputs have no spread along the direction ({direction})")
        raise PreprocessingError(f"{key} whitening needs a covariance of full rank: {why}; "
                                 f"whitening would divide by 0 there. Pass eps > 0 to regularise")
    inv_sqrt = 1.0 / _root(scale, np.maximum(lam, 0.0), eps)
    W = inv_sqrt[:, None] * U.T  # Λ^(−1/2) Uᵀ
    if key == "zca":
        W = U @ W
        W = 0.5 * (W + W.T)  # symmetric by construction; this removes the rounding's asymmetry
    return Transform(key, mean, W, mean, covariance, eps)


def covariance_ellipse(mean, covariance, radius: float = 2.0, points: int = 64) -> np.ndarray:
    """The closed outline (points + 1, 2) of {x : (x − μ)ᵀ M⁻¹ (x − μ) = radius²} of a 2-D cloud.

    A whitened cloud's is a circle of the radius; a flat direction draws as a segment.
    """
    mean, covariance = np.asarray(mean, float), np.asarray(covariance, float)
    if mean.shape != (2,) or covariance.shape != (2, 2):
        raise PreprocessingError(f"an ellipse needs a 2-D mean and a 2×2 covariance, got "
                                 f"{mean.shape} and {covariance.shape}")
    lam, U = np.linalg.eigh(0.5 * (covariance + covariance.T))
    t = np.linspace(0.0, 2 * np.pi, points + 1)
    circle = np.column_stack([np.cos(t), np.sin(t)])
    circle[-1] = circle[0]  # closed exactly: sin 2π is −2e-16, not 0
    return mean + radius * (circle * np.sqrt(np.maximum(lam, 0.0))) @ U.T
