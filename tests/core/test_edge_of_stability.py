"""Sharpness during training, and the curvature presets' claims (edge of stability, Newton-CG)."""
import numpy as np
import pytest

from valley.core.curvature import top_eigenvalues
from valley.core.datasets import make_dataset
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.scene_io import list_presets, load_scene
from valley.core.training import TrainingError, train


def preset(name):
    path = next(p for p, _, _ in list_presets() if p.endswith(name))
    return load_scene(path)


def run_preset(scene, sharpness_every=10):
    """Train a network scene as the playground does: its data and network from the scene's seed."""
    spec = scene.network
    data = make_dataset(spec.dataset, samples=spec.samples, noise=spec.noise,
                        train_fraction=spec.train_fraction, seed=scene.seed)
    net = Network([2, *spec.hidden, 1], activation=spec.activation,
                  output_activation=spec.output_activation, loss=spec.loss, init=spec.init,
                  seed=scene.seed)
    optimizer = make_optimizer(spec.optimizer.kind, **spec.optimizer.hyperparameters)
    history = train(net, (data.X_train, data.T_train), optimizer, scene.steps,
                    rng=np.random.default_rng(scene.seed), sharpness_every=sharpness_every)
    return history, spec.optimizer.hyperparameters["lr"], data


def test_sharpness_is_the_top_eigenvalue_at_the_recorded_steps():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (30, 2))
    T = np.sin(2 * X[:, :1]) * X[:, 1:]
    net = Network([2, 6, 1], activation="tanh", output_activation="linear", loss="mse", seed=0)
    history = train(net, (X, T), make_optimizer("sgd", lr=0.3), steps=95, sharpness_every=10)
    steps, values = history.sharpness
    assert steps.tolist() == list(range(0, 95, 10))
    obj = net.objective(X, T)
    exact = [np.linalg.eigvalsh(obj.hessian(history.params[k]))[-1] for k in steps]
    assert np.allclose(values, exact, rtol=1e-3)  # a chart's accuracy: Lanczos stops at residual 1e-2
    assert np.allclose(values[0], top_eigenvalues(obj, history.params[0]), rtol=1e-3)
    plain = train(Network([2, 6, 1], activation="tanh", output_activation="linear", loss="mse", seed=0),
                  (X, T), make_optimizer("sgd", lr=0.3), steps=95)
    assert plain.sharpness[0].size == 0 and np.array_equal(plain.params, history.params)
    with pytest.raises(TrainingError, match="sharpness_every must be a whole number"):
        train(net, (X, T), make_optimizer("sgd", lr=0.3), steps=5, sharpness_every=-1)


def test_edge_of_stability_preset_hovers_at_two_over_lr_while_the_loss_falls():
    history, lr, _ = run_preset(preset("27_edge_of_stability.toml"))
    assert history.status == "running"
    steps, values = history.sharpness
    assert steps[-1] >= 0.9 * history.steps
    second_half = values[steps >= history.steps // 2]
    assert np.all(np.abs(second_half - 2 / lr) <= 0.2 * (2 / lr))
    loss = history.train_loss
    half = history.steps // 2
    assert loss[-1] < loss[half] < loss[0]  # falling overall...
    assert np.count_nonzero(np.diff(loss[half:]) > 0) > 10  # ...but not monotonically


def test_with_a_smaller_lr_sharpness_stays_well_below_its_two_over_lr():
    history, lr, _ = run_preset(preset("28_below_the_edge.toml"))
    _, values = history.sharpness
    assert np.all(values < 0.7 * (2 / lr))
    assert history.train_loss[-1] < history.train_loss[0]


def test_newton_cg_is_ahead_of_adam_step_for_step_early_on():
    cg, _, _ = run_preset(preset("29_newton_cg_vs_adam.toml"), sharpness_every=0)
    adam, _, _ = run_preset(preset("30_adam_vs_newton_cg.toml"), sharpness_every=0)
    assert cg.status == adam.status == "running"
    assert cg.train_loss[10] < 0.5 * adam.train_loss[10]
    assert cg.train_loss[25] < 0.5 * adam.train_loss[25]
    assert cg.step_seconds > 0 and adam.step_seconds > 0  # the Loss chart's time per step


def test_warm_started_sharpness_of_a_2_16_16_1_net_is_eigh_of_its_exact_hessian():
    """Each value starts Lanczos from the last top eigenvector and stops at residual 1e-2 (a
    handful of products): within 2% of numpy's eigh of the exact Hessian, and recording it
    changes nothing about the run (λmax's pass gives the update its loss and gradient)."""
    rng = np.random.default_rng(3)
    X = rng.uniform(-2, 2, (64, 2))
    T = np.exp(-np.sum(X * X, axis=1, keepdims=True))

    def fresh():
        return Network([2, 16, 16, 1], activation="tanh", output_activation="linear", loss="mse", seed=1)
    net = fresh()
    history = train(net, (X, T), make_optimizer("sgd", lr=0.5), steps=300, sharpness_every=10)
    steps, values = history.sharpness
    obj = net.objective(X, T)
    exact = np.array([np.linalg.eigvalsh(obj.hessian(history.params[k]))[-1] for k in steps])
    assert np.allclose(values, exact, rtol=2e-2)
    plain = train(fresh(), (X, T), make_optimizer("sgd", lr=0.5), steps=300)
    assert np.array_equal(plain.params, history.params)
    assert np.array_equal(plain.train_loss, history.train_loss)
    assert np.array_equal(plain.gradients, history.gradients)
