"""Curvature of a network: exact Hessian-vector products against torch's double backward.

The net is 2-16-16-1 (tanh, linear output, MSE; 337 parameters) on 500 samples, float64, one
thread for numpy's BLAS and for torch. Valley's H·v is Pearlmutter's R-operator
(core.hessian_vector); torch's is `torch.autograd.functional.hvp` (a backward pass through the
backward pass). Also: λmax by Lanczos, the exact 337×337 Hessian (torch's
`autograd.functional.hessian` as the peer), the critical points of a 101² plane of the net's
loss, and what recording λmax every 10 steps costs a training run.
"""
from __future__ import annotations

import numpy as np
import torch
from threadpoolctl import threadpool_limits

from bench.common import make_row, median_time
from valley.core import landscape
from valley.core.critical import critical_points
from valley.core.curvature import top_eigenvalues
from valley.core.datasets import make_dataset
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.scene_io import list_presets, load_scene
from valley.core.training import train

torch.set_num_threads(1)
SIZES = [2, 16, 16, 1]
SAMPLES = 500


def problem():
    rng = np.random.default_rng(0)
    net = Network(SIZES, activation="tanh", output_activation="linear", loss="mse", seed=0)
    X = rng.uniform(-2, 2, (SAMPLES, 2))
    T = np.sin(X[:, :1]) * np.cos(X[:, 1:])
    return net, X, T


def torch_loss(net: Network, X, T):
    """The same loss in torch, of the flat parameter vector in Valley's order."""
    Xt, Tt = torch.tensor(X), torch.tensor(T)
    shapes = net.shapes

    def loss(theta):
        a, offset = Xt, 0
        for l, (n_out, n_in) in enumerate(shapes):
            W = theta[offset:offset + n_out * n_in].reshape(n_out, n_in)
            offset += n_out * n_in
            b = theta[offset:offset + n_out]
            offset += n_out
            z = a @ W.T + b
            a = torch.tanh(z) if l < len(shapes) - 1 else z
        return (0.5 * ((a - Tt) ** 2).sum(dim=1)).mean()
    return loss


def edge_of_stability_data():
    path = next(p for p, _, _ in list_presets() if p.endswith("27_edge_of_stability.toml"))
    scene = load_scene(path)
    spec = scene.network
    data = make_dataset(spec.dataset, samples=spec.samples, noise=spec.noise,
                        train_fraction=spec.train_fraction, seed=scene.seed)
    return scene, data


