"""The network's bookkeeping: shapes, parameter order, records, objective, Hessian, safety."""
import warnings

import numpy as np
import pytest

from valley.core.activations import ActivationError, make_activation
from valley.core.losses import LossError, make_loss
from valley.core.network import Network, NetworkError, parameter_count


def small_data(n_in=2, n_out=1, n=6, seed=0):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, n_in)), rng.uniform(0.1, 0.9, size=(n, n_out))


def test_shapes_and_records():
    net = Network([2, 4, 3, 1], seed=1)
    assert [W.shape for W in net.weights] == [(4, 2), (3, 4), (1, 3)]
    assert [b.shape for b in net.biases] == [(4,), (3,), (1,)]
    assert net.n_params == 2 * 4 + 4 + 4 * 3 + 3 + 3 + 1 == len(net.param_names())
    X, T = small_data()
    rec = net.forward(X)
    assert rec.a[0] is not None and np.array_equal(rec.a[0], X) and np.array_equal(rec.z[0], X)
    assert [a.shape for a in rec.a] == [(6, 2), (6, 4), (6, 3), (6, 1)]
    # z[l+1] = a[l] W[l]^T + b[l]; a[l+1] = f(z[l+1])
    z1 = X @ net.weights[0].T + net.biases[0]
    assert np.allclose(rec.z[1], z1) and np.allclose(rec.a[1], np.tanh(z1), atol=1e-15)
    back = net.backward(rec, T)
    assert [d.shape for d in back.delta] == [(6, 2), (6, 4), (6, 3), (6, 1)]
    assert [g.shape for g in back.grad_weights] == [(4, 2), (3, 4), (1, 3)]
    # grad_weights is the batch mean of delta[l+1]^T a[l]; the input delta is delta[1] W[0].
    assert np.allclose(back.grad_weights[1], back.delta[2].T @ rec.a[1] / 6)
    assert np.allclose(back.grad_biases[0], back.delta[1].mean(0))
    assert np.allclose(back.delta[0], back.delta[1] @ net.weights[0])


def test_flat_parameter_order_is_weights_row_major_then_biases_per_layer():
    net = Network([2, 3, 1], seed=0)
    theta = np.arange(net.n_params, dtype=float)
    net.set_params(theta)
    assert np.array_equal(net.weights[0], [[0, 1], [2, 3], [4, 5]])
    assert np.array_equal(net.biases[0], [6, 7, 8])
    assert np.array_equal(net.weights[1], [[9, 10, 11]]) and np.array_equal(net.biases[1], [12])
    assert np.array_equal(net.get_params(), theta)
    assert net.param_index(0, 2, 1) == 5 and net.param_index(1, 0) == 12
    assert net.param_names()[5] == "w0[2,1]" and net.param_names()[12] == "b1[0]"
    assert net.weight_mask().sum() == 9
    theta[0] = 99.0  # set_params copies
    assert net.weights[0][0, 0] == 0


def test_mse_is_half_sum_of_squares_averaged_over_the_batch():
    net = Network([1, 2], activation="linear", output_activation="linear", loss="mse",
                  init="constant", init_scale=0.0)
    X = np.array([[1.0], [2.0]])
    T = np.array([[1.0, 0.5], [0.0, 2.0]])
    # outputs are 0: per sample ½(1 + .25) and ½(0 + 4), averaged.
    assert net.loss(X, T) == pytest.approx((0.625 + 2.0) / 2)


def test_softmax_cross_entropy_delta_is_output_minus_target():
    net = Network([3, 4, 3], output_activation="softmax", loss="cross_entropy", seed=2)
    X = np.random.default_rng(0).normal(size=(5, 3))
    T = np.eye(3)[[0, 2, 1, 1, 0]]
    rec = net.forward(X)
    assert np.allclose(rec.output.sum(1), 1.0)
    back = net.backward(rec, T)
    assert np.allclose(back.delta[-1], rec.output - T)


