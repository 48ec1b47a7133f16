"""Newton-CG (Hessian-free): conjugate gradients on exact H·v give exact Newton when they converge."""
import numpy as np
import pytest
from reference_surfaces import SaddleXY

from valley.core.curvature import conjugate_gradient
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import train


def small_net_problem(pretrain: int = 300):
    """A 2-3-1 net on 25 points; after `pretrain` Adam steps it sits where H is positive definite."""
    rng = np.random.default_rng(3)
    net = Network([2, 3, 1], activation="tanh", output_activation="linear", loss="mse", seed=2,
                  regularization="l2", reg_rate=0.01)
    X = rng.uniform(-1, 1, (25, 2))
    T = np.sin(2 * X[:, :1]) * X[:, 1:]
    if pretrain:
        train(net, (X, T), make_optimizer("adam", lr=0.05), steps=pretrain)
    return net, net.objective(X, T), net.get_params()


def test_newton_cg_equals_exact_newton_on_a_small_net_when_cg_converges():
    net, obj, theta = small_net_problem()
    H = obj.hessian(theta)
    assert np.linalg.eigvalsh(H)[0] > 0  # L2 makes this H positive definite: Newton's step is defined
    g = obj.gradient(theta)
    exact = theta - 0.7 * np.linalg.solve(H, g)
    cg = make_optimizer("newton_cg", lr=0.7, damping=0.0, cg_iterations=500)
    assert np.allclose(cg.step(theta, obj), exact, rtol=1e-8, atol=1e-12)
    newton = make_optimizer("newton", lr=0.7)
    assert np.allclose(cg.step(theta, obj), newton.step(theta, obj), rtol=1e-8, atol=1e-12)
    assert not cg.last_record()["negative_curvature"]


def test_damping_solves_the_damped_system_as_levenberg_marquardt_does():
    net, obj, theta = small_net_problem()
    cg = make_optimizer("newton_cg", lr=1.0, damping=0.5, cg_iterations=200)
    damped = make_optimizer("damped_newton", lr=1.0, damping=0.5)
    assert np.allclose(cg.step(theta, obj), damped.step(theta, obj), rtol=1e-8, atol=1e-12)


def test_newton_cg_trains_a_network_too_big_for_exact_newton():
    rng = np.random.default_rng(0)
    X = rng.uniform(-1, 1, (40, 2))
    T = np.sin(2 * X[:, :1]) * X[:, 1:]
    net = Network([2, 16, 16, 1], activation="tanh", output_activation="linear", loss="mse", seed=0)
    assert net.n_params > 200
    history = train(net, (X, T), make_optimizer("newton_cg", lr=0.5, damping=0.3, cg_iterations=30),
                    steps=10)
    assert history.status == "running"
    assert history.train_loss[-1] < 0.05 * history.train_loss[0]


def test_conjugate_gradient_stops_at_negative_curvature_with_a_downhill_step():
    H = np.diag([1.0, -2.0])
    b = np.array([1.0, 1.0])
    result = conjugate_gradient(lambda v: v @ H, b, max_iter=10)
    assert result.negative_curvature and result.iterations == 0
    assert np.array_equal(result.x, b)  # at once: the steepest-descent direction itself
    # rows solve independently: a positive definite row converges in n steps
    B = np.array([[1.0, 2.0], [0.5, -3.0]])
    A = np.array([[3.0, 1.0], [1.0, 2.0]])
    rows = conjugate_gradient(lambda v: v @ A, B)
    assert np.allclose(rows.x, np.linalg.solve(A, B.T).T, atol=1e-12)
    assert rows.iterations.tolist() == [2, 2]


def test_on_a_saddle_the_step_goes_downhill_and_is_flagged():
    opt = make_optimizer("newton_cg", lr=1.0, damping=0.0)
    theta = np.array([0.5, 0.2])
    surface = SaddleXY()
    new = opt.step(theta, surface)
    assert surface.value(new) < surface.value(theta)
    assert "negative curvature" in opt.last_record()["flags"]


@pytest.mark.parametrize("iterations", [1, 3])
def test_few_cg_iterations_still_give_a_descent_direction(iterations):
    net, obj, theta = small_net_problem()
    opt = make_optimizer("newton_cg", lr=1.0, cg_iterations=iterations)
    new = opt.step(theta, obj)
    assert np.dot(new - theta, obj.gradient(theta)) < 0
    assert opt.last_record()["cg_iterations"] <= iterations
