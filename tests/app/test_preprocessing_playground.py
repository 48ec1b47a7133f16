"""Input preprocessing in the playground: fitted on the training inputs, the preset's claim, the Inputs view."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.network_page import NetworkPage
from valley.app.views.input_preprocessing import InputPreprocessingView
from valley.core.scene_io import list_presets, load_scene


def preset_document():
    path = next(p for p, _, _ in list_presets() if p.endswith("whitening_round_bowl.toml"))
    return Document(load_scene(path), background=False)


def steps_to_settle(history, within=2e-5):
    loss = np.asarray(history.train_loss)
    return int(np.argmax(loss - np.nanmin(loss) < within))


def test_whitening_makes_gradient_descent_settle_in_a_tenth_of_the_steps():
    document = preset_document()
    playground = document.playground
    assert np.cov(playground.data.X_train.T, bias=True) == pytest.approx(np.eye(2), abs=1e-10)
    whitened = steps_to_settle(playground.history)
    playground.set_option("preprocessing", "none")
    raw = steps_to_settle(playground.history)
    assert whitened * 10 < raw
    document.shutdown()


def test_test_inputs_and_the_picture_use_the_training_fit():
    document = preset_document()
    playground = document.playground
    transform = playground.data.transform
    assert transform.kind == "zca"
    raw_test = playground.data.points_test  # x1, x2 are the points themselves
    assert playground.data.X_test == pytest.approx(transform.apply(raw_test))
    assert not np.allclose(np.cov(playground.data.X_test.T, bias=True), np.eye(2), atol=1e-6)
    points, inputs = playground.plane_grid(5)
    assert inputs == pytest.approx(transform.apply(points))  # the decision picture sees what the net sees
    document.shutdown()


def test_a_refused_preprocessing_changes_nothing():
    document = preset_document()
    playground = document.playground
    playground.set_option("preprocessing", "none")
    playground.set_option("features", ["x1", "x1sq"])
    playground.set_option("dataset", "and")  # four points
    with pytest.raises(ValueError, match="zca"):
        playground.set_options(features=["x1", "x1sq"], preprocessing="zca")  # x1² = x1 on 0/1 inputs
    assert playground.spec.preprocessing == "none" and playground.data.transform.kind == "none"
    document.shutdown()


def test_the_inputs_view_shows_the_long_cloud_and_the_round_one(qtbot):
    document = preset_document()
    view = InputPreprocessingView(document.playground)
    qtbot.addWidget(view)
    (_, before, _, c_before), (_, after, _, c_after) = view.clouds()
    eig_before, eig_after = np.linalg.eigvalsh(c_before), np.linalg.eigvalsh(c_after)
    assert eig_before[1] / eig_before[0] > 20 and eig_after == pytest.approx([1, 1], abs=1e-9)
    outline = view.ellipses[1].getData()
    assert np.hypot(outline[0], outline[1]) == pytest.approx(2.0, abs=1e-9)  # a circle of radius 2σ
    page = NetworkPage(document, None)
    qtbot.addWidget(page)
    assert page.lower_tabs.isTabVisible(page.lower_tabs.indexOf(page.inputs))
    document.playground.set_option("preprocessing", "none")
    assert not page.lower_tabs.isTabVisible(page.lower_tabs.indexOf(page.inputs))
    document.shutdown()
