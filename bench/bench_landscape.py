"""A network's loss landscape and training: Valley against the PyTorch tools people use.

The network is the issue's 2-16-16-1 tanh (sigmoid output, the slides' MSE ½Σ(t−o)²
averaged over the batch) on 500 seeded samples; the torch model is an nn.Sequential in
float64 holding exactly Valley's weights.

- Landscape: Valley's `Slice(...).evaluate` on an n×n grid against the `loss-landscapes`
  package's `planar_interpolation` on the same plane (Valley's filter-normalized
  directions handed to it as the two end models) with n×n points. Every point the package
  evaluates is also evaluated by Valley, so the whole grid is compared, and the loss at the
  centre (α = β = 0) is compared with `loss_landscapes.point` and the network's own loss.
  (The package's plane walks in a zigzag: even rows sit one β-step further than odd rows;
  the comparison follows its points exactly.)
- Training: 1,000 full-batch Adam steps with every parameter vector kept, against the same
  loop in torch (zero_grad, forward, backward, Adam step): time, and the largest difference
  between the two parameter trajectories and final losses.
"""
from __future__ import annotations

import copy

import loss_landscapes
import numpy as np
import torch
from loss_landscapes.metrics import Loss as LossMetric

from bench.bench_core_speed import network_case
from bench.common import make_row, median_time
from valley.core.optimizers import make_optimizer
from valley.core.training import train

RADIUS = 1.0  # the plane spans α, β in [-RADIUS, RADIUS]
TARGET_GRID = 101  # a 101×101 landscape of this network in under 0.5 s: a live, not a batch, picture

# torch's default thread pool only slows these small tensors down on a 2-core machine
# (about 15× slower per forward pass when the other core is busy): give it its best case.
torch.set_num_threads(1)


def torch_model(net) -> torch.nn.Sequential:
    """nn.Sequential(Linear, Tanh, ..., Linear, Sigmoid) in float64 with the network's weights."""
    layers = []
    for l, (W, b) in enumerate(zip(net.weights, net.biases)):
        linear = torch.nn.Linear(W.shape[1], W.shape[0]).double()
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(W))
            linear.bias.copy_(torch.from_numpy(b))
        layers.append(linear)
        layers.append(torch.nn.Tanh() if l < len(net.weights) - 1 else torch.nn.Sigmoid())
    return torch.nn.Sequential(*layers)


def torch_mse(output, target):
    """The slides' E = ½Σ(t − o)² per sample, averaged over the batch (as core.losses.MSE)."""
    return 0.5 * ((output - target) ** 2).sum(dim=1).mean()


def model_at(model, net, theta) -> torch.nn.Sequential:
    """A copy of `model` holding the flat parameter vector theta (Valley's order)."""
    other = copy.deepcopy(model)
    weights, biases = net.unflatten(np.asarray(theta, float))
    linears = [m for m in other if isinstance(m, torch.nn.Linear)]
    with torch.no_grad():
        for linear, W, b in zip(linears, weights, biases):
            linear.weight.copy_(torch.from_numpy(np.ascontiguousarray(W)))
            linear.bias.copy_(torch.from_numpy(np.ascontiguousarray(b)))
    return other


def flat_params(model) -> torch.Tensor:
    return torch.cat([torch.cat([m.weight.detach().flatten(), m.bias.detach()])
                      for m in model if isinstance(m, torch.nn.Linear)])


def package_points(n: int, radius: float = RADIUS):
    """The (α, β) at which planar_interpolation evaluates row i, column j of its n×n result."""
    spacing = 2.0 * radius / (n - 1)
    i = np.arange(n)[:, None]
    j = np.arange(n)[None, :]
    alpha = -radius + i * spacing + 0.0 * j
    beta = -radius + (j + (i % 2 == 0)) * spacing  # even rows step β before evaluating
    return alpha, beta, spacing


