"""Network.forward in float32 (the playground's pictures) against the float64 pass."""
import numpy as np
import pytest

from valley.core.network import Network

CASES = [
    dict(activation="tanh"),
    dict(activation="relu", batch_norm=True),
    dict(activation="prelu"),
    dict(activation="maxout"),
    dict(activation="elu", dropout=0.3),
    dict(activation="sigmoid", batch_norm=True, dropout=0.2),
]


def trained_running_statistics(net, X):
    """Running statistics away from their start (0, 1), so predicting uses them for real."""
    rng = np.random.default_rng(5)
    for _ in range(20):
        net.forward(X, train=True, rng=rng)
        record = net.forward(X, train=True, rng=rng)
        net.running = ([r.mean[0] for r in record.norm if r is not None],
                       [r.variance[0] for r in record.norm if r is not None])


@pytest.mark.parametrize("options", CASES, ids=lambda o: "-".join(f"{k}={v}" for k, v in o.items()))
def test_single_precision_forward_matches_double(options):
    net = Network([2, 8, 8, 3], output_activation="softmax", loss="cross_entropy", seed=1, **options)
    X = np.random.default_rng(0).normal(scale=2.0, size=(200, 2))
    if net.batch_norm:
        trained_running_statistics(net, X)
        assert not np.allclose(net.running[0][0], 0.0)
    double = net.forward(X)
    single = net.forward(X, dtype=np.float32)
    for layer in range(1, len(net.layer_sizes)):
        assert single.a[layer].dtype == np.float32 and single.z[layer].dtype == np.float32
        scale = max(1.0, float(np.abs(double.a[layer]).max()))
        np.testing.assert_allclose(single.a[layer], double.a[layer], rtol=0, atol=2e-6 * scale)
    # training mode: the same masks from the same generator, the batch's own statistics
    trained = net.forward(X, train=True, rng=np.random.default_rng(3), dtype=np.float32)
    reference = net.forward(X, train=True, rng=np.random.default_rng(3))
    np.testing.assert_allclose(trained.a[-1], reference.a[-1], rtol=0, atol=2e-6)


def test_single_precision_forward_overflows_to_a_result_not_an_error():
    net = Network([2, 4, 1], activation="tanh", output_activation="sigmoid", seed=0)
    net.weights[0][:] = 1e39  # beyond float32's range: inf there, finite in float64
    X = np.array([[1.0, 1.0], [-1.0, -1.0]])
    with np.errstate(all="raise"):
        single = net.forward(X, dtype=np.float32)
    assert single.a[-1].dtype == np.float32 and single.a[-1].shape == (2, 1)
    assert not np.isfinite(single.z[1]).all()
