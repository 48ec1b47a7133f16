"""A training whose loss runs away has diverged, as a race's racer that leaves the view: said, with why."""
import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import RUNAWAY_LOSS, RUNAWAY_WEIGHT, train


@pytest.fixture(scope="module")
def spiral():
    return make_dataset("spiral", samples=200, noise=0.05, seed=0)


def spiral_net():
    return Network([2, 8, 8, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)


def test_sgd_at_an_absurd_learning_rate_diverges_with_a_reason(spiral):
    history = train(spiral_net(), spiral, make_optimizer("sgd", lr=1e12), 200)
    assert history.status == "diverged" and history.stopped_at == 1
    assert "far above where it started" in history.reason or "sane range" in history.reason
    # the loss it stopped at is finite (the old rule waited for NaN or overflow, forever here)
    assert np.isfinite(history.train_loss[-1]) and history.train_loss[-1] > 1e6


def test_a_loss_far_above_its_start_is_divergence_even_with_sane_weights(spiral):
    net = Network([2, 4, 1], activation="tanh", output_activation="linear", loss="mse", seed=0)
    history = train(net, spiral, make_optimizer("sgd", lr=3.0), 300)
    assert history.status == "diverged"
    k = history.stopped_at
    if "far above" in history.reason:
        assert history.train_loss[k - 1] > RUNAWAY_LOSS * max(history.train_loss[0], 1.0)
    else:
        assert np.abs(history.params[k]).max() > RUNAWAY_WEIGHT


@pytest.mark.parametrize("kind, lr", [("adam", 0.02), ("sgd", 0.5), ("momentum", 0.1)])
def test_an_ordinary_training_is_not_called_diverged(spiral, kind, lr):
    history = train(spiral_net(), spiral, make_optimizer(kind, lr=lr), 300)
    assert history.status == "running" and history.reason == ""