def landscape_rows(quick: bool, net, X, T) -> list[dict]:
    from valley.core.landscape import Slice, filter_normalized_direction

    n = 31 if quick else TARGET_GRID
    runs = 3 if quick else 5
    peer_runs = 1 if quick else 3
    theta0 = net.get_params()
    objective = net.objective(X, T)
    rng = np.random.default_rng(0)
    d1 = filter_normalized_direction(net, rng)
    d2 = filter_normalized_direction(net, rng)
    A, B = np.meshgrid(np.linspace(-RADIUS, RADIUS, n), np.linspace(-RADIUS, RADIUS, n),
                       indexing="ij")

    def valley_grid():
        return Slice(objective, theta0, d1, d2).evaluate(A, B)

    model = torch_model(net)
    inputs, targets = torch.from_numpy(X), torch.from_numpy(T)
    metric = LossMetric(torch_mse, inputs, targets)
    alpha, beta, spacing = package_points(n)
    start = model_at(model, net, theta0 - RADIUS * d1 - RADIUS * d2)
    end_one = model_at(model, net, theta0 - RADIUS * d1 - RADIUS * d2 + n * spacing * d1)
    end_two = model_at(model, net, theta0 - RADIUS * d1 - RADIUS * d2 + n * spacing * d2)

    def package_grid():
        with torch.no_grad():  # spare the package the autograd bookkeeping it does not need
            return loss_landscapes.planar_interpolation(start, end_one, end_two, metric,
                                                        steps=n, deepcopy_model=True)

    theirs = package_grid()
    # Slice.evaluate (the picture) runs in float32 by default; float64 is a keyword away.
    exact = Slice(objective, theta0, d1, d2, grid_dtype=np.float64)
    gap32 = float(np.max(np.abs(theirs - Slice(objective, theta0, d1, d2).evaluate(alpha, beta))))
    gap64 = float(np.max(np.abs(theirs - exact.evaluate(alpha, beta))))
    valley_s = median_time(valley_grid, runs=runs, unit="s")
    valley64_s = median_time(lambda: exact.evaluate(A, B), runs=runs, unit="s")
    peer_s = median_time(package_grid, runs=peer_runs, warmup=0, unit="s")

    plane = Slice(objective, theta0, d1, d2)
    centre_valley = plane.value(np.zeros(2))  # value() runs in float64
    centre_picture = float(plane.evaluate(np.zeros(1), np.zeros(1))[0])
    centre_net = net.loss(X, T)
    with torch.no_grad():
        centre_peer = loss_landscapes.point(model, metric)
    centre_gap = max(abs(centre_valley - centre_peer), abs(centre_net - centre_peer))
    rows = []
    if n != TARGET_GRID:
        big = TARGET_GRID
        A_big, B_big = np.meshgrid(np.linspace(-RADIUS, RADIUS, big),
                                   np.linspace(-RADIUS, RADIUS, big), indexing="ij")
        rows.append(make_row(
            f"landscape {big}x{big}, 2-16-16-1 tanh, 500 samples (Valley only)",
            median_time(lambda: Slice(objective, theta0, d1, d2).evaluate(A_big, B_big),
                        runs=runs, unit="s"), None, "s", runs=runs, target=0.5))
    return rows + [
        make_row(f"landscape {n}x{n}, 2-16-16-1 tanh, 500 samples vs loss-landscapes",
                 valley_s, peer_s, "s", runs=runs, target=0.5 if n == TARGET_GRID else None,
                 note=(f"peer: planar_interpolation on the same plane, {peer_runs} run(s), "
                       f"1 thread; Valley: float32 grid on {plane.workers} thread(s), float64 "
                       f"grid {valley64_s:.3g} s; max |ΔL| over the peer's {n}x{n} points: "
                       f"{gap32:.2g} (float32), {gap64:.2g} (float64)")),
        make_row("landscape centre: |L_Valley(0,0) - L_loss-landscapes|", centre_gap, None,
                 "|ΔL|", runs=1, compare=False,
                 note=(f"Slice.value(0,0) = {centre_valley:.17g}, net.loss = {centre_net:.17g}, "
                       f"loss_landscapes.point = {centre_peer:.17g}; the float32 picture "
                       f"shows {centre_picture:.9g}")),
    ]


def torch_training(model, inputs, targets, steps: int, lr: float) -> np.ndarray:
    """The torch loop: every parameter vector kept, as Valley's history keeps them."""
    model = copy.deepcopy(model)
    optimizer = torch.optim.Adam(model.parameters(), lr=lr, foreach=False)
    history = [flat_params(model)]
    for _ in range(steps):
        optimizer.zero_grad()
        loss = torch_mse(model(inputs), targets)
        loss.backward()
        optimizer.step()
        history.append(flat_params(model))
    return torch.stack(history).numpy()


def training_rows(quick: bool, net, X, T) -> list[dict]:
    steps, lr = 1000, 0.01
    runs = 2 if quick else 5
    theta0 = net.get_params()
    model = torch_model(net)
    inputs, targets = torch.from_numpy(X), torch.from_numpy(T)

    def valley_training():
        net.set_params(theta0)
        return train(net, (X, T), make_optimizer("adam", lr=lr), steps)

    history = valley_training()
    theirs = torch_training(model, inputs, targets, steps, lr)
    valley_s = median_time(valley_training, runs=runs, unit="s")
    peer_s = median_time(lambda: torch_training(model, inputs, targets, steps, lr), runs=runs,
                         unit="s")
    model32 = copy.deepcopy(model).float()
    peer32_s = median_time(lambda: torch_training(model32, inputs.float(), targets.float(),
                                                  steps, lr), runs=runs, warmup=0, unit="s")
    n = min(len(history.params), len(theirs))
    gap = float(np.max(np.abs(history.params[:n] - theirs[:n])))
    with torch.no_grad():
        final_peer = float(torch_mse(model_at(model, net, theirs[-1])(inputs), targets))
    net.set_params(theta0)
    return [make_row("train 1,000 full-batch Adam steps, history kept, vs torch (float64)",
                     valley_s, peer_s, "s", runs=runs,
                     note=(f"max |Δθ| over the {n} parameter vectors = {gap:.2g}; final loss "
                           f"{history.train_loss[-1]:.6g} vs {final_peer:.6g}; torch float32: "
                           f"{peer32_s:.3g} s; torch on 1 thread (its fastest here)"))]


def run(quick: bool) -> list[dict]:
    net, X, T = network_case()
    try:
        rows = landscape_rows(quick, net, X, T)
    except ImportError as error:
        rows = [make_row("landscape: skipped", None, unit="", runs=0,
                         note=f"valley.core.landscape not importable: {error}")]
    return rows + training_rows(quick, net, X, T)
