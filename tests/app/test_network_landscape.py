"""The playground's loss landscape: the plane goes through the trained network and carries its path."""
import numpy as np
import pytest

from valley.app.views.network_landscape import compute_landscape
from valley.core.datasets import make_dataset
from valley.core.network import Network
from valley.core.optimizers import make_optimizer
from valley.core.training import train


@pytest.fixture(scope="module")
def trained():
    data = make_dataset("gauss", samples=120, noise=0.1, seed=1)
    net = Network([2, 4, 1], activation="tanh", output_activation="sigmoid", loss="bce", seed=0)
    history = train(net, data, make_optimizer("adam", lr=0.05), 40)
    return net, data, np.asarray(history.params, float)


@pytest.mark.parametrize("plane", ["random", "pca"])
def test_the_plane_is_centred_on_the_final_parameters_and_the_path_ends_there(trained, plane):
    net, data, path = trained
    result = compute_landscape(net, data.X_train, data.T_train, path, plane, resolution=21)
    Z, coords = result["Z"], result["coords"]
    final = net.copy()
    final.set_params(path[-1])
    centre = Z[10, 10]  # α = β = 0 on an odd grid
    assert centre == pytest.approx(final.loss(data.X_train, data.T_train), rel=1e-4)
    assert np.allclose(coords[-1], 0.0, atol=1e-9)
    assert len(coords) == len(path)
    if plane == "pca":
        explained = np.asarray(result["explained"])
        assert 0.5 < explained[:2].sum() <= 1.0 + 1e-9
        # the PCA plane holds the path: projecting and lifting back loses little
        assert np.isfinite(coords).all()
    else:
        assert result["explained"] is None


def test_a_diverged_path_is_centred_on_its_last_finite_step(trained):
    net, data, path = trained
    broken = np.vstack([path, np.full((3, path.shape[1]), np.nan)])
    result = compute_landscape(net, data.X_train, data.T_train, broken, "random", resolution=11)
    final = net.copy()
    final.set_params(path[-1])
    assert result["Z"][5, 5] == pytest.approx(final.loss(data.X_train, data.T_train), rel=1e-4)
    assert len(result["coords"]) == len(path)


def test_retraining_many_times_keeps_a_bounded_number_of_histories_alive(qtbot):
    """A soak showed memory growing with every retrain: old landscape jobs kept the paths alive."""
    import gc
    import weakref

    from models import playground_model

    from valley.app.network_page import NetworkPage
    from valley.core.scene import NetworkSpec

    page = NetworkPage(playground_model(NetworkSpec(hidden=[3], samples=40), steps=20, background=False).document)
    qtbot.addWidget(page)
    page.show()
    session, view = page.session, page.landscape
    histories, paths = [], []
    for k in range(12):
        session.set_steps(20 + k % 2)
        histories.append(weakref.ref(session.history))
        paths.append(weakref.ref(session.history.params))
        qtbot.waitUntil(lambda: view.job is not None and not view.job.is_running(), timeout=5000)
        qtbot.wait(5)  # deliver the job's queued result
    gc.collect()
    assert sum(r() is not None for r in histories) <= 2
    assert sum(r() is not None for r in paths) <= 2
    assert len(view.findChildren(type(view.job))) <= 2  # finished jobs are freed, not parented forever
    page.shutdown()
