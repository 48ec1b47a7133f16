"""The playground's loss landscape: the plane goes through the trained network and carries its path;
the model recomputes it as training changes, the view draws it."""
import numpy as np
import pytest

from valley.app.model.jobs import BackgroundJob
from valley.app.model.network_landscape import COARSE, FULL, compute_landscape
from valley.app.views.network_landscape import NetworkLandscapeView
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
    session, model = page.session, page.document.network_landscape
    histories, paths = [], []
    for k in range(12):
        session.set_steps(20 + k % 2)
        histories.append(weakref.ref(session.history))
        paths.append(weakref.ref(session.history.params))
        qtbot.waitUntil(lambda: not model.busy, timeout=5000)
        qtbot.wait(5)  # let Qt delete the finished job
    gc.collect()
    assert sum(r() is not None for r in histories) <= 2
    assert sum(r() is not None for r in paths) <= 2
    assert len(model.findChildren(BackgroundJob)) <= 2  # finished jobs are freed, not parented forever
    page.shutdown()


@pytest.fixture
def model(qtbot):
    from models import playground_model

    from valley.core.scene import NetworkSpec

    playground = playground_model(NetworkSpec(hidden=[3], samples=40), steps=20, background=False)
    model = playground.document.network_landscape
    yield model
    model.shutdown()


def test_the_model_computes_the_plane_of_the_trained_path_in_the_background(model):
    assert model.busy and model.result is None  # started as soon as it was built
    assert model.wait()
    result, playground = model.result, model.playground
    assert not model.busy and result["resolution"] == FULL and result["plane"] == "random"
    assert len(result["coords"]) == len(playground.history.params)
    final = playground.network.copy()
    final.set_params(np.asarray(playground.history.params[-1], float))
    centre = result["Z"][FULL // 2, FULL // 2]
    assert centre == pytest.approx(final.loss(playground.data.X_train, playground.data.T_train), rel=1e-4)


def test_coarse_while_playing_full_when_paused_and_a_new_plane_on_request(model, qtbot):
    model.wait()
    timeline = model.playground.timeline
    timeline.play()
    model.compute()
    assert model.resolution == COARSE and model.wait() and model.result["resolution"] == COARSE
    timeline.pause()  # the pause asks for the full grid by itself
    assert model.busy and model.wait() and model.result["resolution"] == FULL
    planes = []
    model.planeChanged.connect(planes.append)
    model.set_plane("pca")
    assert planes == ["pca"] and model.wait() and model.result["plane"] == "pca"
    assert model.result["explained"] is not None
    with pytest.raises(ValueError):
        model.set_plane("hessian")


def test_a_retrained_network_gets_a_new_plane(model):
    model.wait()
    first = model.result
    model.playground.set_steps(30)
    assert model.busy and model.wait()
    assert model.result is not first and len(model.result["coords"]) == 31


def test_the_view_draws_the_models_plane_and_its_head_at_step_t(model, qtbot):
    view = NetworkLandscapeView(model)
    qtbot.addWidget(view)
    assert "computing" in view.status.text() and not view.race_button.isEnabled()
    with qtbot.waitSignal(model.resultChanged, timeout=10_000):
        pass
    coords = model.result["coords"]
    assert view.image.isVisible() and view.image.image.shape == (FULL, FULL)
    x, y = view.path.getData()
    assert np.allclose(x, coords[:, 0]) and np.allclose(y, coords[:, 1])
    model.playground.timeline.set_step(3)
    assert np.allclose(view.head.getData()[0], coords[3, 0])
    assert view.status.text().startswith("log₁₀ loss, 81×81") and view.race_button.isEnabled()
    view.choice.setCurrentIndex(view.choice.findData("pca"))
    assert model.plane == "pca" and model.busy
    model.set_plane("random")
    assert view.choice.currentData() == "random"
