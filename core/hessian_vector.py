"""Exact Hessian-vector products of a network's loss: Pearlmutter's R-operator (1994).

R{x} = ∂x(θ + r·v)/∂r at r = 0 is pushed through the forward pass (R{z}, R{a}) and then
through backpropagation (R{δ}, R{∂E/∂W}); the last is H·v, exact to rounding, for about the
cost of one more forward and backward pass. `NetworkCurvature` keeps the forward and backward
pass at θ, so many products at one θ (Lanczos, conjugate gradients, the whole Hessian) pay
for them once. The whole Hessian at one θ is not n such products but a few matrix products
per pair of layers over the samples (`NetworkCurvature.hessian`).

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
        self._layout = None

    @property
    def dim(self) -> int:
        return self.net.n_params

    def hvp(self, v) -> np.ndarray:
        """H·v at θ for directions v of shape (..., n) (leading axes broadcast against θ's)."""
        v = np.asarray(v, float)
        if v.shape[-1:] != (self.dim,):
            raise ValueError(f"hvp: directions must have shape (..., {self.dim}), got {v.shape}")
        if v.ndim == 1 and self.theta.ndim == 1:
            return self._hvp_one(v)
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

    def _hvp_one(self, v) -> np.ndarray:
        """H·v for one direction v (n,) at one θ (n,): Lanczos' and CG's products.

        The R-operator of `_hvp` on plain 2-D arrays, each layer's part written straight into its
        place in the flat result. At a few dozen samples numpy's cost per call, not arithmetic,
        is most of a product: so no broadcasting, one division at the end, `ndarray.dot` (a
        fraction of `matmul`'s dispatch) and sums over the samples as products with ones.
        """
        net, W, rec, delta, slope = self.net, self.W, self.record, self.delta, self.slope
        if self._layout is None:  # per layer: its weights' slice and shape, its biases' slice
            self._layout = [(weights, w.shape, biases) for (weights, biases), w in zip(net.layer_slices(), W)]
            self._ones = np.ones(rec.a[0].shape[0])
        layout, ones = self._layout, self._ones
        L = len(W)
        rz, ra = [None] * (L + 1), [None] * (L + 1)
        out = np.empty(self.dim)
        with np.errstate(all="ignore"):
            for l, (weights, shape, biases) in enumerate(layout):
                r = rec.a[l].dot(v[weights].reshape(shape).T)
                r += v[biases]
                if ra[l] is not None:
                    r += ra[l].dot(W[l].T)
                rz[l + 1] = r
                if l + 1 < L:
                    ra[l + 1] = slope[l + 1] * r
            r_delta = net.loss_function.delta_r(rec.z[L], rec.a[L], self.T, net.output_activation, rz[L])
            for l in range(L - 1, -1, -1):
                weights, shape, biases = layout[l]
                r_gw = out[weights].reshape(shape)  # a view: the product lands in place
                r_delta.T.dot(rec.a[l], out=r_gw)
                if ra[l] is not None:
                    r_gw += delta[l + 1].T.dot(ra[l])
                ones.dot(r_delta, out=out[biases])
                if l > 0:
                    r_back = r_delta.dot(W[l])
                    r_back += delta[l + 1].dot(v[weights].reshape(shape))
                    r_back *= slope[l]
                    r_back += self.bend[l] * rz[l]
                    r_delta = r_back
            out /= ones.size
            if net.regularization == "l2" and net.reg_rate:  # l1's sign(w) is piecewise constant: no curvature
                for weights, _, _ in layout:
                    out[weights] += net.reg_rate * v[weights]
        return out

    def _hvp(self, v, lead) -> np.ndarray:
        net, W, rec, delta = self.net, self.W, self.record, self.delta
        VW, Vb = net.unflatten(v)
        L = len(W)
        n = rec.a[0].shape[-2]
        rz, ra = [None] * (L + 1), [None] * (L + 1)
        # In place wherever the left side already has the broadcast shape: each array here is
        # one (directions × samples × neurons) block, and a fresh one costs more than its sums.
        with np.errstate(all="ignore"):
            for l in range(L):
                r = np.matmul(rec.a[l], _t(VW[l]))
                r += Vb[l][..., None, :]
                if ra[l] is not None:
                    r += np.matmul(ra[l], _t(W[l]))
                rz[l + 1] = r
                if l + 1 < L:
                    ra[l + 1] = self.slope[l + 1] * r
            r_delta = net.loss_function.delta_r(rec.z[L], rec.a[L], self.T, net.output_activation, rz[L])
            parts = [None] * L
            for l in range(L - 1, -1, -1):
                r_gw = np.matmul(_t(r_delta), rec.a[l])
                if ra[l] is not None:
                    r_gw += np.matmul(_t(delta[l + 1]), ra[l])
                r_gw /= n
                if net.regularization == "l2" and net.reg_rate:
                    r_gw = r_gw + net.reg_rate * VW[l]  # l1's sign(w) is piecewise constant: no curvature
                r_gb = np.sum(r_delta, axis=-2)
                r_gb /= n
                if r_gw.shape[:-2] != lead:  # a direction that reached only some axes of θ
                    r_gw = np.broadcast_to(r_gw, lead + r_gw.shape[-2:])
                if r_gb.shape[:-1] != lead:
                    r_gb = np.broadcast_to(r_gb, lead + r_gb.shape[-1:])
                parts[l] = (r_gw.reshape(lead + (-1,)), r_gb)
                if l > 0:
                    r_back = np.matmul(r_delta, W[l])
                    r_back += np.matmul(delta[l + 1], VW[l])
                    r_back *= self.slope[l]
                    r_back += self.bend[l] * rz[l]
                    r_delta = r_back
        return np.concatenate([p for pair in parts for p in pair], axis=-1)

    def hessian(self) -> np.ndarray:
        """The exact n×n Hessian at one θ, assembled layer block by layer block.

        Weight layer l (weights and bias as [W | b] acting on ā = [a, 1]) reaches the loss only
        through z[l+1] = W·ā, so every second derivative factors into a per-sample product of
        ā's and matrices over neurons (the derivation: `_layer_blocks`). Summed over the samples
        those are a few matrix products per pair of layers, not one R-operator pass per
        parameter. Symmetrized against rounding.
        """
        if self.theta.ndim != 1:
            raise ValueError(f"hessian: one θ of shape ({self.dim},), got {self.theta.shape}")
        net = self.net
        sizes = net.layer_sizes
        # Elements one sample adds to the largest temporaries (the ā⊗ā products and the
        # per-sample matrices of each pair of layers): chunks of samples bound the memory.
        per_sample = sum((sizes[l] + 1) * (sizes[m] + 1) + sizes[l + 1] * sizes[m + 1]
                         + (sizes[l + 1] + sizes[l]) * sizes[m + 1]
                         for l in range(len(self.W)) for m in range(l + 1))
        n = self.X.shape[0]
        size = max(1, _BLOCK_ELEMENTS // per_sample)
        H = np.zeros((self.dim, self.dim))
        with np.errstate(all="ignore"):
            for start in range(0, n, size):
                self._layer_blocks(slice(start, min(n, start + size)), H)
            H /= n
        position = _working_positions(net)
        H = H[np.ix_(position, position)]
        if net.regularization == "l2" and net.reg_rate:  # λ/2·Σw²; l1's sign(w) has no curvature
            H[np.diag_indices(self.dim)] += net.reg_rate * net.weight_mask()
        H += H.T
        H *= 0.5
        return H

    def _layer_blocks(self, samples: slice, H: np.ndarray) -> None:
        """Add the samples' Σ ∂²E/∂θ∂θ to H, in the working order (see `_working_positions`).

        Per sample, with B_k = f'(z_k), D_k = (δ_{k+1}·W_k)·f''(z_k) (`slope`, `bend`) and
        G_k = ∂²E/∂z_k² through everything after layer k:
            G_L = ∂²E/∂z_L² (the loss through the output activation),
            G_k = B_k·W_kᵀ·G_{k+1}·W_k·B_k + diag(D_k).
        For m ≤ l, with U = ∂z_{l+1}/∂z_{m+1} = W_l·P and P = B_l·∂z_l/∂z_{m+1}:
            ∂²E/∂W_l[j,i]∂W_m[j',i'] = ā_l[i]·ā_m[i']·(G_{l+1}·U)[j,j'] + δ_{l+1}[j]·P[i,j']·ā_m[i']
        where the second term (through the product W_l·a_l, with a_l moved by W_m) is absent for
        l = m and for the bias column of ā_l, whose 1 does not move.
        """
        net, W = self.net, self.W
        L = len(W)
        rec, delta = self.record, self.delta
        abar = [np.concatenate([rec.a[l][samples], np.ones((rec.a[l][samples].shape[0], 1))], axis=1)
                for l in range(L)]
        s = abar[0].shape[0]
        # ∂δ_L/∂z_L along each unit direction: the loss's own curvature through the output.
        k_out = net.layer_sizes[-1]
        G_out = net.loss_function.delta_r(rec.z[L][samples], rec.a[L][samples], self.T[samples],
                                          net.output_activation, np.eye(k_out)[:, None, :])
        G = [None] * (L + 1)
        G[L] = np.moveaxis(np.broadcast_to(G_out, (k_out, s, k_out)), 0, -1)
        G[L] = 0.5 * (G[L] + _t(G[L]))
        for k in range(L - 1, 0, -1):
            # Wᵀ·G·W per sample as two products over all samples at once (G is symmetric).
            n_k1, n_k = W[k].shape
            GW = (G[k + 1].reshape(-1, n_k1) @ W[k]).reshape(s, n_k1, n_k)
            g = (_t(GW).reshape(-1, n_k1) @ W[k]).reshape(s, n_k, n_k)
            B = self.slope[k][samples]
            g *= B[:, :, None]
            g *= B[:, None, :]
            g[:, np.arange(n_k), np.arange(n_k)] += self.bend[k][samples]
            G[k] = g
        offsets = np.cumsum([0] + [(n_in + 1) * n_out for n_out, n_in in net.shapes])
        for m in range(L):
            width_m = abar[m].shape[1]
            n_m1 = net.layer_sizes[m + 1]
            rows_m = slice(offsets[m], offsets[m + 1])
            # l = m: ā_l[i]·ā_l[i']·G_{l+1}[j,j'] summed over the samples.
            outer = (abar[m][:, :, None] * abar[m][:, None, :]).reshape(s, -1)
            block = (outer.T @ G[m + 1].reshape(s, -1)).reshape(width_m, width_m, n_m1, n_m1)
            H[rows_m, rows_m] += block.transpose(2, 0, 3, 1).reshape(rows_m.stop - rows_m.start, -1)
            Pt = None  # Pᵀ per sample: row j' is how a_l moves with z_{m+1}[j'], times B_l
            for l in range(m + 1, L):
                n_l1, n_l = W[l].shape
                B = self.slope[l][samples]
                if Pt is None:  # ∂a_{m+1}/∂z_{m+1} = B_{m+1}, diagonal
                    Pt = np.zeros((s, n_m1, n_l))
                    Pt[:, np.arange(n_l), np.arange(n_l)] = B
                else:
                    Pt = (Pt.reshape(-1, W[l - 1].shape[1]) @ W[l - 1].T).reshape(s, n_m1, n_l)
                    Pt *= B[:, None, :]
                Ut = (Pt.reshape(-1, n_l) @ W[l].T).reshape(s, n_m1, n_l1)
                Vt = np.matmul(Ut, G[l + 1])  # (G_{l+1}·U)ᵀ, G symmetric
                first = (abar[l][:, :, None] * abar[m][:, None, :]).reshape(s, -1)
                block = (first.T @ Vt.reshape(s, -1)).reshape(n_l + 1, width_m, n_m1, n_l1)
                block = block.transpose(3, 0, 2, 1).copy()  # [j, i, j', i']
                second = (delta[l + 1][samples][:, :, None] * abar[m][:, None, :]).reshape(s, -1)
                through = (second.T @ Pt.reshape(s, -1)).reshape(n_l1, width_m, n_m1, n_l)
                block[:, :n_l] += through.transpose(0, 3, 2, 1)
                rows_l = slice(offsets[l], offsets[l + 1])
                flat = block.reshape(rows_l.stop - rows_l.start, -1)
                H[rows_l, rows_m] += flat
                H[rows_m, rows_l] += flat.T


def _working_positions(net) -> np.ndarray:
    """Where each flat parameter sits in the Hessian's working order: per layer, row j's [W_j, b_j].

    The flat vector holds a layer's weights row-major and then its biases; working on [W | b]
    keeps each layer's parameters one matrix acting on ā = [a, 1].
    """
    order = []
    for layer, (n_out, n_in) in enumerate(net.shapes):
        index = np.empty((n_out, n_in + 1), int)
        index[:, :n_in] = net.param_index(layer, 0, 0) + np.arange(n_out * n_in).reshape(n_out, n_in)
        index[:, n_in] = net.param_index(layer, 0) + np.arange(n_out)
        order.append(index.ravel())
    order = np.concatenate(order)
    inverse = np.empty_like(order)
    inverse[order] = np.arange(order.size)
    return inverse
