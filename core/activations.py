"""Activation functions by name, each with the derivatives backpropagation and curvature need.

`forward_r` and `backprop_r` are Pearlmutter's R-operator (1994) through the activation:
the directional derivatives R{·} = ∂/∂r|₀ of the forward value and of the backward
error along a parameter direction v. Exact Hessian-vector products (core.hessian_vector)
chain them through the layers.

Every function works on arrays of any shape (the last axis is the layer's
neurons) and in any float dtype; none of them warns or raises on overflow,
so a diverging network shows up as inf/NaN values, not as a numpy warning.
"""
from __future__ import annotations

import numpy as np

from valley.core import limits

ACTIVATIONS = ("step", "linear", "sigmoid", "tanh", "hardtanh", "relu", "leaky_relu", "prelu", "maxout", "elu",
               "swish", "softplus", "softmax")

# Large enough that exp(-z) cannot overflow float64 and σ is exactly 0 or 1 beyond it.
_EXP_LIMIT = 700.0


class ActivationError(ValueError):
    """An unknown activation name or a bad activation option."""


def sigmoid(z):
    """σ(z) = 1 / (1 + e^-z), overflow-safe."""
    with np.errstate(over="ignore", under="ignore"):
        return 1.0 / (1.0 + np.exp(-np.clip(z, -_EXP_LIMIT, _EXP_LIMIT)))


def tanh(z):
    """tanh through one exp: about twice as fast as np.tanh on float64 (the training loop's cost)."""
    # 1 − 2/(e^{2z} + 1) is exact to ~1e-16 absolute, and needs no clipping:
    # e^{2z} = inf gives 1, e^{2z} = 0 gives −1.
    with np.errstate(over="ignore", under="ignore"):
        e = np.multiply(z, 2.0)
        if not isinstance(e, np.ndarray):
            return 1.0 - 2.0 / (np.exp(e) + 1.0)
        np.exp(e, out=e)
        e += 1.0
        np.divide(2.0, e, out=e)
        return np.subtract(1.0, e, out=e)


class Activation:
    """An elementwise activation a = f(z) with its derivative f'(z)."""

    name = ""
    elementwise = True
    learns_slope = False  # PReLU: a parameter of the network per neuron

    def f(self, z):
        raise NotImplementedError

    def df(self, z, a):
        """f'(z), given z and a = f(z) (whichever is cheaper to use)."""
        raise NotImplementedError

    def backprop(self, z, a, grad_a):
        """∂E/∂z from ∂E/∂a (for elementwise functions: ∂E/∂a · f'(z))."""
        return grad_a * self.df(z, a)

    def d2f(self, z, a):
        """f''(z), given z and a = f(z); 0 at a kink (the derivative is piecewise constant there)."""
        raise NotImplementedError

    def forward_r(self, z, a, rz):
        """R{a} = f'(z)·R{z}: how the activation moves when z moves by rz."""
        return self.df(z, a) * rz

    def backprop_r(self, z, a, rz, grad_a, r_grad_a):
        """R{∂E/∂z} = R{∂E/∂a}·f'(z) + ∂E/∂a·f''(z)·R{z}."""
        return r_grad_a * self.df(z, a) + grad_a * self.d2f(z, a) * rz

    def f_inplace(self, z):
        """f(z), allowed to overwrite z (batched loss evaluation keeps no pre-activations)."""
        return self.f(z)

    def curve(self, z):
        """(f, f′) along a line of z, to draw the activation's shape."""
        f = self.f(z)
        return f, self.df(z, f)

    def __repr__(self):
        return f"{type(self).__name__}()"


class Step(Activation):
    """Heaviside step, as in Rosenblatt's perceptron: 1 if z > 0 else 0 (derivative 0)."""

    name = "step"

    def f(self, z):
        return (z > 0).astype(np.result_type(z, np.float32))

    def df(self, z, a):
        return np.zeros_like(a)

    def d2f(self, z, a):
        return np.zeros_like(a)


class Linear(Activation):
    name = "linear"

    def f(self, z):
        return z

    def df(self, z, a):
        return np.ones_like(a)

    def backprop(self, z, a, grad_a):
        return grad_a

    def d2f(self, z, a):
        return np.zeros_like(a)

    def forward_r(self, z, a, rz):
        return rz

    def backprop_r(self, z, a, rz, grad_a, r_grad_a):
        return r_grad_a


class Sigmoid(Activation):
    name = "sigmoid"

    def f(self, z):
        return sigmoid(z)

    def df(self, z, a):
        return a * (1.0 - a)

    def d2f(self, z, a):
        return a * (1.0 - a) * (1.0 - 2.0 * a)