def test_regularization_adds_to_loss_and_gradient():
    X, T = small_data()
    plain = Network([2, 3, 1], seed=4)
    l2 = Network([2, 3, 1], seed=4, regularization="l2", reg_rate=0.1)
    l1 = Network([2, 3, 1], seed=4, regularization="l1", reg_rate=0.1)
    squares = sum(np.sum(W ** 2) for W in plain.weights)
    absolute = sum(np.sum(np.abs(W)) for W in plain.weights)
    assert l2.loss(X, T) == pytest.approx(plain.loss(X, T) + 0.05 * squares)
    assert l1.loss(X, T) == pytest.approx(plain.loss(X, T) + 0.1 * absolute)
    g0 = plain.backward(plain.forward(X), T).grad_weights[0]
    g2 = l2.backward(l2.forward(X), T).grad_weights[0]
    assert np.allclose(g2 - g0, 0.1 * plain.weights[0])
    assert l2.data_loss(X, T) == pytest.approx(plain.loss(X, T))


def test_initializations():
    net = Network([3, 5, 2], init="constant")
    assert all(np.all(W == 0.1) for W in net.weights) and all(np.all(b == 0.1) for b in net.biases)
    a = Network([3, 5, 2], init="xavier", seed=3)
    b = Network([3, 5, 2], init="xavier", seed=3)
    assert np.array_equal(a.get_params(), b.get_params())
    assert not np.array_equal(a.get_params(), Network([3, 5, 2], seed=4).get_params())
    assert np.max(np.abs(a.weights[0])) <= np.sqrt(6 / 8) and np.all(a.biases[0] == 0)
    u = Network([3, 5, 2], init="uniform", init_scale=0.05, seed=0)
    assert np.max(np.abs(u.get_params())) <= 0.05
    # Many inputs and outputs (no hidden layer, so no width limit) for tight statistics.
    he = Network([400, 300], init="he", seed=0)
    assert np.std(he.weights[0]) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    g = Network([400, 300], init="gaussian", init_scale=0.2, seed=0)
    assert np.std(g.weights[0]) == pytest.approx(0.2, rel=0.02)


def test_objective_value_gradient_and_batched_forms():
    net = Network([2, 5, 3, 1], activation="elu", seed=5)
    X, T = small_data(n=8)
    obj = net.objective(X, T)
    theta = net.get_params()
    assert obj.dim == net.n_params
    assert obj.value(theta) == pytest.approx(net.loss(X, T), rel=1e-14)
    rng = np.random.default_rng(0)
    thetas = theta + rng.normal(size=(7, net.n_params))
    singles = np.array([obj.value(t) for t in thetas])
    assert np.allclose(obj.values(thetas), singles, rtol=1e-13)
    assert np.allclose(obj.value(thetas.reshape(7, 1, -1)), singles[:, None], rtol=1e-13)
    assert np.allclose(obj.values(thetas, dtype=np.float32), singles, rtol=1e-5)
    assert np.allclose(obj.values(thetas, workers=2), singles, rtol=1e-13)
    grads = obj.gradients(thetas)
    assert np.allclose(grads, [obj.gradient(t) for t in thetas], rtol=1e-12, atol=1e-15)
    obj.value(thetas[0])  # evaluating must not change the network
    assert np.array_equal(net.get_params(), theta)


def test_hessian_of_linear_least_squares_is_exact():
    # One linear layer with MSE: E = mean ½(w·x + b − t)², Hessian = mean [x;1][x;1]^T.
    net = Network([3, 1], output_activation="linear", loss="mse", seed=0)
    X, T = small_data(n_in=3, n=10)
    H = net.objective(X, T).hessian(net.get_params())
    Xa = np.hstack([X, np.ones((10, 1))])
    assert np.allclose(H, Xa.T @ Xa / 10, atol=1e-8)


def test_hessian_is_symmetric_and_matches_gradient_differences():
    net = Network([2, 3, 1], activation="tanh", loss="bce", seed=1)
    X, T = small_data()
    obj = net.objective(X, T)
    theta = net.get_params()
    H = obj.hessian(theta)
    assert np.array_equal(H, H.T)
    v = np.random.default_rng(2).normal(size=theta.size)
    h = 1e-4
    directional = (obj.gradient(theta + h * v) - obj.gradient(theta - h * v)) / (2 * h)
    assert np.allclose(H @ v, directional, atol=1e-6)


