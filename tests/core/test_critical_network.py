"""Critical points of a network's loss plane: few seeds from the value grid, exact slice Hessians."""
import numpy as np

from valley.core import landscape
from valley.core.critical import critical_points
from valley.core.network import Network


def network_plane(seed):
    rng = np.random.default_rng(seed)
    net = Network([2, 3, 1], activation="tanh", output_activation="linear", loss="mse", seed=seed,
                  init="gaussian", init_scale=1.0)
    X = rng.uniform(-1, 1, size=(20, 2))
    T = np.sin(2 * X[:, :1]) * X[:, 1:]
    theta = net.get_params()
    d1, d2 = rng.normal(size=(2, theta.size))
    return landscape.Slice(net.objective(X, T), theta, d1, d2, bounds=((-2, 2), (-2, 2)))


def test_a_network_plane_seeds_from_its_values_and_finds_what_the_full_grid_finds():
    plane = network_plane(4)
    assert plane.seed_from_values
    found = critical_points(plane, resolution=48)
    plane.seed_from_values = False  # Newton from every one of the 48² grid points
    everywhere = critical_points(plane, resolution=48)
    assert [c.kind for c in found] == [c.kind for c in everywhere]
    assert {c.kind for c in found} == {"minimum", "saddle"}
    for c, d in zip(found, everywhere):
        assert np.allclose(c.point, d.point, atol=1e-8)
        assert np.linalg.norm(plane.gradient(c.point)) < 1e-9
        # the kind is the sign pattern of the exact 2×2 Hessian Dᵀ·H·D
        w = np.linalg.eigvalsh(plane.hessian(c.point))
        assert np.allclose(w, c.eigenvalues)
        assert (c.kind == "minimum") == bool(np.all(w > 0))
