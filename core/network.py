"""Multilayer perceptrons with backpropagation you can watch, and their loss as an n-D objective.

Numbering follows the diagram: neuron layers 0..L (0 is the input), and
weight layers 0..L-1 between them.

    weights[l]  shape (n_{l+1}, n_l): row j holds w_ji, the weights from neuron i into neuron j
    biases[l]   shape (n_{l+1},)
    z[l+1] = a[l] · weights[l]ᵀ + biases[l]     (one row per sample)
    a[l+1] = f(z[l+1]),  z[0] = a[0] = X
    delta[l] = ∂E/∂z[l] per sample (delta[0] = ∂E/∂X)
    grad_weights[l] = mean over the batch of delta[l+1]ᵀ a[l]  (+ the regularization term)

The flat parameter vector is, per weight layer, weights[l] row-major then biases[l]; with batch
normalization, then γ and β of each hidden layer (core.batch_norm); with PReLU, then each hidden
layer's slopes (one per neuron).
"""
from __future__ import annotations

import copy as _copy
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from valley.core import batch_norm as bn
from valley.core import limits
from valley.core.activations import Activation, make_activation
from valley.core.hessian_vector import NetworkCurvature
from valley.core.losses import make_loss
from valley.core.metrics import predicted_classes
from valley.core.objective import Objective

INITS = ("uniform", "gaussian", "lecun", "xavier", "he", "constant")
REGULARIZATIONS = ("none", "l1", "l2")
# The default scale of each initialization: uniform half-width a, gaussian σ,
# constant value (the slides' worked examples start every weight at .1), and a
# multiplier of the Xavier/He widths.
DEFAULT_INIT_SCALE = {"uniform": 0.5, "gaussian": 0.5, "lecun": 1.0, "xavier": 1.0, "he": 1.0, "constant": 0.1}
# Elements of one (points × samples × neurons) block in a batched evaluation: big
# enough that numpy's per-call overhead vanishes, small enough to stay in cache.
_CHUNK_ELEMENTS = 1 << 18
# The same for a plane's loss grid, whose chunks reuse their buffers: smaller still, so a
# chunk's pre-activations stay in a core's own cache from one layer to the next (measured).
_PLANE_CHUNK_ELEMENTS = 1 << 16
# The same for curvature passes at many points (each with its directions): every array of the
# R-operator is this big, and they are many, so smaller still.
_CURVATURE_BLOCK_ELEMENTS = 1 << 14


class NetworkError(ValueError):
    """A bad network configuration, or data of the wrong shape for the network."""


def parameter_count(layer_sizes) -> int:
    """Weights and biases of a fully connected net: Σ (n_in + 1)·n_out over its layers.

    Any shape, also beyond what Network builds: slide 003's exercise (40×40 inputs, three
    hidden layers of 100, 10 classes) has parameter_count([1600, 100, 100, 100, 10]) = 181,310.
    """
    sizes = list(layer_sizes)
    if len(sizes) < 2 or any(isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1
                             for n in sizes):
        raise NetworkError(f"layer_sizes must be two or more positive integers, got {layer_sizes!r}")
    return int(sum((n_in + 1) * n_out for n_in, n_out in zip(sizes[:-1], sizes[1:])))


@dataclass
class ForwardRecord:
    """Every neuron layer's pre-activation z[l] and activation a[l] (z[0] = a[0] = X).

    With dropout, masks[l] holds each hidden layer's mask (0 for a dropped neuron, 1/(1 − p)
    for a kept one) and the next layer sees a[l]·masks[l]; a[l] itself is f(z[l]), unmasked.
    """

    z: list
    a: list
    masks: list | None = None
    norm: list | None = None  # batch normalization: per neuron layer a bn.NormRecord (z[l] is then y = γû + β)
    slopes: list | None = None  # PReLU: each hidden layer's slopes (hidden layer l at index l − 1)

    def input_of(self, layer: int) -> np.ndarray:
        """What weight layer `layer` multiplies: a[layer], with its dropout mask applied."""
        mask = None if self.masks is None else self.masks[layer]
        return self.a[layer] if mask is None else self.a[layer] * mask

    @property
    def output(self) -> np.ndarray:
        return self.a[-1]


@dataclass
class BackwardRecord:
    """Error terms delta[l] = ∂E/∂z[l] per sample, and batch-averaged gradients per weight layer."""

    delta: list
    grad_weights: list
    grad_biases: list
    grad_gammas: list | None = None  # batch normalization, per hidden layer
    grad_betas: list | None = None
    grad_slopes: list | None = None  # PReLU, per hidden layer

    def flat(self) -> np.ndarray:
        """The gradient as a flat vector, in get_params() order."""
        parts = [np.concatenate([gw.reshape(gw.shape[:-2] + (-1,)), gb], axis=-1)
                 for gw, gb in zip(self.grad_weights, self.grad_biases)]
        if self.grad_gammas is not None:
            parts += [np.concatenate([gg, gb], axis=-1) for gg, gb in zip(self.grad_gammas, self.grad_betas)]
        if self.grad_slopes is not None:
            parts += list(self.grad_slopes)
        return np.concatenate(parts, axis=-1)


