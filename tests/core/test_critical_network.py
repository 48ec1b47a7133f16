"""Critical points of a network's loss plane: few seeds from the value grid, exact slice Hessians."""
import numpy as np
import pytest
from test_gradcheck import CURVED, LOSS_OUTPUTS, make_case

import valley.core.network as network
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


# --- the plane's loss grid, formed from the plane rather than point by point ---

PLANE_CASES = ([(hidden, "mse", "linear", "none") for hidden in CURVED]
               + [("tanh", loss, output, "none") for loss, output in LOSS_OUTPUTS]
               + [("sigmoid", "mse", "linear", "l1"), ("swish", "bce", "sigmoid", "l2"),
                  ("tanh", "mse", "linear", "l2")])


def per_point_losses(obj, theta0, d1, d2, A, B):
    return np.array([obj.value(theta0 + a * d1 + b * d2) for a, b in zip(A.ravel(), B.ravel())]
                    ).reshape(A.shape)


@pytest.mark.parametrize("hidden,loss,output,regularization", PLANE_CASES)
def test_plane_values_equal_the_loss_at_each_point(hidden, loss, output, regularization, monkeypatch):
    sizes = [3, 4, 3, 3 if output == "softmax" else 2]
    net, X, T = make_case(sizes, hidden, loss, output, seed=6, regularization=regularization)
    obj = net.objective(X, T)
    rng = np.random.default_rng(1)
    theta0 = net.get_params()
    d1, d2 = rng.normal(size=(2, theta0.size))
    A, B = np.meshgrid(np.linspace(-1.5, 1.2, 7), np.linspace(-0.8, 1.1, 5))
    expected = per_point_losses(obj, theta0, d1, d2, A, B)
    monkeypatch.setattr(network, "_PLANE_CHUNK_ELEMENTS", 3 * 5 * 4)  # a few points per chunk, a ragged last one
    for workers in (1, 2):
        exact = obj.plane_values(theta0, d1, d2, A, B, workers=workers)
        assert exact.shape == A.shape
        assert np.allclose(exact, expected, rtol=1e-12, atol=1e-14)
        narrow = obj.plane_values(theta0, d1, d2, A, B, dtype=np.float32, workers=workers)
        assert np.allclose(narrow, expected, rtol=2e-5, atol=1e-6)


def test_plane_values_without_hidden_layers_and_the_slice_picture_uses_them():
    net = Network([2, 1], output_activation="sigmoid", loss="bce", seed=3)
    rng = np.random.default_rng(2)
    X = rng.normal(size=(9, 2))
    T = rng.integers(0, 2, (9, 1)).astype(float)
    obj = net.objective(X, T)
    theta0 = net.get_params()
    d1, d2 = rng.normal(size=(2, theta0.size))
    plane = landscape.Slice(obj, theta0, d1, d2, grid_dtype=np.float64, workers=1)
    A, B = np.meshgrid(np.linspace(-2, 2, 6), np.linspace(-1, 3, 4))
    assert np.allclose(plane.evaluate(A, B), per_point_losses(obj, theta0, d1, d2, A, B), rtol=1e-12)


def test_plane_values_answer_in_float64_where_float32_overflows():
    net, X, T = make_case([2, 3, 1], "tanh", "mse", "linear", seed=2)
    obj = net.objective(X, T)
    theta0 = net.get_params()
    d1 = np.full(theta0.size, 1e-39)  # α = 1e39 is beyond float32, the point θ₀ + 1 is not
    d2 = np.zeros(theta0.size)
    d2[0] = 1.0
    values = obj.plane_values(theta0, d1, d2, np.array([0.0, 1e39]), np.array([0.5, 0.5]), dtype=np.float32)
    assert np.isclose(values[0], obj.value(theta0 + 0.5 * d2), rtol=1e-6)  # float32's own answer
    assert np.isclose(values[1], obj.value(theta0 + 1e39 * d1 + 0.5 * d2), rtol=1e-12)


def test_the_slice_gives_newton_its_gradient_and_hessian_from_one_pass():
    plane = network_plane(5)
    points = np.array([[0.1, -0.3], [1.2, 0.4], [-0.7, -1.1]])
    g, H = plane.gradient_and_hessian(points)
    assert np.allclose(g, plane.gradient(points), rtol=1e-12, atol=1e-14)
    assert np.allclose(H, plane.hessian(points), rtol=1e-12, atol=1e-14)


def test_a_network_plane_seeds_from_a_given_picture_grid_without_evaluating_its_own():
    plane = network_plane(4)
    expected = critical_points(plane, resolution=48)
    # the picture's grid reaches past the bounds ((-2, 2) on both axes), unevenly, with the
    # finder's own 48 points per side inside them
    step = 4 / 47
    inside = np.linspace(-2, 2, 48)
    xs = np.concatenate([-2 - step * np.arange(5, 0, -1), inside, 2 + step * np.arange(1, 4)])
    ys = np.concatenate([-2 - step * np.arange(2, 0, -1), inside, 2 + step * np.arange(1, 8)])
    Z = plane.evaluate(xs[None, :], ys[:, None])

    def no_grid(*_):
        raise AssertionError("the finder evaluated a grid of its own")
    plane.evaluate = no_grid
    found = critical_points(plane, grid=(xs, ys, Z))
    assert [c.kind for c in found] == [c.kind for c in expected]
    for c, d in zip(found, expected):
        assert np.allclose(c.point, d.point, atol=1e-8)
    with pytest.raises(ValueError, match=r"shape \(len\(ys\), len\(xs\)\)"):
        critical_points(plane, grid=(xs, ys, Z.T))
    with pytest.raises(ValueError, match="inside the bounds"):
        critical_points(plane, grid=(xs, np.linspace(3, 4, ys.size), Z))
