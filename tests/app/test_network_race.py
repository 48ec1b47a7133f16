"""Race on this plane: the optimizers race on a slice of the loss of the network being trained."""
import numpy as np
import pytest
from models import playground_model, race_model
from PyQt6.QtCore import QSettings

import valley.app.file_actions as fa
from valley.app.model.document import Document
from valley.app.model.network_landscape import plane_surface, race_start
from valley.app.model.playground import PlaygroundModel
from valley.app.model.race import NETWORK_SLICE
from valley.app.views.network_landscape import NetworkLandscapeView
from valley.core.scene import NetworkSpec, SurfaceSpec, default_scene


def landscape_of(net_session: PlaygroundModel, plane: str) -> dict:
    """The plane the document's landscape model computes for the trained network."""
    model = net_session.document.network_landscape
    model.set_plane(plane)
    assert model.wait() and model.result is not None
    return model.result


def final_loss(net_session: PlaygroundModel) -> float:
    net = net_session.network.copy()
    net.set_params(np.asarray(net_session.history.params[-1], float))
    return float(net.loss(net_session.data.X_train, net_session.data.T_train))


@pytest.fixture
def trained(qtbot):
    net_session = playground_model(NetworkSpec(hidden=[4, 4], samples=40), steps=25, background=False)
    view = NetworkLandscapeView(net_session.document.network_landscape)
    qtbot.addWidget(view)
    yield net_session, view
    net_session.document.network_landscape.shutdown()


@pytest.mark.parametrize("plane", ["random", "pca"])
def test_the_race_runs_on_the_networks_loss_from_where_training_started(trained, qtbot, plane):
    net_session, view = trained
    result = landscape_of(net_session, plane)
    assert view.race_button.isEnabled()
    with qtbot.waitSignal(view.raceRequested) as signal:
        view.race_button.click()
    surface, title, bounds, start = signal.args
    plane_name = "PCA plane" if plane == "pca" else "random plane"
    assert title == f"Loss of the 2-4-4-1 network on circles ({plane_name})"
    e = result["extent"]
    assert bounds == ((-e, e), (-e, e))
    assert start == pytest.approx(tuple(result["coords"][0]))

    session = race_model(default_scene())
    session.scene.view.critical_points = True
    emitted = []
    session.sceneChanged.connect(lambda: emitted.append("scene"))
    session.resultsChanged.connect(lambda i: emitted.append(("results", i)))
    session.race_on_surface(surface, title, bounds, start)
    assert emitted == ["scene", ("results", -1)] and session.document.modified
    assert session.surface is surface and session.surface.title == title
    assert session.scene.surface == SurfaceSpec(name=NETWORK_SLICE) and session.bounds == bounds
    assert session.scene.view.resolution == 96 and session.scene.view.critical_points
    # The finder is on there as everywhere: what it marks is critical on the network's plane.
    marked = session.critical.in_view()
    assert marked and all(np.linalg.norm(surface.gradient(cp.point)) < 1e-8 for cp in marked)
    # The centre of the plane is the trained network: the slice's value there is its loss.
    assert session.surface.value((0.0, 0.0)) == pytest.approx(final_loss(net_session), rel=1e-9)
    # Every racer starts where training started, projected on the plane.
    for traj in session.trajectories:
        assert np.allclose(traj.points[0], start)
    # SGD's first step by hand: −lr · (∂L/∂α, ∂L/∂β), the gradient taken by central differences.
    index = next(i for i, s in enumerate(session.scene.optimizers) if s.kind == "sgd")
    lr = session.scene.optimizers[index].hyperparameters["lr"]
    h = 1e-5
    a, b = start
    grad = np.array([(surface.value((a + h, b)) - surface.value((a - h, b))) / (2 * h),
                     (surface.value((a, b + h)) - surface.value((a, b - h))) / (2 * h)])
    step = session.trajectories[index].points[1] - session.trajectories[index].points[0]
    assert np.linalg.norm(grad) > 1e-6  # a real step, not a flat spot
    assert step == pytest.approx(-lr * grad, rel=1e-4, abs=1e-9)


def test_leaving_the_slice_restores_the_view_and_reset_keeps_the_slice(trained):
    net_session, view = trained
    result = landscape_of(net_session, "random")
    surface = plane_surface(result)
    session = race_model(default_scene())
    assert session.scene.view.resolution == 256 and session.scene.view.critical_points
    session.race_on_surface(surface, "Loss", surface.bounds, race_start(result))
    session.set_surface(SurfaceSpec(name=NETWORK_SLICE), None)  # the Surface panel's "reset bounds"
    assert session.surface is surface and session.bounds == surface.bounds
    session.set_surface(SurfaceSpec(name="rosenbrock"))
    assert session.surface.name == "rosenbrock"
    assert session.scene.view.resolution == 256 and session.scene.view.critical_points


def test_no_landscape_no_race(qtbot):
    # Big enough to train in the background: until it has, there is no path to draw a plane around.
    net_session = playground_model(NetworkSpec(hidden=[8, 8], samples=2000), steps=300, background=True)
    assert net_session.busy
    model = net_session.document.network_landscape
    view = NetworkLandscapeView(model)
    qtbot.addWidget(view)
    assert not model.trained and model.result is None and not model.busy
    assert not view.race_button.isEnabled() and view.status.text().startswith("train first")
    assert model.race_request() is None and view.request_race() is False
    model.shutdown()
    net_session.shutdown()


