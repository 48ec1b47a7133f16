"""Training loops: the recorded history is the optimizer's path, divergence is a result."""
import warnings

import numpy as np
import pytest

from valley.core.datasets import make_dataset
from valley.core.examples import XOR_T, XOR_X
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import TrainingError, perceptron_history, train, train_perceptron, uses_perceptron_rule


@pytest.fixture
def data():
    return make_dataset("circles", samples=40, noise=0.1, seed=1)


def test_full_batch_history_is_gradient_descent(data):
    net = Network([2, 4, 1], activation="tanh", loss="bce", seed=0)
    start = net.get_params()
    obj = net.objective(data.X_train, data.T_train)
    test_obj = net.objective(data.X_test, data.T_test)
    h = train(net, data, make_optimizer("sgd", lr=0.1), 12)
    assert h.params.shape == (13, net.n_params) and h.status == "running" and h.stopped_at is None
    assert np.array_equal(h.params[0], start)
    for k in range(12):
        g = obj.gradient(h.params[k])
        assert np.allclose(h.gradients[k], g, rtol=1e-12, atol=1e-15)
        assert np.allclose(h.params[k + 1], h.params[k] - 0.1 * g, rtol=1e-12, atol=1e-15)
    assert np.allclose(h.train_loss, [obj.value(p) for p in h.params], rtol=1e-12)
    assert np.allclose(h.test_loss, [test_obj.value(p) for p in h.params], rtol=1e-5)
    assert h.train_loss[-1] < h.train_loss[0]
    assert np.array_equal(net.get_params(), h.params[-1])  # the network ends trained
    assert h.states[0]["t"] == 1 and np.allclose(h.states[3]["g"], h.gradients[3])
    assert np.array_equal(h.network_at(net, 5).get_params(), h.params[5])


def test_minibatches_cover_each_epoch_and_are_seeded(data):
    net = Network([2, 3, 1], seed=0)
    n = len(data.X_train)  # 28
    h = train(net.copy(), data, make_optimizer("sgd", lr=0.05), 8, batch_size=10,
              rng=np.random.default_rng(5))
    assert h.mode == "minibatch" and [len(b) for b in h.batches[:3]] == [10, 10, 8]
    assert sorted(np.concatenate(h.batches[:3])) == list(range(n))
    assert sorted(np.concatenate(h.batches[3:6])) == list(range(n))
    assert not np.array_equal(h.batches[0], h.batches[3])  # reshuffled per epoch
    again = train(net.copy(), data, make_optimizer("sgd", lr=0.05), 8, batch_size=10,
                  rng=np.random.default_rng(5))
    assert np.array_equal(h.params, again.params)
    obj = net.objective(data.X_train, data.T_train)
    sub = obj.subset(h.batches[2])
    assert np.allclose(h.gradients[2], sub.gradient(h.params[2]))
    assert np.allclose(h.train_loss, obj.values(h.params), rtol=1e-5)


def test_online_mode_follows_the_sample_order_without_shuffle(data):
    net = Network([2, 3, 1], seed=0)
    h = train(net, data, make_optimizer("sgd", lr=0.05), 30, mode="online", shuffle=False)
    assert [int(b[0]) for b in h.batches] == list(range(28)) + [0, 1]
    assert h.batch_size == 1


def test_divergence_is_a_result_not_a_warning():
    X = np.linspace(-3, 3, 20)[:, None]
    net = Network([1, 1], output_activation="linear", loss="mse", seed=0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h = train(net, (X, 3 * X), make_optimizer("sgd", lr=5.0), 2000)
    assert h.status == "diverged" and h.stopped_at is not None and h.stopped_at < 2000
    assert len(h.params) == h.stopped_at + 1
    assert np.all(np.isfinite(net.get_params()))
    assert np.all(np.isnan(h.test_loss))  # no test data given


def test_newton_converges_on_least_squares():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(30, 2))
    T = X @ [[1.5], [-2.0]] + 0.5
    net = Network([2, 1], output_activation="linear", loss="mse", seed=0)
    h = train(net, (X, T), make_optimizer("newton"), 10, tol=1e-6)
    assert h.status == "converged" and h.stopped_at <= 3
    assert np.allclose(net.weights[0], [[1.5, -2.0]], atol=1e-6)
    assert net.biases[0][0] == pytest.approx(0.5, abs=1e-6)


