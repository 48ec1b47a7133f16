"""symmetric_eig against numpy.linalg; the Newton step against hand-solved systems."""
import numpy as np
import pytest

from valley.core.linalg import newton_step, symmetric_eig


def random_symmetric(rng, n, batch=()):
    A = rng.standard_normal(batch + (n, n))
    return 0.5 * (A + np.swapaxes(A, -1, -2))


@pytest.mark.parametrize("n", [2, 3, 5])
def test_symmetric_eig_matches_numpy_on_random_symmetric_matrices(n):
    rng = np.random.default_rng(n)
    H = random_symmetric(rng, n, (40,))
    w, V = symmetric_eig(H)
    assert np.allclose(w, np.linalg.eigvalsh(H), atol=1e-12)
    assert np.all(np.diff(w, axis=-1) >= 0)  # ascending
    assert np.allclose(np.swapaxes(V, -1, -2) @ V, np.eye(n), atol=1e-12)  # orthonormal
    assert np.allclose(V @ (w[..., None] * np.swapaxes(V, -1, -2)), H, atol=1e-12)  # V Λ Vᵀ = H


def test_symmetric_eig_of_a_non_finite_matrix_is_nan_not_an_exception():
    H = np.stack([np.diag([1.0, 2.0, 3.0]), np.full((3, 3), np.nan)])
    w, V = symmetric_eig(H)
    assert np.allclose(w[0], [1.0, 2.0, 3.0]) and np.isnan(w[1]).all() and np.isnan(V[1]).all()


def test_newton_step_of_a_hand_solved_2x2():
    # H = [[2, 1], [1, 3]], H⁻¹ = [[3, -1], [-1, 2]] / 5, so -H⁻¹(1, 2) = -(1, 3) / 5.
    H, g = np.array([[2.0, 1.0], [1.0, 3.0]]), np.array([1.0, 2.0])
    step, invertible = newton_step(*symmetric_eig(H), g)
    assert np.allclose(step, [-0.2, -0.6], atol=1e-14) and invertible.all()


def test_newton_step_of_a_singular_matrix_is_the_least_squares_step():
    # H = diag(2, 0): the flat direction is dropped, the curved one solved: -(4/2, 0).
    step, invertible = newton_step(*symmetric_eig(np.diag([2.0, 0.0])), np.array([4.0, 5.0]))
    assert np.allclose(step, [-2.0, 0.0], atol=1e-14)
    assert invertible.tolist() == [False, True]  # eigenvalues ascending: 0, then 2


def test_newton_step_matches_a_linear_solve_on_a_batch():
    rng = np.random.default_rng(7)
    H = random_symmetric(rng, 4, (25,)) + 5.0 * np.eye(4)
    g = rng.standard_normal((25, 4))
    step, _ = newton_step(*symmetric_eig(H), g)
    assert np.allclose(step, -np.linalg.solve(H, g[..., None])[..., 0], atol=1e-12)