class Network:
    """A fully connected feed-forward network, e.g. Network([2, 4, 1], activation="tanh")."""

    def __init__(self, layer_sizes, activation: str = "tanh", output_activation: str = "sigmoid",
                 loss: str = "mse", init: str = "xavier", seed: int | None = 0, *,
                 leaky_slope: float = 0.01, elu_alpha: float = 1.0, swish_beta: float = 1.0, maxout_pieces: int = 2,
                 dropout=0.0, batch_norm: bool = False, regularization: str = "none",
                 reg_rate: float = 0.0, init_scale: float | None = None, rng=None):
        sizes = list(layer_sizes)
        if len(sizes) < 2:
            raise NetworkError(f"layer_sizes needs an input and an output size, got {layer_sizes!r}")
        for i, n in enumerate(sizes):
            if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 1:
                raise NetworkError(f"layer_sizes[{i}] must be a positive integer, got {n!r}")
        # The shapes Valley teaches with (limits.HIDDEN_LAYERS of limits.NEURONS); any number
        # of inputs and outputs. Enforced here so every caller gets the same clear error.
        hidden = sizes[1:-1]
        if not limits.HIDDEN_LAYERS.contains(len(hidden)):
            raise NetworkError(f"layer_sizes {list(layer_sizes)!r} has {len(hidden)} hidden layers; "
                               f"the limit is {limits.HIDDEN_LAYERS.hi}")
        for i, n in enumerate(hidden, 1):
            if not limits.NEURONS.contains(n):
                raise NetworkError(f"layer_sizes[{i}] (hidden layer {i}) has {n} neurons; the "
                                   f"limit is {limits.NEURONS.hi} per hidden layer")
        self.layer_sizes = [int(n) for n in sizes]
        self.leaky_slope = float(leaky_slope)
        self.elu_alpha = float(elu_alpha)
        self.swish_beta = float(swish_beta)
        self.maxout_pieces = maxout_pieces
        shape = dict(slope=leaky_slope, alpha=elu_alpha, beta=swish_beta, pieces=maxout_pieces)
        self.hidden_activation = make_activation(activation, **shape)
        self.output_activation = make_activation(output_activation, **shape)
        if self.hidden_activation.name == "softmax" and len(sizes) > 2:
            raise NetworkError("softmax is an output activation; choose another hidden activation")
        if self.output_activation.learns_slope or self.output_activation.name == "maxout":
            raise NetworkError(f"{self.output_activation.name} is a hidden activation; "
                               "choose another output activation")
        self.loss_function = make_loss(loss)
        regularization = str(regularization).lower()
        if regularization not in REGULARIZATIONS:
            raise NetworkError(f"regularization must be one of {REGULARIZATIONS}, got {regularization!r}")
        if not limits.REG_RATE.contains(float(reg_rate)):
            raise NetworkError(f"reg_rate must be {limits.REG_RATE.describe()}, got {reg_rate!r}")
        self.regularization = regularization
        self.reg_rate = float(reg_rate)
        rates = [dropout] * len(hidden) if np.ndim(dropout) == 0 else list(dropout)
        if len(rates) != len(hidden):
            raise NetworkError(f"dropout needs one rate per hidden layer ({len(hidden)}), got {dropout!r}")
        for i, p in enumerate(rates, 1):
            number = not isinstance(p, bool) and isinstance(p, (int, float, np.floating))
            if not number or not limits.DROPOUT.contains(float(p)):
                raise NetworkError(f"dropout of hidden layer {i} must be {limits.DROPOUT.describe()}, got {p!r}")
        self.dropout = [float(p) for p in rates]  # per hidden layer
        init = str(init).lower()
        if init == "glorot":
            init = "xavier"
        if init not in INITS:
            raise NetworkError(f"unknown init {init!r}; choose one of {', '.join(INITS)}")
        self.init = init
        self.init_scale = DEFAULT_INIT_SCALE[init] if init_scale is None else float(init_scale)
        self.seed = seed
        # A maxout layer's weights have a row per piece of each neuron (neuron j: rows j·k … j·k + k − 1).
        self.pieces = self.hidden_activation.pieces if self.hidden_activation.name == "maxout" else 1
        self.shapes = [(n_out * (self.pieces if l < len(sizes) - 2 else 1), n_in)
                       for l, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:]))]
        self._offsets = []
        offset = 0
        for n_out, n_in in self.shapes:
            self._offsets.append((offset, offset + n_out * n_in, offset + n_out * n_in + n_out))
            offset += n_out * n_in + n_out
        self.batch_norm = bool(batch_norm)
        if self.batch_norm and self.pieces > 1:
            raise NetworkError("batch norm normalizes one net input per neuron, and a maxout neuron has "
                               f"{self.pieces}: choose one of the two")
        self._norm_offset = offset  # where the γ and β of the hidden layers start
        if self.batch_norm:
            offset += 2 * sum(self.layer_sizes[1:-1])
        self.learns_slopes = self.hidden_activation.learns_slope and len(hidden) > 0
        self._slope_offset = offset  # where the hidden layers' PReLU slopes start
        if self.learns_slopes:
            offset += sum(self.layer_sizes[1:-1])
        self.n_params = offset
        self.weights: list[np.ndarray] = []
        self.biases: list[np.ndarray] = []
        self.gammas: list[np.ndarray] = []
        self.betas: list[np.ndarray] = []
        self.slopes: list[np.ndarray] = []
        # what prediction normalizes with: updated once per training step (bn.updated_running)
        self.running: tuple[list, list] = ([], [])
        self.initialize(rng if rng is not None else np.random.default_rng(seed))

    # --- description -----------------------------------------------------------------

    @property
    def activation(self) -> str:
        return self.hidden_activation.name

    @property
    def loss_name(self) -> str:
        return self.loss_function.name

    @property
    def n_layers(self) -> int:
        """The number of weight layers (hidden layers + 1)."""
        return len(self.shapes)

    def activation_of(self, layer: int) -> Activation:
        """The activation of neuron layer `layer` (1..L)."""
        return self.output_activation if layer == len(self.layer_sizes) - 1 else self.hidden_activation

    def param_names(self) -> list[str]:
        """A label per flat parameter: 'w0[j,i]' is weights[0][j, i], 'b0[j]' is biases[0][j]."""
        names = []
        for l, (n_out, n_in) in enumerate(self.shapes):
            k = n_out // self.layer_sizes[l + 1]  # maxout: w0[j:p,i] is piece p of neuron j
            rows = [f"{j}" if k == 1 else f"{j // k}:{j % k}" for j in range(n_out)]
            names += [f"w{l}[{row},{i}]" for row in rows for i in range(n_in)]
            names += [f"b{l}[{row}]" for row in rows]
        if self.batch_norm:
            for l, n in enumerate(self.layer_sizes[1:-1], 1):
                names += [f"γ{l}[{j}]" for j in range(n)] + [f"β{l}[{j}]" for j in range(n)]
        if self.learns_slopes:
            for l, n in enumerate(self.layer_sizes[1:-1], 1):
                names += [f"slope{l}[{j}]" for j in range(n)]
        return names

    @property
    def without_curvature(self) -> str | None:
        """What keeps Valley from this net's exact curvature (H·v, the Hessian, λmax, Newton), or None."""
        if self.batch_norm:
            return "batch normalization's batch statistics"
        if self.learns_slopes:
            return "PReLU's learnable slopes"
        if self.pieces > 1:
            return "maxout's pieces"
        return None

    def param_index(self, layer: int, row: int, col: int | None = None) -> int:
        """Flat index of weights[layer][row, col], or of biases[layer][row] when col is None."""
        if not 0 <= layer < self.n_layers:
            raise NetworkError(f"layer {layer} out of range 0..{self.n_layers - 1}")
        n_out, n_in = self.shapes[layer]
        w0, b0, _ = self._offsets[layer]
        if not 0 <= row < n_out or (col is not None and not 0 <= col < n_in):
            raise NetworkError(f"index ({row}, {col}) out of range for layer {layer} of shape "
                               f"{self.shapes[layer]}")
        return b0 + row if col is None else w0 + row * n_in + col

    def layer_slices(self) -> list[tuple[slice, slice]]:
        """Per weight layer, where its weights (row-major) and its biases sit in the flat vector."""
        return [(slice(w0, b0), slice(b0, end)) for w0, b0, end in self._offsets]

    def weight_mask(self) -> np.ndarray:
        """True for weights, False for biases, in flat order."""
        mask = np.zeros(self.n_params, bool)
        for w0, b0, _ in self._offsets:
            mask[w0:b0] = True
        return mask

    def __repr__(self):
        return (f"Network({self.layer_sizes}, activation={self.activation!r}, "
                f"output_activation={self.output_activation.name!r}, loss={self.loss_name!r})")

    # --- parameters --------------------------------------------------------------------

    def initialize(self, rng: np.random.Generator) -> None:
        """Draw fresh weights and biases from the network's initialization."""
        self.weights, self.biases = [], []
        s = self.init_scale
        for n_out, n_in in self.shapes:
            if self.init == "uniform":
                W, b = rng.uniform(-s, s, (n_out, n_in)), rng.uniform(-s, s, n_out)
            elif self.init == "gaussian":
                W, b = rng.normal(0.0, s, (n_out, n_in)), rng.normal(0.0, s, n_out)
            elif self.init == "xavier":
                a = s * np.sqrt(6.0 / (n_in + n_out))
                W, b = rng.uniform(-a, a, (n_out, n_in)), np.zeros(n_out)
            elif self.init == "lecun":  # Var(w) = 1/n_in: unit variance through a linear layer
                W, b = rng.normal(0.0, s * np.sqrt(1.0 / n_in), (n_out, n_in)), np.zeros(n_out)
            elif self.init == "he":
                W, b = rng.normal(0.0, s * np.sqrt(2.0 / n_in), (n_out, n_in)), np.zeros(n_out)
            else:
                W, b = np.full((n_out, n_in), s), np.full(n_out, s)
            self.weights.append(W)
            self.biases.append(b)
        hidden = self.layer_sizes[1:-1] if self.batch_norm else []
        self.gammas, self.betas = [np.ones(n) for n in hidden], [np.zeros(n) for n in hidden]
        self.running = ([np.zeros(n) for n in hidden], [np.ones(n) for n in hidden])
        self.slopes = [np.full(n, self.hidden_activation.INITIAL_SLOPE) for n in self.layer_sizes[1:-1]] \
            if self.learns_slopes else []

    def get_params(self) -> np.ndarray:
        """All parameters as one flat vector: per layer, weights row-major, then biases."""
        parts = [np.concatenate([W.ravel(), b]) for W, b in zip(self.weights, self.biases)]
        parts += [np.concatenate([g, b]) for g, b in zip(self.gammas, self.betas)]
        parts += self.slopes
        return np.concatenate(parts)

    def set_params(self, theta) -> None:
        theta = np.asarray(theta, float)
        if theta.shape != (self.n_params,):
            raise NetworkError(f"set_params expects shape ({self.n_params},), got {theta.shape}")
        theta = theta.copy()
        self.weights, self.biases = self.unflatten(theta)
        if self.batch_norm:
            self.gammas, self.betas = self._norm_views(theta)
        if self.learns_slopes:
            self.slopes = self.slopes_of(theta)

    def _norm_views(self, theta) -> tuple[list, list]:
        """(γ, β) per hidden layer, viewing theta of shape (..., n_params)."""
        gammas, betas, k = [], [], self._norm_offset
        for n in self.layer_sizes[1:-1]:
            gammas.append(theta[..., k:k + n])
            betas.append(theta[..., k + n:k + 2 * n])
            k += 2 * n
        return gammas, betas

    def slopes_of(self, theta=None) -> list | None:
        """PReLU's slopes per hidden layer (the network's own, or viewing theta (..., n_params)); None without."""
        if not self.learns_slopes:
            return None
        if theta is None:
            return self.slopes
        slopes, k = [], self._slope_offset
        for n in self.layer_sizes[1:-1]:
            slopes.append(theta[..., k:k + n])
            k += n
        return slopes

    def norm_params(self, theta=None, statistics="running") -> bn.NormParams | None:
        """γ, β (the network's own, or theta's) and what to normalize with: "running" (predicting),
        None (each batch its own statistics: training), or (means, variances) per hidden layer."""
        if not self.batch_norm:
            return None
        gammas, betas = (self.gammas, self.betas) if theta is None else self._norm_views(theta)
        return bn.NormParams(gammas, betas, self.running if statistics == "running" else statistics)

    def unflatten(self, theta):
        """(weights, biases) lists viewing theta of shape (..., n_params)."""
        lead = theta.shape[:-1]
        weights = [theta[..., w0:b0].reshape(lead + shape)
                   for (w0, b0, _), shape in zip(self._offsets, self.shapes)]
        biases = [theta[..., b0:end] for (_, b0, end) in self._offsets]
        return weights, biases

    def copy(self) -> Network:
        return _copy.deepcopy(self)

    # --- forward and backward -----------------------------------------------------------

    def forward(self, X, train: bool = False, rng=None, dtype=np.float64) -> ForwardRecord:
        """Every layer's z and a for inputs X of shape (batch, n_in).

        train=True draws dropout masks from `rng` (inverted dropout: kept units scaled by
        1/(1 − p), so nothing changes at test time) and normalizes with the batch's statistics;
        train=False is the network as it predicts (no dropout, running statistics).
        dtype=np.float32 computes in single precision throughout, about twice as fast: enough
        for a picture (~1e-7 relative), where a parameter beyond float32's range becomes inf.
        """
        X = self.check_inputs(X)
        masks = None
        if train and any(self.dropout):
            if rng is None:
                raise NetworkError("forward(train=True) with dropout needs rng, the generator of its masks")
            masks = self.draw_masks(X.shape[0], rng)
        statistics = None if train else "running"
        if np.dtype(dtype) == np.float64:
            return self.propagate(self.weights, self.biases, X, masks=masks,
                                  norm=self.norm_params(statistics=statistics), slopes=self.slopes_of())
        with np.errstate(over="ignore"):
            theta = self.get_params().astype(dtype)
            X = X.astype(dtype)
            masks = None if masks is None else [None if m is None else m.astype(dtype) for m in masks]
            if statistics == "running" and self.batch_norm:
                statistics = tuple([np.asarray(s, dtype) for s in part] for part in self.running)
        weights, biases = self.unflatten(theta)
        return self.propagate(weights, biases, X, masks=masks, norm=self.norm_params(theta, statistics),
                              slopes=self.slopes_of(theta))

    def draw_masks(self, n: int, rng: np.random.Generator) -> list | None:
        """Dropout masks for n samples: per neuron layer, None or (n, width) of 0 and 1/(1 − p)."""
        if not any(self.dropout):
            return None
        masks = [None] * len(self.layer_sizes)
        for l, p in enumerate(self.dropout, 1):
            if p > 0:
                masks[l] = (rng.random((n, self.layer_sizes[l])) >= p) / (1.0 - p)
        return masks

    def backward(self, record: ForwardRecord, T) -> BackwardRecord:
        """delta for every neuron layer and batch-averaged gradients, for targets T."""
        T = self.check_targets(T, record.a[0].shape[0])
        return self.backpropagate(self.weights, record, T, input_delta=True)

    def predict(self, X) -> np.ndarray:
        return self.forward(X).output

    def loss(self, X, T) -> float:
        """The objective: mean per-sample loss plus the regularization term."""
        X = self.check_inputs(X)
        T = self.check_targets(T, X.shape[0])
        with np.errstate(all="ignore"):
            return float(self.loss_at(self.weights, self.biases, X, T, self.norm_params(), self.slopes_of()))

    def data_loss(self, X, T) -> float:
        """Mean per-sample loss, without regularization."""
        X = self.check_inputs(X)
        T = self.check_targets(T, X.shape[0])
        with np.errstate(all="ignore"):
            rec = self.propagate(self.weights, self.biases, X, norm=self.norm_params(), slopes=self.slopes_of())
            return float(np.mean(self.loss_function.per_sample(
                rec.a[-1], T, rec.z[-1], self.output_activation)))

    def accuracy(self, X, T, threshold: float = 0.5) -> float:
        """Fraction classified right: argmax for several outputs, output > threshold for one."""
        X = self.check_inputs(X)
        T = self.check_targets(T, X.shape[0])
        out = self.predict(X)
        if out.shape[1] > 1:
            return float(np.mean(np.argmax(out, 1) == np.argmax(T, 1)))
        return float(np.mean((out[:, 0] > threshold) == (T[:, 0] > threshold)))

    def objective(self, X, T) -> NetworkObjective:
        """This network's loss on (X, T) as an n-D objective over the flat parameter vector."""
        return NetworkObjective(self, X, T)

    # --- at any parameters: weights/biases as lists, or stacked (P, ...) for P vectors at once ---

    def propagate(self, weights, biases, X, keep: bool = True, masks=None, norm=None, slopes=None
                  ) -> ForwardRecord:
        """The forward pass at the given parameters (checked inputs X, shape (batch, n_in)).

        keep=False may overwrite each z with its activation (loss-only evaluation); `masks`
        (draw_masks) drops hidden neurons, as in training with dropout; `norm` (norm_params)
        normalizes each hidden layer's net input before its activation; `slopes` (slopes_of) are
        PReLU's.
        """
        z, a = [X], [X]
        norms = [None] * (len(weights) + 1) if norm is not None else None
        last = len(weights) - 1
        with np.errstate(all="ignore"):
            for l, (W, b) in enumerate(zip(weights, biases)):
                if l == 0 and W.ndim == 3:
                    # Batched over parameter vectors: fold the bias into the first
                    # matmul ([X, 1] times [W, b]), saving a pass over the largest arrays.
                    ones = np.ones(X.shape[:-1] + (1,), X.dtype)
                    Wb = np.concatenate([W, b[..., :, None]], axis=-1)
                    zl = np.matmul(np.concatenate([X, ones], axis=-1), np.swapaxes(Wb, -1, -2))
                else:
                    inp = a[-1] if masks is None or masks[l] is None else a[-1] * masks[l]
                    zl = np.matmul(inp, np.swapaxes(W, -1, -2))
                    zl += b[..., None, :]
                act = self.output_activation if l == last else self.hidden_activation
                if norms is not None and l < last:
                    statistics = None if norm.statistics is None else (norm.statistics[0][l], norm.statistics[1][l])
                    zl, norms[l + 1] = bn.normalize(zl, norm.gammas[l], norm.betas[l], statistics)
                if slopes is not None and l < last:
                    z.append(zl)  # the slopes' gradient needs z
                    a.append(act.f_with(zl, slopes[l]))
                elif keep or l == last:
                    z.append(zl)
                    a.append(act.f(zl))
                else:
                    z.append(None)
                    a.append(act.f_inplace(zl))
        return ForwardRecord(z, a, masks, norms, slopes)

    def backpropagate(self, weights, record: ForwardRecord, T, input_delta: bool = True
                      ) -> BackwardRecord:
        """delta per neuron layer and the batch-averaged gradients, from propagate()'s record.

        input_delta=False skips delta[0] = ∂E/∂X, which a gradient does not need.
        """
        L = len(weights)
        n = record.a[0].shape[-2]
        delta = [None] * (L + 1)
        grad_w, grad_b = [None] * L, [None] * L
        grad_g, grad_beta = ([None] * (L - 1), [None] * (L - 1)) if record.norm is not None else (None, None)
        grad_slopes = [None] * (L - 1) if record.slopes is not None else None
        with np.errstate(all="ignore"):
            delta[L] = self.loss_function.delta(record.z[L], record.a[L], T, self.output_activation)
            for l in range(L - 1, -1, -1):
                gw = np.matmul(np.swapaxes(delta[l + 1], -1, -2), record.input_of(l))
                gw /= n
                if self.regularization == "l2" and self.reg_rate:
                    gw += self.reg_rate * weights[l]
                elif self.regularization == "l1" and self.reg_rate:
                    gw += self.reg_rate * np.sign(weights[l])
                grad_w[l] = gw
                grad_b[l] = np.sum(delta[l + 1], axis=-2) / n
                if l > 0 or input_delta:
                    back = np.matmul(delta[l + 1], weights[l])
                    if l > 0 and record.masks is not None and record.masks[l] is not None:
                        back *= record.masks[l]  # a dropped neuron passes no error back
                    if l == 0:
                        delta[l] = back
                    elif grad_slopes is not None:
                        delta[l], summed = self.hidden_activation.backprop_with(record.z[l], back,
                                                                              record.slopes[l - 1])
                        grad_slopes[l - 1] = summed / n
                    else:
                        delta[l] = self.hidden_activation.backprop(record.z[l], record.a[l], back)
                    if l > 0 and grad_g is not None:  # from ∂E/∂y back through γ and the statistics to u
                        delta[l], grad_g[l - 1], grad_beta[l - 1] = bn.backward(delta[l], record.norm[l])
        return BackwardRecord(delta, grad_w, grad_b, grad_g, grad_beta, grad_slopes)

    def penalty(self, weights):
        """The regularization term: λ/2·Σw² (l2) or λ·Σ|w| (l1) over the weights, not biases."""
        if self.regularization == "none" or not self.reg_rate:
            return 0.0
        if self.regularization == "l2":
            return self.reg_rate * 0.5 * sum(np.sum(W * W, axis=(-2, -1)) for W in weights)
        return self.reg_rate * sum(np.sum(np.abs(W), axis=(-2, -1)) for W in weights)

    def loss_at(self, weights, biases, X, T, norm=None, slopes=None):
        """Mean per-sample loss plus penalty at the given parameters (one value per vector)."""
        rec = self.propagate(weights, biases, X, keep=False, norm=norm, slopes=slopes)
        data = np.mean(self.loss_function.per_sample(rec.a[-1], T, rec.z[-1],
                                                     self.output_activation), axis=-1)
        return data + self.penalty(weights)

    def accuracy_at(self, weights, biases, X, T, norm=None, slopes=None):
        """The share of samples classified as targets T say, per parameter vector (NaN where an
        output is not finite): core.metrics' rule, batched over the parameters."""
        out = self.propagate(weights, biases, X, keep=False, norm=norm, slopes=slopes).a[-1]
        hits = np.mean(predicted_classes(out) == predicted_classes(T), axis=-1)
        return np.where(np.all(np.isfinite(out), axis=(-2, -1)), hits, np.nan)

    # --- validation ----------------------------------------------------------------------

    def check_inputs(self, X) -> np.ndarray:
        """X as a float array (batch, n_in); one sample may come as a 1-D row."""
        X = np.asarray(X, float)
        if X.ndim == 1 and self.layer_sizes[0] == X.shape[0]:
            X = X[None, :]
        if X.ndim != 2 or X.shape[1] != self.layer_sizes[0]:
            raise NetworkError(f"inputs X must have shape (batch, {self.layer_sizes[0]}), "
                               f"got {X.shape}")
        return X

    def check_targets(self, T, n: int) -> np.ndarray:
        """T as a float array (n, n_out); 1-D targets of a single-output net become a column."""
        T = np.asarray(T, float)
        k = self.layer_sizes[-1]
        if T.ndim == 1 and k == 1:
            T = T[:, None]
        elif T.ndim == 1 and T.shape[0] == k and n == 1:
            T = T[None, :]
        if T.shape != (n, k):
            raise NetworkError(f"targets T must have shape ({n}, {k}) for {n} samples, got {T.shape}")
        return T