def test_xor_is_learned_by_the_2_2_1_relu_network():
    from valley.core.examples import EXAMPLES
    setup = EXAMPLES["xor_relu"].build()
    train(setup.network, (setup.X, setup.T), make_optimizer("adam", lr=0.05), 500)
    assert setup.network.accuracy(XOR_X, XOR_T) == 1.0


def test_perceptron_rule_and_termination():
    net = Network([2, 1], output_activation="step", init="constant", init_scale=0.0)
    h = train_perceptron(net, XOR_X, XOR_T, lr=0.5, max_epochs=7, stable_epochs=None)
    assert h.status == "epoch_limit" and h.epochs == 7 and len(h.rows) == 28
    for row in h.rows:  # Δw = α(t − o)x, bias first
        assert np.allclose(row.new_weights, row.weights + 0.5 * np.outer(row.label - row.output,
                                                                          row.x))
        assert row.output[0] == float(row.weighted_sum[0] > 0)
    h2 = train_perceptron(net, XOR_X, XOR_T, max_epochs=100, stable_epochs=4)
    assert h2.status == "stable" and len(set(h2.errors_per_epoch[-4:])) == 1 and h2.epochs < 100
    and_net = Network([2, 1], output_activation="step", init="constant", init_scale=0.0)
    h3 = train_perceptron(and_net, XOR_X, [[0], [0], [0], [1]])
    assert h3.status == "all_correct" and h3.errors_per_epoch[-1] == 0
    assert and_net.accuracy(XOR_X, [[0], [0], [0], [1]]) == 1.0


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(mode="stochastic"), "mode"), (dict(mode="minibatch"), "batch_size"),
    (dict(steps=-1), "steps"), (dict(batch_size=-2), "batch_size"),
])
def test_bad_settings(data, kwargs, fragment):
    args = dict(steps=3)
    args.update(kwargs)
    with pytest.raises(TrainingError, match=fragment):
        train(Network([2, 1]), data, make_optimizer("sgd"), **args)


def test_bad_data_and_perceptron_network():
    with pytest.raises(TrainingError, match="targets"):
        train(Network([2, 1]), (np.ones((4, 2)), np.ones((3, 1))), make_optimizer("sgd"), 1)
    with pytest.raises(TrainingError, match="step"):
        train_perceptron(Network([2, 1]), XOR_X, XOR_T)


@pytest.mark.parametrize("mode, batch_size", [("minibatch", 5), ("online", 0), ("batch", 0)])
def test_relu_blow_up_stops_with_a_status_in_every_mode(mode, batch_size):
    """Issue 7: NaN or overflow in training is a status; no numpy warning of any kind escapes
    (the loss curves are evaluated in float32, where a diverged θ overflows the cast)."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 2)) * 100
    T = rng.normal(size=(20, 1))
    net = Network([2, 8, 8, 1], activation="relu", output_activation="linear", loss="mse",
                  init="gaussian", init_scale=3.0, seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # every warning class, not only RuntimeWarning
        h = train(net, (X, T, X[:5], T[:5]), make_optimizer("sgd", lr=1e3), 200, mode=mode,
                  batch_size=batch_size, rng=np.random.default_rng(2))
    assert h.status == "diverged" and h.reason and h.stopped_at < 200
    assert len(h.params) == len(h.train_loss) == len(h.test_loss) == h.stopped_at + 1
    assert np.all(np.isfinite(net.get_params()))  # the network keeps its last finite weights
    assert np.isfinite(h.train_loss[0]) and np.isfinite(h.test_loss[0])


def test_float32_curves_fall_back_to_float64_beyond_float32_range():
    net = Network([1, 1], output_activation="linear", loss="mse", init="constant", init_scale=0.0)
    obj = net.objective(np.array([[1.0]]), np.array([[0.0]]))
    theta = np.array([[1e39, 0.0], [2.0, 0.0]])  # 1e39 is finite in float64, inf in float32
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        values = obj.values(theta, dtype=np.float32)
    np.testing.assert_allclose(values, [0.5e78, 2.0], rtol=1e-6)  # E = ½(w·1 − 0)²


def _row_of(state, step):
    """A history state written as a row of the slide's table (core.examples.PERCEPTRON_OR_TABLE)."""
    return (step, *map(float, state["w"][0]), "".join(f"{v:g}" for v in state["x"]),
            float(state["s"][0]), float(state["o"][0]), float(state["t"][0]), *map(float, state["new_w"][0]))