def test_the_window_races_on_the_plane_and_refuses_to_save_it(qtbot, tmp_path, monkeypatch):
    """One MainWindow in this file (a second one in a file has crashed Qt in a later event loop)."""
    from PIL import Image

    from valley.app.export import export_file
    from valley.app.main_window import MainWindow

    monkeypatch.setattr(fa, "QSettings", lambda *a: QSettings(str(tmp_path / "settings.ini"),
                                                              QSettings.Format.IniFormat))
    errors = []
    monkeypatch.setattr(fa, "show_error", lambda parent, title, text: errors.append((title, text)))
    window = MainWindow(Document(default_scene()), show_3d=False)
    qtbot.addWidget(window)
    window.resize(1400, 850)
    window.show()
    page = window.network_page
    page.session.wait()
    view = page.landscape
    result = landscape_of(page.session, "pca")
    window.tabs.setCurrentWidget(page)
    view.race_button.click()

    session = window.race
    assert window.tabs.currentWidget() is window.landscape_page
    assert session.scene.surface.name == NETWORK_SLICE
    assert session.surface.value((0.0, 0.0)) == pytest.approx(final_loss(page.session), rel=1e-9)
    assert np.allclose(session.trajectories[0].points[0], result["coords"][0])
    assert window.panels["Surface"].catalogue.currentIndex() == -1  # no catalogue entry is claimed
    axes = window.landscape.plot
    assert axes.getAxis("bottom").labelText.startswith("α") and axes.getAxis("left").labelText.startswith("β")
    assert window.landscape.colorbar.getAxis("right").labelText == "loss"

    # A scene file cannot hold the slice: every save path refuses and writes nothing.
    monkeypatch.setattr(fa, "choose_save_path", lambda parent, suggested: str(tmp_path / "net"))
    actions = window.file_actions
    assert not actions.save()
    assert not actions.save_as()
    assert not actions.save_to(tmp_path / "direct.toml")
    assert not list(tmp_path.glob("*.toml"))
    assert len(errors) == 3 and all(title == "Cannot save the scene" for title, _ in errors)
    assert "cannot hold a slice of a network's loss" in errors[0][1] and "Export" in errors[0][1]
    assert session.document.modified

    # Pictures still export, and the window looks right.
    qtbot.wait(50)
    export_file(session, window.landscape, tmp_path / "race.png", size=(640, 480))
    assert Image.open(tmp_path / "race.png").size == (640, 480)

    # Any catalogue surface takes over again, and then the scene saves.
    window.panels["Surface"].choose_surface("rosenbrock")
    assert session.surface.name == "rosenbrock" and session.scene.view.resolution == 256
    assert axes.getAxis("bottom").labelText == "x" and axes.getAxis("left").labelText == "y"
    assert actions.save_to(tmp_path / "after.toml") and (tmp_path / "after.toml").exists()
    page.shutdown()



def test_racing_on_the_plane_of_a_network_scene_brings_racers(qapp):
    """A network scene has no racers of its own: the plane gets the default race, each on the plane."""
    from valley.app.model.presets import find_preset
    from valley.core.scene_io import load_scene

    document = Document(load_scene(find_preset("xor_hidden_layer")), background=False)
    assert document.race.scene.optimizers == []
    playground = document.playground
    result = landscape_of(playground, "pca")
    surface = plane_surface(result, "plane")
    document.race.race_on_surface(surface, "plane", surface.bounds, race_start(result))
    race = document.race
    assert [s.kind for s in race.scene.optimizers] == [s.kind for s in default_scene().optimizers]
    assert len(race.trajectories) == len(race.scene.optimizers) and race.selected == 0
    assert all(np.allclose(t.points[0], race_start(result)) for t in race.trajectories)


def test_the_race_view_seeds_a_planes_critical_points_from_its_own_heatmap(trained, qtbot, monkeypatch):
    from valley.app.views.landscape2d import Landscape2DView
    from valley.core import critical

    net_session, _ = trained
    result = landscape_of(net_session, "random")
    surface = plane_surface(result, "plane")
    session = race_model(default_scene())
    session.scene.view.critical_points = True
    grids = []
    original = critical.critical_points
    monkeypatch.setattr("valley.app.model.critical.critical_points",
                        lambda s, **options: grids.append(options.get("grid")) or original(s, **options))
    evaluated = []
    evaluate = surface.evaluate
    monkeypatch.setattr(surface, "evaluate", lambda X, Y: evaluated.append(np.shape(X)) or evaluate(X, Y))
    session.race_on_surface(surface, "plane", surface.bounds, race_start(result))
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    view.redraw_surface()
    qtbot.waitUntil(session.critical.ready)  # the search runs in the background
    # one finder run, on the heatmap's own values: the plane's grid of forward passes is paid once
    assert len(grids) == 1 and grids[0] is not None
    xs, ys, Z = grids[0]
    assert evaluated and all(shape == (1, xs.size) for shape in evaluated)  # the heatmap's rows only
    assert Z.shape == (ys.size, xs.size) and xs[0] <= surface.bounds[0][0] and xs[-1] >= surface.bounds[0][1]
    marked = session.critical.in_view()
    assert marked and all(np.linalg.norm(surface.gradient(cp.point)) < 1e-8 for cp in marked)