def run(quick: bool) -> list[dict]:
    runs = 5 if quick else 20
    rows = []
    with threadpool_limits(1):
        net, X, T = problem()
        obj = net.objective(X, T)
        theta = net.get_params()
        v = np.random.default_rng(1).standard_normal(theta.size)
        f = torch_loss(net, X, T)
        theta_t, v_t = torch.tensor(theta), torch.tensor(v)
        ours = obj.hvp(theta, v)
        theirs = torch.autograd.functional.hvp(f, theta_t, v_t)[1].numpy()
        gap = float(np.max(np.abs(ours - theirs)) / np.max(np.abs(theirs)))
        valley = median_time(lambda: obj.hvp(theta, v), runs=runs * 5)
        peer = median_time(lambda: torch.autograd.functional.hvp(f, theta_t, v_t), runs=runs * 5)
        rows.append(make_row(f"H·v, {'-'.join(map(str, SIZES))}, {SAMPLES} samples", valley, peer,
                             "ms", runs * 5, note="target: at least 3x torch.autograd.functional.hvp"))
        rows.append(make_row("H·v relative difference from torch", gap, None, "max|Δ|", 1, target=1e-10,
                             compare=False))
        operator = obj.curvature(theta)
        rows.append(make_row("H·v at a kept θ (Lanczos, CG: one pass reused)",
                             median_time(lambda: operator.hvp(v), runs=runs * 5), peer, "ms", runs * 5))
        rows.append(make_row("λmax by Lanczos (seeded, to 1e-10)",
                             median_time(lambda: top_eigenvalues(obj, theta, k=1,
                                                                 rng=np.random.default_rng(0)), runs=runs),
                             None, "ms", runs, target=20.0))
        hessian_peer = None if quick else median_time(
            lambda: torch.autograd.functional.hessian(f, theta_t), runs=3)
        H = obj.hessian(theta)
        H_torch = torch.autograd.functional.hessian(f, theta_t).numpy()
        rows.append(make_row("exact Hessian relative difference from torch",
                             float(np.max(np.abs(H - H_torch)) / np.max(np.abs(H_torch))), None, "max|Δ|", 1,
                             target=1e-10, compare=False))
        rows.append(make_row("exact 337×337 Hessian", median_time(lambda: obj.hessian(theta), runs=runs),
                             hessian_peer, "ms", runs, target=50.0,
                             note="peer: torch.autograd.functional.hessian (skipped with --quick)"))
        identity = np.eye(theta.size)
        products = obj.curvature(theta).hvp(identity)
        rows.append(make_row("exact Hessian from the layers' blocks vs H·I (one R-operator pass "
                             "per parameter)", median_time(lambda: obj.hessian(theta), runs=runs),
                             median_time(lambda: obj.curvature(theta).hvp(identity), runs=3), "ms", runs,
                             note=f"equal to {float(np.max(np.abs(H - 0.5 * (products + products.T)))):.1e} "
                                  "absolute"))

        rng = np.random.default_rng(2)
        plane = landscape.Slice(obj, theta, landscape.filter_normalized_direction(net, rng),
                                landscape.filter_normalized_direction(net, rng))
        found = critical_points(plane, resolution=101)
        A, B = np.meshgrid(np.linspace(-1, 1, 101), np.linspace(-1, 1, 101))
        grid = median_time(lambda: plane.evaluate(A, B), runs=3, unit="s")

        def stacked_grid():  # every θ of the grid formed and evaluated, in the picture's float32
            thetas = plane.theta_at(A.ravel(), B.ravel())
            return obj.values(thetas, dtype=plane.grid_dtype, workers=plane.workers)
        rows.append(make_row("101² loss grid of a network plane: from the plane vs stacked θ's", grid,
                             median_time(stacked_grid, runs=3, unit="s"), "s", 3,
                             note="both float32, the picture's dtype, on the plane's worker threads"))
        rows.append(make_row(f"critical points of a 101² network plane ({len(found)} found)",
                             median_time(lambda: critical_points(plane, resolution=101), runs=3, unit="s"),
                             None, "s", 3, target=1.0,
                             note=f"of which {grid:.2f} s is the 101² value grid that seeds Newton "
                                  "(the picture's own cost)"))
        picture = (A[0], B[:, 0], plane.evaluate(A, B))
        from_picture = critical_points(plane, grid=picture)
        same = [(c.kind, c.point.round(8).tolist()) for c in from_picture] == \
            [(c.kind, c.point.round(8).tolist()) for c in found]
        rows.append(make_row("the same, seeded from the picture's 101² grid (the race view's way: the grid "
                             "is drawn anyway)",
                             median_time(lambda: critical_points(plane, grid=picture), runs=3, unit="s"),
                             None, "s", 3, target=1.0,
                             note=f"{len(from_picture)} found, {'the same points' if same else 'NOT the same points'}"))

        scene, data = edge_of_stability_data()
        spec = scene.network

        def training(every):
            trainee = Network([2, *spec.hidden, 1], activation=spec.activation,
                              output_activation=spec.output_activation, loss=spec.loss, seed=scene.seed)
            train(trainee, (data.X_train, data.T_train), make_optimizer("sgd", lr=0.5), 500,
                  sharpness_every=every)
        # Runs alternate, so a change in the machine's load falls on both alike.
        training(0)
        training(10)
        pairs = [(median_time(lambda: training(0), runs=1, warmup=0),
                  median_time(lambda: training(10), runs=1, warmup=0)) for _ in range(5)]
        plain = float(np.median([p for p, _ in pairs]))
        recorded = float(np.median([r for _, r in pairs]))
        rows.append(make_row("training, 500 steps, λmax every 10 steps: slowdown", recorded / plain, None,
                             "x", 5, target=1.3, compare=False,
                             note=f"{plain:.0f} ms without, {recorded:.0f} ms with (edge-of-stability preset; "
                                  "medians of alternating runs)"))
    return rows
