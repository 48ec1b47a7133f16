"""Gradients through depth: how large each layer's gradient is, step by step.

`layer_norms(net, vectors)` splits flat parameter-shaped vectors (a training history's
gradients) by weight layer and gives each layer's Euclidean norm, weights and biases together:
(K vectors, L layers). Six sigmoid layers at Xavier initialization show a 10⁴ drop from the
last layer to the first (each sigmoid's derivative is at most 1/4); ReLU with He initialization
keeps them level; large initial weights make them grow towards the input.
"""
from __future__ import annotations

import numpy as np

from valley.core.network import Network


def layer_slices(net: Network) -> list[slice]:
    """Where each weight layer's weights and biases sit in get_params() order."""
    out = []
    for layer, (n_out, _) in enumerate(net.shapes):
        out.append(slice(net.param_index(layer, 0, 0), net.param_index(layer, n_out - 1) + 1))
    return out


def layer_norms(net: Network, vectors) -> np.ndarray:
    """‖v[layer]‖ for each vector (rows) and weight layer (columns); NaN stays NaN."""
    vectors = np.atleast_2d(np.asarray(vectors, float))
    if vectors.shape[-1] != net.n_params:
        raise ValueError(f"vectors of {vectors.shape[-1]} numbers, the network has {net.n_params} parameters")
    with np.errstate(over="ignore", invalid="ignore"):  # an exploding run's norms are inf, quietly
        return np.stack([np.sqrt(np.sum(vectors[:, s] ** 2, axis=1)) for s in layer_slices(net)], axis=1)
