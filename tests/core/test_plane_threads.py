"""A network plane computed in worker threads overflows quietly, as in one thread (numpy's error
state belongs to each thread; the deck export printed RuntimeWarnings from the workers)."""
import warnings

import numpy as np

from valley.core.network import Network


def test_an_overflowing_plane_in_two_workers_warns_nothing_and_equals_one_worker():
    rng = np.random.default_rng(0)
    net = Network([2, 8, 8, 1], activation="relu", output_activation="sigmoid", loss="bce", seed=0)
    X, T = rng.normal(size=(200, 2)), (rng.random((200, 1)) > 0.5).astype(float)
    objective = net.objective(X, T)
    theta = net.get_params()
    d1, d2 = rng.normal(size=(2, net.n_params)) * 1e19  # float32 overflows far along the plane
    alpha, beta = np.meshgrid(np.linspace(-1, 1, 41), np.linspace(-1, 1, 41))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        two = objective.plane_values(theta, d1, d2, alpha, beta, dtype=np.float32, workers=2)
        one = objective.plane_values(theta, d1, d2, alpha, beta, dtype=np.float32, workers=1)
    np.testing.assert_array_equal(np.isfinite(two), np.isfinite(one))
    np.testing.assert_allclose(two[np.isfinite(two)], one[np.isfinite(one)], rtol=1e-5)