def test_perceptron_history_reproduces_the_slide_003_or_table():
    from valley.core.examples import EXAMPLES, PERCEPTRON_OR_TABLE

    setup = EXAMPLES["perceptron_or"].build()
    net = setup.network
    assert uses_perceptron_rule(net) and not uses_perceptron_rule(Network([2, 2, 1], output_activation="step"))
    obj = net.objective(setup.X, setup.T)
    h = perceptron_history(net, (setup.X, setup.T), lr=1.0, steps=40)
    assert [_row_of(s, k + 1) for k, s in enumerate(h.states[:10])] == PERCEPTRON_OR_TABLE
    # rule a: epoch 4 (steps 13–16) is the first without a mistake
    assert (h.status, h.stopped_at, h.steps) == ("converged", 16, 16)
    assert h.reason == "every sample labelled correctly in epoch 4 (slide 000, rule a)"
    assert h.mode == "online" and [list(b) for b in h.batches] == [[k % 4] for k in range(16)]
    # params in get_params order (w1, w2, b): the slide's (w0, w1, w2) = (0, 1, −1) is (1, −1, 0)
    assert np.array_equal(h.params[0], [1.0, -1.0, 0.0])
    assert np.array_equal(h.params[2], [1.0, 0.0, 1.0])  # after step 2: w0, w1, w2 = 1, 1, 0
    assert np.array_equal(h.params[-1], [1.0, 1.0, 0.0]) and np.array_equal(net.get_params(), h.params[-1])
    assert net.accuracy(setup.X, setup.T) == 1.0
    # losses after each update: ½(t − o)² averaged; 2 wrong of 4 at the start, none at the end
    assert h.train_loss[0] == 0.25 and h.train_loss[-1] == 0.0
    assert np.array_equal(h.train_loss, [obj.value(p) for p in h.params])
    for k, s in enumerate(h.states):
        assert s["epoch"] == k // 4 + 1
        assert np.array_equal(s["error"], s["t"] - s["o"])
        assert np.array_equal(s["delta_w"], 1.0 * np.outer(s["error"], s["x"]))
        assert np.array_equal(h.params[k + 1] - h.params[k], -1.0 * h.gradients[k])


def test_perceptron_history_step_budget_epoch_limit_and_stable():
    from valley.core.examples import EXAMPLES

    setup = EXAMPLES["perceptron_or"].build()
    short = perceptron_history(setup.network.copy(), (setup.X, setup.T), steps=10)
    assert (short.status, short.stopped_at, short.steps) == ("running", None, 10)
    limited = perceptron_history(setup.network.copy(), (setup.X, setup.T), steps=40, max_epochs=2)
    assert limited.status == "running" and limited.stopped_at == 8 and "rule b" in limited.reason
    xor = Network([2, 1], output_activation="step", init="constant", init_scale=0.0)
    stuck = perceptron_history(xor, (XOR_X, XOR_T, XOR_X, XOR_T), steps=400, stable_epochs=4)
    assert stuck.status == "stable" and "rule c" in stuck.reason and stuck.steps < 400
    assert np.array_equal(stuck.train_loss, stuck.test_loss)
    with pytest.raises(TrainingError, match="step"):
        perceptron_history(Network([2, 1]), (XOR_X, XOR_T))
    with pytest.raises(TrainingError, match="lr"):
        perceptron_history(xor, (XOR_X, XOR_T), lr=-1.0)
