"""Batch normalization of a hidden layer's net input, before its activation (Ioffe and Szegedy 2015).

    u = a·Wᵀ + b                      the layer's net input, one row per sample
    û = (u − μ) / √(σ² + ε)           μ, σ² of the batch in training, running averages when predicting
    y = γ·û + β                       γ, β learned like any weight; y goes into the activation f

Backpropagation goes through the batch statistics exactly: in training every sample's û depends on
every other sample of the batch, so ∂E/∂u is not ∂E/∂y·γ/σ alone. Deltas here are per sample, as in
core.network (the batch mean of the loss is taken where the gradient is summed).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EPS = 1e-5  # in √(σ² + ε): a neuron constant over the batch is not divided by zero
MOMENTUM = 0.9  # running ← momentum·running + (1 − momentum)·batch, once per training step


@dataclass
class NormParams:
    """γ and β of each hidden layer (arrays (..., n), possibly stacked over many parameter vectors),
    and the statistics to normalize with: None for the batch's own (training), or per hidden layer
    (running means, running variances) as the network predicts."""

    gammas: list
    betas: list
    statistics: tuple | None = None


@dataclass
class NormRecord:
    """What one layer's normalization computed, for its backward pass and for the diagram."""

    u: np.ndarray  # the net input before normalization
    inv_std: np.ndarray  # 1/√(σ² + ε), per neuron
    mean: np.ndarray  # μ used, per neuron
    variance: np.ndarray  # σ² used, per neuron
    gamma: np.ndarray
    batch_statistics: bool  # True in training: μ and σ² came from this batch
    normalized: np.ndarray | None = None  # û; with running statistics formed when first asked for

    @property
    def u_hat(self) -> np.ndarray:
        """û = (u − μ)/√(σ² + ε)."""
        if self.normalized is None:
            self.normalized = (self.u - self.mean) * self.inv_std
        return self.normalized


def normalize(u: np.ndarray, gamma, beta, statistics: tuple | None) -> tuple[np.ndarray, NormRecord]:
    """y = γ·(u − μ)/√(σ² + ε) + β over the samples axis (−2); statistics = (μ, σ²) or None for the batch's."""
    if statistics is None:
        mean = np.mean(u, axis=-2, keepdims=True)
        variance = np.var(u, axis=-2, keepdims=True)
    else:
        mean, variance = (np.asarray(s)[..., None, :] for s in statistics)
    inv_std = 1.0 / np.sqrt(variance + EPS)
    gamma = np.asarray(gamma)[..., None, :]
    beta = np.asarray(beta)[..., None, :]
    if statistics is None:
        u_hat = (u - mean) * inv_std
        return gamma * u_hat + beta, NormRecord(u, inv_std, mean, variance, gamma, True, u_hat)
    # Fixed statistics make the whole step one affine map per neuron, y = u·s + (β − μ·s) with
    # s = γ/√(σ² + ε): two passes over u instead of four (the predicting network's grids).
    scale = gamma * inv_std
    y = u * scale
    y += beta - mean * scale
    return y, NormRecord(u, inv_std, mean, variance, gamma, False)


def backward(dy: np.ndarray, record: NormRecord) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(per-sample ∂E/∂u, ∂E/∂γ, ∂E/∂β) from per-sample ∂E/∂y; the parameter gradients are batch means."""
    n = dy.shape[-2]
    grad_gamma = np.sum(dy * record.u_hat, axis=-2) / n
    grad_beta = np.sum(dy, axis=-2) / n
    d_hat = dy * record.gamma
    if record.batch_statistics:
        # μ and σ² move with every sample: the two batch-mean terms are their share of the chain rule
        du = record.inv_std * (d_hat - np.mean(d_hat, axis=-2, keepdims=True)
                               - record.u_hat * np.mean(d_hat * record.u_hat, axis=-2, keepdims=True))
    else:
        du = d_hat * record.inv_std
    return du, grad_gamma, grad_beta


def updated_running(running: tuple, batch: tuple) -> tuple:
    """The running (means, variances) after one training step whose batch had `batch` statistics.

    The variance kept is the batch's unbiased estimate, as the network will meet new samples."""
    means, variances = running
    new_means, new_variances = [], []
    for mean, variance, record in zip(means, variances, batch):
        n = record.u.shape[-2]
        unbiased = record.variance.reshape(-1) * (n / (n - 1) if n > 1 else 1.0)
        new_means.append(MOMENTUM * mean + (1 - MOMENTUM) * record.mean.reshape(-1))
        new_variances.append(MOMENTUM * variance + (1 - MOMENTUM) * unbiased)
    return new_means, new_variances