class Tanh(Activation):
    name = "tanh"

    def f(self, z):
        # numpy's own float32 tanh is vectorized and beats the exp route there.
        return np.tanh(z) if np.result_type(z) == np.float32 else tanh(z)

    def df(self, z, a):
        return 1.0 - a * a

    def d2f(self, z, a):
        return -2.0 * a * (1.0 - a * a)

    def f_inplace(self, z):
        # Without allocations this beats np.tanh even in float32 (memory traffic dominates).
        with np.errstate(over="ignore", under="ignore"):
            np.multiply(z, 2.0, out=z)
            np.exp(z, out=z)
            z += 1.0
            np.divide(2.0, z, out=z)
            return np.subtract(1.0, z, out=z)


class HardTanh(Activation):
    """tanh's piecewise-linear stand-in: z clipped to [−1, 1] (derivative 1 inside, 0 outside)."""

    name = "hardtanh"

    def f(self, z):
        return np.clip(z, -1.0, 1.0)

    def df(self, z, a):
        return (np.abs(z) < 1.0).astype(a.dtype)

    def d2f(self, z, a):
        return np.zeros_like(a)


class ReLU(Activation):
    name = "relu"

    def f(self, z):
        return np.maximum(z, 0.0)

    def df(self, z, a):
        return (z > 0).astype(a.dtype)

    def d2f(self, z, a):
        return np.zeros_like(a)


class LeakyReLU(Activation):
    """max(z, slope·z) for 0 ≤ slope < 1."""

    name = "leaky_relu"

    def __init__(self, slope: float = 0.01):
        if not limits.LEAKY_SLOPE.contains(float(slope)):
            raise ActivationError(f"leaky_relu slope must be {limits.LEAKY_SLOPE.describe()}, got {slope!r}")
        self.slope = float(slope)

    def f(self, z):
        return np.where(z > 0, z, self.slope * z)

    def df(self, z, a):
        return np.where(z > 0, 1.0, self.slope).astype(a.dtype)

    def d2f(self, z, a):
        return np.zeros_like(a)

    def __repr__(self):
        return f"LeakyReLU(slope={self.slope})"


class PReLU(LeakyReLU):
    """Leaky ReLU whose slope each neuron learns (He et al. 2015), starting at 0.25.

    The network keeps the slopes with its parameters and passes them in (`f_with`,
    `backprop_with`); `f` and `df` draw the starting shape.
    """

    name = "prelu"
    learns_slope = True
    INITIAL_SLOPE = 0.25

    def __init__(self):
        self.slope = self.INITIAL_SLOPE

    @staticmethod
    def _per_sample(slope, z):
        """The slopes (..., n) against z (..., samples, n): one slope per neuron, for every sample."""
        slope = np.asarray(slope, z.dtype)
        return slope[..., None, :] if slope.ndim >= 2 and z.ndim == slope.ndim + 1 else slope

    def f_with(self, z, slope):
        return np.where(z > 0, z, self._per_sample(slope, z) * z)

    def backprop_with(self, z, grad_a, slope):
        """(∂E/∂z, ∂E/∂slope summed over the samples) from ∂E/∂a."""
        negative = np.minimum(z, 0.0)
        return (np.where(z > 0, grad_a, self._per_sample(slope, z) * grad_a),
                np.sum(grad_a * negative, axis=-2))

    def __repr__(self):
        return "PReLU()"


class Maxout(Activation):
    """Each neuron the largest of k pieces, k lines of its inputs (Goodfellow et al. 2013).

    Its weight layer has k rows per neuron (neuron j's pieces are rows j·k … j·k + k − 1), so z
    has k values per neuron and a one: f((…, n·k)) → (…, n). The error flows back through the
    winning piece only.
    """

    name = "maxout"
    elementwise = False

    def __init__(self, pieces: int = 2):
        if isinstance(pieces, bool) or not isinstance(pieces, (int, np.integer)) \
                or not limits.MAXOUT_PIECES.contains(pieces):
            raise ActivationError(f"maxout pieces must be a whole number {limits.MAXOUT_PIECES.describe()}, "
                                  f"got {pieces!r}")
        self.pieces = int(pieces)

    def _grouped(self, z):
        return z.reshape(z.shape[:-1] + (-1, self.pieces))

    def winners(self, z):
        """The winning piece of every neuron, (…, n)."""
        return np.argmax(self._grouped(z), axis=-1)

    def f(self, z):
        return np.max(self._grouped(z), axis=-1)

    def backprop(self, z, a, grad_a):
        grouped = self._grouped(z)
        won = np.arange(self.pieces) == np.argmax(grouped, axis=-1)[..., None]
        return (won * grad_a[..., None]).reshape(z.shape)

    def curve(self, z):
        """(f, f′) of an example neuron for a picture: pieces of slopes spread over [−1, 1] through 0."""
        lines = np.linspace(-1.0, 1.0, self.pieces)
        values = np.multiply.outer(z, lines)
        winner = np.argmax(values, axis=-1)
        return np.max(values, axis=-1), lines[winner]

    def __repr__(self):
        return f"Maxout(pieces={self.pieces})"


