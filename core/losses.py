"""Loss functions by name: per-sample error E and its derivative for backpropagation.

Per sample, each loss sums over the output neurons (the slides' E = ½Σ(t − o)²);
a network averages the per-sample values over the batch.
"""
from __future__ import annotations

import numpy as np

from valley.core.activations import Activation

LOSSES = ("mse", "mae", "bce", "cross_entropy")

# Probabilities are clipped this far from 0 and 1 before a log, so log(0) never happens.
_EPS = 1e-12


class LossError(ValueError):
    """An unknown loss name."""


class Loss:
    """A loss E(a, t) per sample, with ∂E/∂a, and ∂E/∂z through the output activation."""

    name = ""

    def per_sample(self, a, T, z=None, activation: Activation | None = None):
        """E for each sample (the last axis, the outputs, is summed)."""
        raise NotImplementedError

    def grad_a(self, a, T):
        """∂E/∂a per sample."""
        raise NotImplementedError

    def grad_a_r(self, a, T, ra):
        """R{∂E/∂a} = ∂²E/∂a² · ra per sample (the loss's own curvature along ra)."""
        raise NotImplementedError

    def delta(self, z, a, T, activation: Activation):
        """∂E/∂z per sample: the output layer's error term."""
        return activation.backprop(z, a, self.grad_a(a, T))

    def delta_r(self, z, a, T, activation: Activation, rz):
        """R{∂E/∂z}: how the output error term moves when z moves by rz (Pearlmutter's R-operator)."""
        ra = activation.forward_r(z, a, rz)
        return activation.backprop_r(z, a, rz, self.grad_a(a, T), self.grad_a_r(a, T, ra))

    def __repr__(self):
        return f"{type(self).__name__}()"


class MSE(Loss):
    """E = ½ Σ (t − o)², as the slides write it."""

    name = "mse"

    def per_sample(self, a, T, z=None, activation=None):
        return 0.5 * np.sum((T - a) ** 2, axis=-1)

    def grad_a(self, a, T):
        return a - T

    def grad_a_r(self, a, T, ra):
        return ra


class MAE(Loss):
    """E = Σ |t − o| (derivative sign(o − t), 0 where o = t)."""

    name = "mae"

    def per_sample(self, a, T, z=None, activation=None):
        return np.sum(np.abs(T - a), axis=-1)

    def grad_a(self, a, T):
        return np.sign(a - T)

    def grad_a_r(self, a, T, ra):
        return np.zeros(np.broadcast_shapes(np.shape(a), np.shape(ra)))  # |·| is piecewise linear


class BinaryCrossEntropy(Loss):
    """E = −Σ [t ln o + (1 − t) ln(1 − o)]; from the logits when the output is a sigmoid."""

    name = "bce"

    def per_sample(self, a, T, z=None, activation=None):
        if z is not None and activation is not None and activation.name == "sigmoid":
            # −[t ln σ(z) + (1−t) ln(1−σ(z))] = ln(1 + e^z) − t z, finite for any z.
            # ln(1 + e^z) = max(z, 0) + ln(1 + e^−|z|): faster than logaddexp, as exact.
            with np.errstate(under="ignore"):
                softplus = np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))
            return np.sum(softplus - T * z, axis=-1)
        p = np.clip(a, _EPS, 1.0 - _EPS)
        return -np.sum(T * np.log(p) + (1.0 - T) * np.log1p(-p), axis=-1)

    def grad_a(self, a, T):
        p = np.clip(a, _EPS, 1.0 - _EPS)
        return (p - T) / (p * (1.0 - p))

    def grad_a_r(self, a, T, ra):
        # d/dp (p − t)/q with q = p(1 − p): (q − (p − t)(1 − 2p))/q²; 0 where p is clipped.
        p = np.clip(a, _EPS, 1.0 - _EPS)
        q = p * (1.0 - p)
        inside = (a > _EPS) & (a < 1.0 - _EPS)
        return np.where(inside, (q - (p - T) * (1.0 - 2.0 * p)) / (q * q), 0.0) * ra

    def delta(self, z, a, T, activation):
        if activation.name == "sigmoid":
            return a - T  # σ'(z) cancels the denominator
        return super().delta(z, a, T, activation)

    def delta_r(self, z, a, T, activation, rz):
        if activation.name == "sigmoid":
            return activation.forward_r(z, a, rz)
        return super().delta_r(z, a, T, activation, rz)


class CrossEntropy(Loss):
    """Categorical cross-entropy E = −Σ t_j ln p_j; from the logits when the output is softmax."""

    name = "cross_entropy"

    def per_sample(self, a, T, z=None, activation=None):
        if z is not None and activation is not None and activation.name == "softmax":
            # −Σ t_j (z_j − ln Σ_k e^{z_k}), the slides' J(u, t) = −u_t + ln Σ e^{u_j}.
            m = np.max(z, axis=-1, keepdims=True)
            with np.errstate(under="ignore"):
                lse = m + np.log(np.sum(np.exp(z - m), axis=-1, keepdims=True))
            return np.sum(T * (lse - z), axis=-1)
        return -np.sum(T * np.log(np.clip(a, _EPS, None)), axis=-1)

    def grad_a(self, a, T):
        return -T / np.clip(a, _EPS, None)

    def grad_a_r(self, a, T, ra):
        p = np.clip(a, _EPS, None)
        return np.where(a > _EPS, T / (p * p), 0.0) * ra

    def delta(self, z, a, T, activation):
        if activation.name == "softmax":
            # Σ_j t_j · a − t, which is a − t for one-hot targets.
            return np.sum(T, axis=-1, keepdims=True) * a - T
        return super().delta(z, a, T, activation)

    def delta_r(self, z, a, T, activation, rz):
        if activation.name == "softmax":
            return np.sum(T, axis=-1, keepdims=True) * activation.forward_r(z, a, rz)
        return super().delta_r(z, a, T, activation, rz)


_CLASSES = {cls.name: cls for cls in (MSE, MAE, BinaryCrossEntropy, CrossEntropy)}
_ALIASES = {"ce": "cross_entropy", "categorical_cross_entropy": "cross_entropy",
            "binary_cross_entropy": "bce"}


def make_loss(name: str) -> Loss:
    """The loss called `name` (one of LOSSES)."""
    if isinstance(name, Loss):
        return name
    key = str(name).lower().replace("-", "_")
    key = _ALIASES.get(key, key)
    if key not in _CLASSES:
        raise LossError(f"unknown loss {name!r}; choose one of {', '.join(LOSSES)}")
    return _CLASSES[key]()

