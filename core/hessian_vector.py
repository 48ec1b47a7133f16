"""Exact Hessian-vector products of a network's loss: Pearlmutter's R-operator (1994).

R{x} = ∂x(θ + r·v)/∂r at r = 0 is pushed through the forward pass (R{z}, R{a}) and then
through backpropagation (R{δ}, R{∂E/∂W}); the last is H·v, exact to rounding, for about the
cost of one more forward and backward pass. `NetworkCurvature` keeps the forward and backward
pass at θ, so many products at one θ (Lanczos, conjugate gradients, the whole Hessian) pay
for them once.

Shapes broadcast like the network's own batched passes: θ of shape (..., n) and directions
v of shape (..., n) whose leading axes broadcast against θ's. So H·I is the exact Hessian
(θ of shape (n,), v of shape (n, n)), and a slice's curvature at P points along two
directions is one call (θ of shape (P, 1, n), v of shape (2, n)).
"""
from __future__ import annotations

import numpy as np

# Elements of one (directions × samples × neurons) block of a many-direction product.
_BLOCK_ELEMENTS = 1 << 21


def _t(A):
    return np.swapaxes(A, -1, -2)


class NetworkCurvature:
    """A network's loss at θ on (X, T): its value, its gradient, and exact H·v for any v."""

    def __init__(self, net, theta, X, T):
        self.net = net
        self.theta = np.asarray(theta, float)
        self.X, self.T = X, T
        W, b = net.unflatten(self.theta)
        self.W = W
        with np.errstate(all="ignore"):
            self.record = rec = net.propagate(W, b, X)
            back = net.backpropagate(W, rec, T, input_delta=False)
            self.value = (np.mean(net.loss_function.per_sample(rec.a[-1], T, rec.z[-1],
                                                               net.output_activation), axis=-1)
                          + net.penalty(W))
            self.delta = back.delta
            # Hidden activations are elementwise: R{a} = f'·R{z} and R{δ} = f'·R{∂E/∂a} +
            # (∂E/∂a·f'')·R{z}, with the factors f' and ∂E/∂a·f'' fixed at θ: kept once here.
            act = net.hidden_activation
            self.slope = [None] + [act.df(rec.z[l], rec.a[l]) for l in range(1, len(W))]
            self.bend = [None] + [np.matmul(back.delta[l + 1], W[l]) * act.d2f(rec.z[l], rec.a[l])
                                  for l in range(1, len(W))]
        self.gradient = back.flat()

    @property
    def dim(self) -> int:
        return self.net.n_params

    def hvp(self, v) -> np.ndarray:
        """H·v at θ for directions v of shape (..., n) (leading axes broadcast against θ's)."""
        v = np.asarray(v, float)
        if v.shape[-1:] != (self.dim,):
            raise ValueError(f"hvp: directions must have shape (..., {self.dim}), got {v.shape}")
        lead = np.broadcast_shapes(self.theta.shape[:-1], v.shape[:-1])
        if v.ndim < 2 or self.theta.ndim > 1:
            return self._hvp(v, lead)
        # Many directions at one θ (the whole Hessian): blocks that stay in cache.
        per_direction = self.X.shape[0] * max(self.net.layer_sizes)
        size = max(1, _BLOCK_ELEMENTS // per_direction)
        flat = v.reshape(-1, self.dim)
        out = np.empty_like(flat)
        for start in range(0, flat.shape[0], size):
            out[start:start + size] = self._hvp(flat[start:start + size], flat[start:start + size].shape[:-1])
        return out.reshape(v.shape)

    def _hvp(self, v, lead) -> np.ndarray:
        net, W, rec, delta = self.net, self.W, self.record, self.delta
        VW, Vb = net.unflatten(v)
        L = len(W)
        n = rec.a[0].shape[-2]
        rz, ra = [None] * (L + 1), [None] * (L + 1)
        with np.errstate(all="ignore"):
            for l in range(L):
                r = np.matmul(rec.a[l], _t(VW[l])) + Vb[l][..., None, :]
                if ra[l] is not None:
                    r = r + np.matmul(ra[l], _t(W[l]))
                rz[l + 1] = r
                if l + 1 < L:
                    ra[l + 1] = self.slope[l + 1] * r
            r_delta = net.loss_function.delta_r(rec.z[L], rec.a[L], self.T, net.output_activation, rz[L])
            parts = [None] * L
            for l in range(L - 1, -1, -1):
                r_gw = np.matmul(_t(r_delta), rec.a[l])
                if ra[l] is not None:
                    r_gw = r_gw + np.matmul(_t(delta[l + 1]), ra[l])
                r_gw = r_gw / n
                if net.regularization == "l2" and net.reg_rate:
                    r_gw = r_gw + net.reg_rate * VW[l]  # l1's sign(w) is piecewise constant: no curvature
                r_gb = np.sum(r_delta, axis=-2) / n
                if r_gw.shape[:-2] != lead:  # a direction that reached only some axes of θ
                    r_gw = np.broadcast_to(r_gw, lead + r_gw.shape[-2:])
                if r_gb.shape[:-1] != lead:
                    r_gb = np.broadcast_to(r_gb, lead + r_gb.shape[-1:])
                parts[l] = (r_gw.reshape(lead + (-1,)), r_gb)
                if l > 0:
                    r_back = np.matmul(r_delta, W[l]) + np.matmul(delta[l + 1], VW[l])
                    r_delta = self.slope[l] * r_back + self.bend[l] * rz[l]
        return np.concatenate([p for pair in parts for p in pair], axis=-1)

    def hessian(self) -> np.ndarray:
        """The exact n×n Hessian at one θ: H·I, symmetrized against rounding."""
        if self.theta.ndim != 1:
            raise ValueError(f"hessian: one θ of shape ({self.dim},), got {self.theta.shape}")
        H = self.hvp(np.eye(self.dim))
        return 0.5 * (H + H.T)