class NetworkObjective(Objective):
    """A network's loss on fixed data as a function of the flat parameter vector θ.

    `value`, `gradient` accept θ of shape (n,) or (..., n) (batched: many parameter
    vectors in one forward pass); `hvp` and `hessian` are exact (the R-operator of
    core.hessian_vector). Evaluating never changes the network it came from.
    """

    batched = True

    def __init__(self, net: Network, X, T, share_net: bool = False):
        # A copy, so later training of `net` cannot change this function; share_net=True
        # skips it for a net that is already such a private copy (mini-batches).
        self.net = net if share_net else net.copy()
        self.X = self.net.check_inputs(X)
        self.T = self.net.check_targets(T, self.X.shape[0])
        self.dim = net.n_params
        self._typed = {}
        self.masks = None  # dropout masks of one training step (with_masks); None: the net as it predicts
        # batch normalization: "running" (the net's statistics), None (each evaluation its batch's:
        # training), or (means, variances) per hidden layer
        self.statistics = "running"
        self.last_norm = None  # the NormRecords of the last value_and_gradient (training updates running stats)

    def _variant(self, X=None, T=None, **changes) -> NetworkObjective:
        twin = NetworkObjective(self.net, self.X if X is None else X, self.T if T is None else T, share_net=True)
        if X is None:
            twin._typed = self._typed
        twin.masks, twin.statistics = self.masks, self.statistics
        for name, value in changes.items():
            setattr(twin, name, value)
        return twin

    def with_masks(self, masks) -> NetworkObjective:
        """The loss with these dropout masks (draw_masks for every sample): one training step's
        random network, the same for every evaluation the step makes (Nesterov's look-ahead too)."""
        return self._variant(masks=masks)

    def with_inputs(self, X) -> NetworkObjective:
        """The same loss on other inputs for the same targets (jittered inputs: augmentation)."""
        return self._variant(X=self.net.check_inputs(X))

    def training(self) -> NetworkObjective:
        """The loss as training sees it: batch normalization with each batch's own statistics."""
        return self._variant(statistics=None)

    def with_statistics(self, statistics) -> NetworkObjective:
        """The loss as the network predicts with these running (means, variances)."""
        return self._variant(statistics=statistics)

    def _norm(self, theta):
        return self.net.norm_params(theta, self.statistics)

    @property
    def n_samples(self) -> int:
        return self.X.shape[0]

    def subset(self, indices) -> NetworkObjective:
        """The same loss on a subset of the samples (a mini-batch)."""
        masks = None if self.masks is None else [None if m is None else m[indices] for m in self.masks]
        return self._variant(self.X[indices], self.T[indices], masks=masks)

    def _theta(self, theta):
        theta = np.asarray(theta, float)
        if theta.shape[-1:] != (self.dim,):
            raise NetworkError(f"theta must have shape (..., {self.dim}), got {theta.shape}")
        return theta

    def value(self, theta):
        theta = self._theta(theta)
        if theta.ndim == 1:
            if self.masks is not None:
                return self.value_and_gradient(theta)[0]
            W, b = self.net.unflatten(theta)
            with np.errstate(all="ignore"):
                return float(self.net.loss_at(W, b, self.X, self.T, self._norm(theta), self.net.slopes_of(theta)))
        return self.values(theta)

    def gradient(self, theta) -> np.ndarray:
        return self.value_and_gradient(theta)[1]

    def value_and_gradient(self, theta):
        """(loss, gradient) from one forward and one backward pass."""
        theta = self._theta(theta)
        if theta.ndim > 1:
            self._without_masks("a batch of gradients")
            flat = theta.reshape(-1, self.dim)
            values, grads = self._batched_value_and_gradient(flat)
            return values.reshape(theta.shape[:-1]), grads.reshape(theta.shape)
        W, b = self.net.unflatten(theta)
        with np.errstate(all="ignore"):
            rec = self.net.propagate(W, b, self.X, masks=self.masks, norm=self._norm(theta),
                                     slopes=self.net.slopes_of(theta))
            self.last_norm = rec.norm
            data = np.mean(self.net.loss_function.per_sample(
                rec.a[-1], self.T, rec.z[-1], self.net.output_activation))
            value = float(data + self.net.penalty(W))
            grad = self.net.backpropagate(W, rec, self.T, input_delta=False).flat()
        return value, grad

    def _batched_value_and_gradient(self, thetas):
        values = np.empty(thetas.shape[0])
        grads = np.empty_like(thetas)
        for start, stop in self._chunks(thetas.shape[0]):
            W, b = self.net.unflatten(thetas[start:stop])
            with np.errstate(all="ignore"):
                rec = self.net.propagate(W, b, self.X, norm=self._norm(thetas[start:stop]),
                                         slopes=self.net.slopes_of(thetas[start:stop]))
                values[start:stop] = np.mean(self.net.loss_function.per_sample(
                    rec.a[-1], self.T, rec.z[-1], self.net.output_activation), axis=-1)
                values[start:stop] += self.net.penalty(W)
                grads[start:stop] = self.net.backpropagate(W, rec, self.T, input_delta=False).flat()
        return values, grads

    def gradients(self, thetas) -> np.ndarray:
        """Gradients at many parameter vectors, shape (P, n) -> (P, n)."""
        return self.value_and_gradient(np.atleast_2d(self._theta(thetas)))[1]

    def values(self, thetas, dtype=np.float64, workers: int = 1) -> np.ndarray:
        """Losses at many parameter vectors (..., n) -> (...), batched and chunked.

        dtype=np.float32 is about 4× faster (a landscape picture needs ~1e-6, not 1e-16);
        workers > 1 evaluates chunks in threads (numpy releases the GIL).
        """
        self._without_masks("a batch of values")
        return self._batched(self.net.loss_at, thetas, dtype, workers)

    def accuracies(self, thetas, dtype=np.float32, workers: int = 1) -> np.ndarray:
        """The share of samples each parameter vector (..., n) -> (...) classifies as the targets
        say (core.metrics' rule), batched as `values`; NaN where an output is not finite."""
        self._without_masks("a batch of accuracies")
        return self._batched(self.net.accuracy_at, thetas, dtype, workers)

    def _batched(self, measure, thetas, dtype, workers) -> np.ndarray:
        """measure(W, b, X, T, norm) at many parameter vectors, in chunks (threads for workers > 1)."""
        thetas = self._theta(thetas)
        lead = thetas.shape[:-1]
        wide = np.ascontiguousarray(thetas.reshape(-1, self.dim), dtype=np.float64)
        with np.errstate(all="ignore"):  # a diverged θ beyond float32's range becomes inf here
            flat = wide.astype(dtype, copy=False)
        X, T = self._data(dtype)
        out = np.empty(flat.shape[0])

        def work(bounds):
            start, stop = bounds
            W, b = self.net.unflatten(flat[start:stop])
            with np.errstate(all="ignore"):
                part = flat[start:stop]
                out[start:stop] = measure(W, b, X, T, self._norm(part), self.net.slopes_of(part))

        chunks = self._chunks(flat.shape[0])
        if workers > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(workers) as pool:
                list(pool.map(work, chunks))
        else:
            for bounds in chunks:
                work(bounds)
        if flat.dtype != np.float64:
            # Where the narrow type overflowed on a finite θ, answer in float64 instead.
            redo = np.flatnonzero(~np.isfinite(out) & np.isfinite(wide).all(axis=1))
            for start, stop in self._chunks(redo.size):
                rows = redo[start:stop]
                W, b = self.net.unflatten(wide[rows])
                with np.errstate(all="ignore"):
                    out[rows] = measure(W, b, self.X, self.T, self._norm(wide[rows]), self.net.slopes_of(wide[rows]))
        return out.reshape(lead)

    def plane_values(self, theta0, d1, d2, alpha, beta, dtype=np.float64, workers: int = 1
                     ) -> np.ndarray:
        """Losses at θ₀ + α·d₁ + β·d₂ for broadcast arrays α, β (a landscape's grid), batched.

        Every layer's weights are affine in (α, β), and so are the first layer's pre-activations
        X·W₀ᵀ + b₀: formed once per direction, they give each point's first layer as [1, α, β]
        times three fixed arrays, one product for a whole chunk of points, and no θ is ever
        formed. The chunks reuse their buffers. dtype and workers as in `values`.
        """
        net = self.net
        theta0, d1, d2 = (self._theta(np.asarray(v, float)) for v in (theta0, d1, d2))
        if theta0.ndim != 1 or d1.ndim != 1 or d2.ndim != 1:
            raise NetworkError(f"plane_values: θ₀, d₁ and d₂ must each have shape ({self.dim},)")
        alpha, beta = np.broadcast_arrays(np.asarray(alpha, float), np.asarray(beta, float))
        if net.without_curvature:  # normalization, or slopes that move with θ: every point's θ, as values() does
            return self.values(theta0 + alpha[..., None] * d1 + beta[..., None] * d2, dtype=dtype, workers=workers)
        dtype = np.dtype(dtype)
        X, T = self._data(dtype)
        parts = [net.unflatten(v) for v in (theta0, d1, d2)]  # (weights, biases) of each
        with np.errstate(all="ignore"):
            first = np.stack([self.X @ W[0].T + b[0] for W, b in parts]).reshape(3, -1)
            stacks = [(np.stack([W[l] for W, _ in parts]).reshape(3, -1).astype(dtype),
                       np.stack([b[l] for _, b in parts]).astype(dtype)) for l in range(net.n_layers)]
            first = first.astype(dtype)
        coefficients = np.stack([np.ones(alpha.size), alpha.ravel(), beta.ravel()], axis=1)
        with np.errstate(all="ignore"):  # a coefficient beyond float32's range becomes inf here
            narrow = coefficients.astype(dtype)
        out = np.empty(alpha.size)
        chunks = self._chunks(alpha.size, _PLANE_CHUNK_ELEMENTS)
        groups = [chunks[i::max(1, workers)] for i in range(max(1, workers))]

        def work(group):
            # Each worker's pre-activation buffers, one per layer, reused chunk after chunk: no
            # allocation per chunk (fresh pages cost more than the arithmetic on them).
            size = group[0][1] - group[0][0]
            buffers = [np.empty((size, X.shape[0], n), dtype) for n in net.layer_sizes[1:]]
            # numpy's error state is per thread: a worker thread must quiet its own overflow
            with np.errstate(all="ignore"):
                for start, stop in group:
                    c = narrow[start:stop]
                    P = c.shape[0]
                    z = np.matmul(c, first, out=buffers[0][:P].reshape(P, -1))
                    out[start:stop] = self._plane_chunk(z.reshape(P, X.shape[0], -1), c, stacks, T,
                                                        [buf[:P] for buf in buffers])

        if len(groups) > 1 and len(chunks) > 1:
            with ThreadPoolExecutor(len(groups)) as pool:
                list(pool.map(work, groups))
        else:
            work(chunks)
        if dtype != np.float64:
            # Where the narrow type overflowed on a finite θ, answer in float64 instead.
            redo = np.flatnonzero(~np.isfinite(out))
            if redo.size:
                a, b = coefficients[redo, 1:2], coefficients[redo, 2:3]
                with np.errstate(all="ignore"):
                    thetas = theta0 + a * d1 + b * d2
                finite = np.isfinite(thetas).all(axis=1)
                out[redo[finite]] = self.values(thetas[finite])
        return out.reshape(alpha.shape)

    def _plane_chunk(self, z, c, stacks, T, buffers):
        """The losses of one chunk of plane points from their first pre-activations z (P, s, n₁)."""
        net = self.net
        last = net.n_layers - 1
        a = net.activation_of(1).f_inplace(z) if last else None
        penalized = net.regularization != "none" and net.reg_rate
        weights = []
        for l, (W_stack, b_stack) in enumerate(stacks):
            if l == 0:
                if penalized:
                    weights.append((c @ W_stack).reshape((c.shape[0],) + net.shapes[0]))
                continue
            W = (c @ W_stack).reshape((c.shape[0],) + net.shapes[l])
            weights.append(W)
            z = np.matmul(a, np.swapaxes(W, -1, -2), out=buffers[l])
            z += (c @ b_stack)[:, None, :]
            if l < last:
                a = net.activation_of(l + 1).f_inplace(z)
        a_out = net.output_activation.f(z)
        data = np.mean(net.loss_function.per_sample(a_out, T, z, net.output_activation), axis=-1)
        return data + net.penalty(weights) if penalized else data

    def curvature(self, theta) -> NetworkCurvature:
        """The loss at θ (n,) or (..., n) with its gradient and exact H·v, sharing one pass."""
        self._without_masks("curvature")
        if self.net.without_curvature:
            raise NetworkError(f"curvature (H·v, the Hessian, λmax) is not computed through "
                               f"{self.net.without_curvature}")
        return NetworkCurvature(self.net, self._theta(theta), self.X, self.T)

    def hvp_at(self, theta):
        return self.curvature(theta).hvp

    def hvp(self, theta, v) -> np.ndarray:
        """Exact H(θ)·v; θ (..., n) and v (..., n) broadcast (several directions at once)."""
        return self.curvature(theta).hvp(v)

    def gradient_and_hvp(self, theta, v):
        """(gradient, exact H·v) from one forward and backward pass; shapes as in `hvp`.

        Many θ (..., n) go through in blocks along their first axis, each block's arrays small
        enough to stay in cache (Newton on a slice: a few points, each with its two directions).
        """
        theta = self._theta(theta)
        v = np.asarray(v, float)
        if theta.ndim == 1:
            at = self.curvature(theta)
            return at.gradient, at.hvp(v)
        lead = np.broadcast_shapes(theta.shape[:-1], v.shape[:-1])
        per_point = int(np.prod(lead[1:])) * self.X.shape[0] * max(self.net.layer_sizes)
        size = max(1, _CURVATURE_BLOCK_ELEMENTS // per_point)
        both_split = v.ndim == theta.ndim and v.shape[0] == theta.shape[0] != 1
        gradients = np.empty(theta.shape)
        products = np.empty(lead + (self.dim,))
        for start in range(0, theta.shape[0], size):
            part = slice(start, start + size)
            at = self.curvature(theta[part])
            gradients[part] = at.gradient
            products[part] = at.hvp(v[part] if both_split else v)
        return gradients, products

    def hessian(self, theta) -> np.ndarray:
        """The exact ∂²L/∂θ² at one θ (n,), assembled from the layers' blocks (NetworkCurvature)."""
        theta = self._theta(theta)
        if theta.ndim != 1:
            raise NetworkError(f"hessian expects one theta of shape ({self.dim},), got {theta.shape}")
        return self.curvature(theta).hessian()

    def _without_masks(self, what: str) -> None:
        if self.masks is not None:
            raise NetworkError(f"{what} of a loss with dropout masks: curvature and curves are of the "
                               "network as it predicts (train without masks, or draw none)")

    def _data(self, dtype):
        dtype = np.dtype(dtype)
        if dtype not in self._typed:
            self._typed[dtype] = (self.X.astype(dtype), self.T.astype(dtype))
        return self._typed[dtype]

    def _chunks(self, P: int, elements: int | None = None):
        per_point = self.X.shape[0] * max(self.net.layer_sizes)
        size = max(1, (_CHUNK_ELEMENTS if elements is None else elements) // per_point)
        return [(s, min(P, s + size)) for s in range(0, P, size)]
