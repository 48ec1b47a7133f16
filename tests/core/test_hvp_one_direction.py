"""The cheap paths a sharpness record takes: H·v for one direction, Lanczos' 2×2 Ritz step, NaN products."""
import numpy as np
import pytest
from test_gradcheck import CURVED, LOSS_OUTPUTS, make_case, relative_error

from valley.core.curvature import SharpnessRecorder, _eigh_2x2, lanczos_top
from valley.core.network import Network


def gradient_differences(obj, theta, v, h=1e-5):
    return (obj.gradient(theta + h * v) - obj.gradient(theta - h * v)) / (2 * h)


@pytest.mark.parametrize("hidden", CURVED)
@pytest.mark.parametrize("loss,output", LOSS_OUTPUTS)
def test_one_direction_equals_the_broadcast_path(hidden, loss, output):
    sizes = [3, 4, 4, 3 if output == "softmax" else 2]
    net, X, T = make_case(sizes, hidden, loss, output, seed=5)
    obj = net.objective(X, T)
    theta = net.get_params()
    kept = obj.curvature(theta)
    v = np.random.default_rng(1).normal(size=theta.size)
    one = kept.hvp(v)  # the one-direction path
    broadcast = kept.hvp(v[None, :])[0]  # the general path, a stack of one direction
    assert one.shape == (theta.size,)
    assert np.allclose(one, broadcast, rtol=1e-12, atol=1e-14 * np.abs(broadcast).max())
    assert relative_error(one, gradient_differences(obj, theta, v)) < 1e-6


@pytest.mark.parametrize("regularization", ["l1", "l2"])
def test_one_direction_with_regularization(regularization):
    net, X, T = make_case([2, 3, 3, 1], "tanh", "mse", "linear", seed=3, regularization=regularization)
    kept = net.objective(X, T).curvature(net.get_params())
    v = np.random.default_rng(4).normal(size=net.n_params)
    assert np.allclose(kept.hvp(v), kept.hvp(v[None, :])[0], rtol=1e-12, atol=1e-14)
    # Repeated products at one θ do not disturb each other (the result is fresh memory).
    first = kept.hvp(v)
    kept.hvp(-3 * v)
    assert np.array_equal(first, kept.hvp(v))


def test_layer_slices_agree_with_param_index_and_unflatten():
    net = Network([3, 5, 4, 2], seed=0)
    theta = np.arange(net.n_params, dtype=float)
    W, b = net.unflatten(theta)
    for layer, (weights, biases) in enumerate(net.layer_slices()):
        assert weights.start == net.param_index(layer, 0, 0)
        assert biases.start == net.param_index(layer, 0)
        assert np.array_equal(theta[weights].reshape(W[layer].shape), W[layer])
        assert np.array_equal(theta[biases], b[layer])
    assert net.layer_slices()[-1][1].stop == net.n_params


def test_the_2x2_ritz_step_equals_numpy_eigh():
    rng = np.random.default_rng(0)
    cases = [rng.normal(size=3) * 10.0 ** rng.uniform(-6, 6) for _ in range(2000)]
    cases += [np.array(c, float) for c in ([1, 0, 1], [2, 0, 1], [1, 0, 2], [1, 1e-300, 1],
                                            [3, 1e-20, -3], [1e-10, 5, 1e10], [-4, 2, -4])]
    for a, b, c in cases:
        M = np.array([[a, b], [b, c]])
        values, vectors = _eigh_2x2(a, b, c)
        scale = np.abs(M).max()
        assert values[0] <= values[1]
        assert np.allclose(values, np.linalg.eigvalsh(M), rtol=0, atol=1e-15 * scale)
        assert np.allclose(vectors.T @ vectors, np.eye(2), atol=1e-15)
        assert np.allclose(M @ vectors, vectors * values, rtol=0, atol=2e-15 * scale)


def test_lanczos_stopping_at_two_products_matches_the_exact_ritz_values():
    # Two products from a start near the top eigenvector: the Ritz values of span{q, Hq}.
    rng = np.random.default_rng(2)
    A = rng.normal(size=(30, 30))
    H = A + A.T
    top = np.linalg.eigh(H)[1][:, -1]
    start = top + 0.05 * rng.normal(size=30)
    pairs = lanczos_top(lambda v: H @ v, 30, 1, start, tol=0.0, max_iter=2)
    q = start / np.linalg.norm(start)
    basis = np.linalg.qr(np.column_stack([q, H @ q]))[0]
    expected = np.linalg.eigvalsh(basis.T @ H @ basis)[-1]
    assert pairs.products == 2
    assert np.isclose(pairs.values[0], expected, rtol=1e-13)
    ritz_vector = pairs.vectors[0]
    assert np.isclose(np.linalg.norm(ritz_vector), 1.0)
    assert np.isclose(ritz_vector @ H @ ritz_vector, expected, rtol=1e-12)


def test_a_product_that_is_not_finite_gives_nan_and_the_recorder_keeps_its_start():
    H = np.diag([3.0, 2.0, 1.0, 0.5])
    calls = []

    def overflowing(v):
        calls.append(1)
        out = H @ v
        return out if len(calls) < 3 else np.full_like(out, np.inf)

    pairs = lanczos_top(overflowing, 4, 1, np.ones(4), tol=1e-14)
    assert pairs.products == 3 and np.isnan(pairs.values).all() and np.isnan(pairs.vectors).all()

    recorder = SharpnessRecorder(10, 4)
    start = recorder._start.copy()
    recorder.record(0, lambda v: np.full(4, np.nan), np.zeros(4))
    recorder.record(10, lambda v: H @ v, np.zeros(4))
    steps, values = recorder.result()
    assert steps.tolist() == [0, 10] and np.isnan(values[0])
    assert np.isclose(values[1], 3.0, rtol=1e-3)  # λmax to the recorder's tolerance
    assert not np.array_equal(recorder._start, start)  # the finite record moved the start