class ELU(Activation):
    """z for z > 0, α(e^z − 1) otherwise."""

    name = "elu"

    def __init__(self, alpha: float = 1.0):
        if not limits.ELU_ALPHA.contains(float(alpha)):
            raise ActivationError(f"elu alpha must be {limits.ELU_ALPHA.describe()}, got {alpha!r}")
        self.alpha = float(alpha)

    def f(self, z):
        with np.errstate(under="ignore"):
            return np.where(z > 0, z, self.alpha * np.expm1(np.minimum(z, 0.0)))

    def df(self, z, a):
        return np.where(z > 0, 1.0, a + self.alpha).astype(a.dtype)

    def d2f(self, z, a):
        return np.where(z > 0, 0.0, a + self.alpha).astype(a.dtype)  # (αe^z)' = αe^z = a + α

    def __repr__(self):
        return f"ELU(alpha={self.alpha})"


class Swish(Activation):
    """z·σ(βz) (Ramachandran et al. 2017): β = 1 is SiLU, large β tends to ReLU, β → 0 to z/2."""

    name = "swish"

    def __init__(self, beta: float = 1.0):
        if not limits.SWISH_BETA.contains(float(beta)):
            raise ActivationError(f"swish beta must be {limits.SWISH_BETA.describe()}, got {beta!r}")
        self.beta = float(beta)

    def f(self, z):
        return z * sigmoid(self.beta * z)

    def df(self, z, a):
        s = sigmoid(self.beta * z)
        return s + self.beta * a * (1.0 - s)

    def d2f(self, z, a):
        s = sigmoid(self.beta * z)
        return self.beta * s * (1.0 - s) * (2.0 + self.beta * z * (1.0 - 2.0 * s))

    def __repr__(self):
        return f"Swish(beta={self.beta})"


class Softplus(Activation):
    """ln(1 + e^z), overflow-safe."""

    name = "softplus"

    def f(self, z):
        return np.logaddexp(0.0, z)

    def df(self, z, a):
        return sigmoid(z)

    def d2f(self, z, a):
        s = sigmoid(z)
        return s * (1.0 - s)


class Softmax(Activation):
    """e^{z_j} / Σ_k e^{z_k} over the last axis (a layer, not an elementwise function)."""

    name = "softmax"
    elementwise = False

    def f(self, z):
        with np.errstate(over="ignore", under="ignore", invalid="ignore"):
            e = np.exp(z - np.max(z, axis=-1, keepdims=True))
            return e / np.sum(e, axis=-1, keepdims=True)

    def df(self, z, a):
        """The diagonal of the Jacobian (use `backprop` for the full chain rule)."""
        return a * (1.0 - a)

    def backprop(self, z, a, grad_a):
        # Jacobian-vector product: ∂a_j/∂z_i = a_j(δ_ij − a_i).
        return a * (grad_a - np.sum(a * grad_a, axis=-1, keepdims=True))

    def d2f(self, z, a):
        """The diagonal ∂²a_j/∂z_j² (use `backprop_r` for the full second-order chain rule)."""
        return a * (1.0 - a) * (1.0 - 2.0 * a)

    def forward_r(self, z, a, rz):
        # The Jacobian diag(a) − aaᵀ is symmetric: its product with rz is backprop's.
        return self.backprop(z, a, rz)

    def backprop_r(self, z, a, rz, grad_a, r_grad_a):
        # R of a ⊙ (g − Σ a·g): ra ⊙ (g − Σ a·g) + a ⊙ (Rg − Σ (ra·g + a·Rg)).
        ra = self.forward_r(z, a, rz)
        s = np.sum(a * grad_a, axis=-1, keepdims=True)
        rs = np.sum(ra * grad_a + a * r_grad_a, axis=-1, keepdims=True)
        return ra * (grad_a - s) + a * (r_grad_a - rs)


_CLASSES = {cls.name: cls for cls in (Step, Linear, Sigmoid, Tanh, HardTanh, ReLU, LeakyReLU, PReLU, Maxout,
                                      ELU, Swish, Softplus, Softmax)}
# The knob each shaped activation takes, by its keyword in make_activation.
KNOBS = {"leaky_relu": "slope", "elu": "alpha", "swish": "beta", "maxout": "pieces"}


def make_activation(name: str, *, slope: float = 0.01, alpha: float = 1.0, beta: float = 1.0,
                    pieces: int = 2) -> Activation:
    """The activation called `name`; `slope` is leaky ReLU's, `alpha` is ELU's, `beta` is swish's,
    `pieces` maxout's."""
    if isinstance(name, Activation):
        return name
    key = str(name).lower().replace("-", "_")
    if key not in _CLASSES:
        raise ActivationError(f"unknown activation {name!r}; choose one of {', '.join(ACTIVATIONS)}")
    if key == "leaky_relu":
        return LeakyReLU(slope)
    if key == "elu":
        return ELU(alpha)
    if key == "swish":
        return Swish(beta)
    if key == "maxout":
        return Maxout(pieces)
    return _CLASSES[key]()