def test_overflow_is_silent_and_finite_where_it_can_be():
    net = Network([2, 3, 1], activation="sigmoid", output_activation="sigmoid", loss="bce", seed=0)
    X = np.array([[1e3, -1e3], [2.0, 1.0]])
    T = np.array([[1.0], [0.0]])
    net.set_params(net.get_params() * 1e6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = net.loss(X, T)
        back = net.backward(net.forward(X), T)
        for act in ("softplus", "elu", "swish", "tanh", "softmax"):
            make_activation(act).f(np.array([-1e308, 1e308, 0.0]))
        nan_net = Network([2, 1], output_activation="linear")
        nan_net.set_params(np.array([np.inf, -np.inf, 0.0]))
        assert np.isnan(nan_net.loss(np.ones((1, 2)), [[0.0]]))
    assert np.isfinite(loss) and all(np.all(np.isfinite(g)) for g in back.grad_weights)


def test_copy_is_independent():
    net = Network([2, 2, 1], seed=0)
    twin = net.copy()
    twin.weights[0][0, 0] = 42.0
    assert net.weights[0][0, 0] != 42.0 and twin.layer_sizes == net.layer_sizes


def test_accuracy():
    net = Network([1, 1], output_activation="linear", init="constant", init_scale=0.0)
    net.set_params(np.array([1.0, 0.0]))
    X = np.array([[0.9], [0.2], [0.7], [0.1]])
    assert net.accuracy(X, [1, 0, 0, 0]) == 0.75


@pytest.mark.parametrize("kwargs,fragment", [
    (dict(layer_sizes=[2]), "layer_sizes"),
    (dict(layer_sizes=[2, 0, 1]), "layer_sizes[1]"),
    (dict(layer_sizes=[2, 1], init="zeros"), "init"),
    (dict(layer_sizes=[2, 1], regularization="l3"), "regularization"),
    (dict(layer_sizes=[2, 1], reg_rate=-1), "reg_rate"),
    (dict(layer_sizes=[2, 3, 1], activation="softmax"), "softmax"),
    (dict(layer_sizes=[2] + [3] * 7 + [1]), "7 hidden layers; the limit is 6"),
    (dict(layer_sizes=[2, 4, 17, 1]), "has 17 neurons; the limit is 16"),
])
def test_bad_configuration_names_the_culprit(kwargs, fragment):
    with pytest.raises(NetworkError, match=fragment.replace("[", r"\[").replace("]", r"\]")):
        Network(**kwargs)


def test_bad_names_and_shapes():
    with pytest.raises(ActivationError, match="sigmoyd"):
        Network([2, 1], activation="sigmoyd")
    with pytest.raises(ActivationError, match="slope"):
        make_activation("leaky_relu", slope=2.0)
    with pytest.raises(LossError, match="hinge"):
        make_loss("hinge")
    net = Network([2, 3, 1])
    with pytest.raises(NetworkError, match="inputs X"):
        net.forward(np.ones((4, 3)))
    with pytest.raises(NetworkError, match="targets T"):
        net.loss(np.ones((4, 2)), np.ones((3, 1)))
    with pytest.raises(NetworkError, match="set_params"):
        net.set_params(np.ones(3))
    with pytest.raises(NetworkError, match="theta"):
        net.objective(np.ones((4, 2)), np.ones(4)).value(np.ones(5))


def test_the_issue_limits_hold_at_their_edges():
    """0 to 6 hidden layers of 1 to 16 neurons, any number of inputs and outputs."""
    deepest = Network([2] + [16] * 6 + [1], seed=0)
    assert deepest.n_layers == 7 and deepest.n_params == 2 * 16 + 16 + 5 * (16 * 16 + 16) + 17
    assert Network([2, 1]).n_layers == 1 and Network([2, 1, 1]).n_layers == 2
    assert Network([30, 16, 40]).layer_sizes == [30, 16, 40]  # inputs and outputs are free
    with pytest.raises(ValueError, match="limit"):
        Network([2] + [16] * 7 + [1])


def test_parameter_count_answers_the_slide_003_exercise():
    # 40×40 pixels, three hidden layers of 100, 10 classes:
    # (1600 + 1)·100 + (100 + 1)·100 + (100 + 1)·100 + (100 + 1)·10 = 181,310
    assert parameter_count([1600, 100, 100, 100, 10]) == 160_100 + 10_100 + 10_100 + 1_010
    assert parameter_count([1600, 100, 100, 100, 10]) == 181_310
    for sizes in ([2, 1], [2, 4, 3, 1], [3] + [16] * 6 + [2]):
        assert parameter_count(sizes) == Network(sizes).n_params
    with pytest.raises(NetworkError, match="layer_sizes"):
        parameter_count([5])
