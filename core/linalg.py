"""Symmetric eigendecomposition and the Newton step, for one matrix or a batch of them."""
from __future__ import annotations

import numpy as np

# Curvatures below this fraction of the largest |eigenvalue| count as zero: the
# step becomes the least-squares (pseudo-inverse) one.
SINGULAR_RCOND = 1e-12


def symmetric_eig(H: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Eigenvalues (ascending) and eigenvectors (columns) of symmetric (..., n, n) matrices.

    2×2 matrices use the closed form (fast for a 256×256 basin map); rows with
    non-finite entries give NaN instead of an exception.
    """
    H = np.asarray(H, dtype=float)
    if H.shape[-1] == 2:
        a, b, c = H[..., 0, 0], 0.5 * (H[..., 0, 1] + H[..., 1, 0]), H[..., 1, 1]
        mean, half = 0.5 * (a + c), 0.5 * (a - c)
        radius = np.hypot(half, b)
        phi = 0.5 * np.arctan2(b, half)  # angle of the eigenvector of the larger eigenvalue
        cos, sin = np.cos(phi), np.sin(phi)
        w = np.stack([mean - radius, mean + radius], axis=-1)
        V = np.stack([np.stack([-sin, cos], -1), np.stack([cos, sin], -1)], axis=-1)
        return w, V
    finite = np.isfinite(H).all(axis=(-2, -1))
    if finite.all():
        return np.linalg.eigh(H)
    w, V = np.linalg.eigh(np.where(finite[..., None, None], H, 0.0))
    return np.where(finite[..., None], w, np.nan), np.where(finite[..., None, None], V, np.nan)


def newton_step(w: np.ndarray, V: np.ndarray, g: np.ndarray,
                rcond: float = SINGULAR_RCOND) -> tuple[np.ndarray, np.ndarray]:
    """The step −M⁺g for M = V·diag(w)·Vᵀ, and which curvatures w were inverted.

    Solved in the eigenbasis: g's component along each eigenvector is divided by
    its curvature; curvatures below rcond × the largest |w| count as zero and
    their components are dropped (the least-squares step of a singular M).
    Works on batches: w (..., n), V (..., n, n), g (..., n).
    """
    scale = np.max(np.abs(w), axis=-1, keepdims=True)
    invertible = np.abs(w) > rcond * scale
    inverse = np.where(invertible, 1.0 / np.where(invertible, w, 1.0), 0.0)
    p = np.einsum("...ji,...j->...i", V, g)  # g in the eigenbasis
    return -np.einsum("...ij,...j->...i", V, inverse * p), invertible
