"""Three to five classes in the playground: softmax output, class colours, accuracy, confusion matrix."""
import numpy as np
import pytest
from PyQt6.QtGui import QColor

from valley.app.model.document import Document
from valley.app.panels.network_panel import NetworkPanel
from valley.app.views.confusion_matrix import ConfusionMatrixView
from valley.app.views.decision_view import HEATMAP, DecisionView
from valley.app.views.diverging import CLASS_COLOURS
from valley.app.views.training_chart import TrainingChart
from valley.core.metrics import accuracy, class_labels, confusion_matrix
from valley.core.scene import NetworkSpec, Scene
from valley.core.scene_io import SceneError, list_presets, load_scene, loads_scene, save_scene


def preset_document():
    path = next(p for p, _, _ in list_presets() if p.endswith("three_class_softmax.toml"))
    return Document(load_scene(path), background=False)


def network_document(**fields):
    return Document(Scene(kind="network", steps=40, network=NetworkSpec(**fields)), background=False)


def test_the_preset_learns_three_arms_that_a_net_without_hidden_layers_cannot():
    document = preset_document()
    playground = document.playground
    assert playground.sizes[-1] == 3 and playground.spec.output_activation == "softmax"
    history = playground.history
    assert history.train_accuracy[0] < 0.5
    assert history.test_accuracy[-1] > 0.9
    playground.set_hidden([])  # straight boundaries between the classes
    assert playground.history.test_accuracy[-1] < 0.6
    document.shutdown()


def test_choosing_a_multiclass_dataset_brings_softmax_and_leaving_it_brings_sigmoid_back():
    document = network_document(dataset="circles")
    playground = document.playground
    playground.set_option("dataset", "blobs")
    assert (playground.spec.output_activation, playground.spec.loss) == ("softmax", "cross_entropy")
    assert playground.sizes[-1] == 3 and playground.data.T_train.shape[1] == 3
    playground.set_option("classes", 5)
    assert playground.sizes[-1] == 5 and set(class_labels(playground.data.T_train)) == set(range(5))
    document.undo_stack.undo()
    assert playground.sizes[-1] == 3
    playground.set_option("dataset", "xor")
    assert (playground.spec.output_activation, playground.spec.loss, playground.spec.classes) == \
        ("sigmoid", "bce", None)
    assert playground.sizes[-1] == 1
    document.shutdown()


def test_softmax_on_two_classes_is_refused_with_a_reason_and_changes_nothing():
    document = network_document(dataset="circles")
    playground = document.playground
    before = playground.spec
    with pytest.raises(ValueError, match="softmax gives one probability per class"):
        playground.set_options(output_activation="softmax", loss="cross_entropy")
    assert playground.spec == before
    document.shutdown()


def test_classes_survive_a_save_and_a_bad_combination_is_named_by_line_and_key(tmp_path):
    scene = Scene(kind="network", network=NetworkSpec(dataset="spiral_arms", classes=4, output_activation="softmax",
                                                      loss="cross_entropy"))
    path = tmp_path / "arms.toml"
    save_scene(scene, path)
    again = load_scene(path)
    assert again.network.classes == 4 and again.network.dataset == "spiral_arms"
    text = path.read_text().replace('output_activation = "softmax"', 'output_activation = "sigmoid"')
    with pytest.raises(SceneError) as error:
        loads_scene(text, source="arms.toml")
    message = str(error.value)
    assert "arms.toml" in message and "network.output_activation" in message and "softmax" in message
    line = text.splitlines().index('output_activation = "sigmoid"') + 1
    assert f"arms.toml:{line}:" in message
    with pytest.raises(SceneError, match="network.classes"):
        loads_scene(path.read_text().replace('dataset = "spiral_arms"', 'dataset = "circles"')
                    .replace('output_activation = "softmax"', 'output_activation = "sigmoid"')
                    .replace('loss = "cross_entropy"', 'loss = "bce"'), source="arms.toml")


def test_the_panel_shows_classes_only_for_a_multiclass_dataset(qtbot):
    document = network_document(dataset="circles")
    panel = NetworkPanel(document.playground)
    qtbot.addWidget(panel)
    assert not panel.data_form.isRowVisible(panel.classes)
    panel.dataset.setCurrentIndex(panel.dataset.findData("spiral_arms"))
    assert panel.data_form.isRowVisible(panel.classes) and panel.classes.value() == 3
    assert panel.output.currentData() == ("softmax", "cross_entropy")
    panel.classes.setValue(4)
    assert document.playground.sizes[-1] == 4
    document.shutdown()


def test_the_data_view_paints_each_region_in_its_class_colour(qtbot):
    document = preset_document()
    playground = document.playground
    view = DecisionView(playground)
    qtbot.addWidget(view)
    points, inputs = playground.plane_grid(HEATMAP)
    winners = np.argmax(playground.forward_at(inputs).a[-1], 1)
    np.testing.assert_array_equal(view.classes.ravel(), winners)
    assert set(np.unique(winners)) == {0, 1, 2}
    view.set_discretize(True)  # sure colours: each pixel is its class's own
    image = view.image.image.reshape(-1, 3)
    for c in range(3):
        expected = QColor(CLASS_COLOURS[c]).getRgb()[:3]
        assert np.all(image[winners == c] == expected)
    boundaries = [curve for curve in view._boundaries if curve.isVisible()]
    assert len(boundaries) == 3  # each class meets the others somewhere
    document.shutdown()


def test_the_loss_chart_draws_accuracy_on_its_own_axis_only_for_a_classification(qtbot):
    document = preset_document()
    playground = document.playground
    chart = TrainingChart(playground)
    qtbot.addWidget(chart)
    assert chart.getPlotItem().getAxis("right").isVisible()
    x, y = chart.test_accuracy.getData()
    np.testing.assert_allclose(y, playground.history.test_accuracy)
    assert chart.accuracy_box.viewRange()[1][0] <= 0 and chart.accuracy_box.viewRange()[1][1] >= 1
    playground.set_options(dataset="plane", output_activation="linear", loss="mse")
    assert not chart.getPlotItem().getAxis("right").isVisible()
    assert not chart.train_accuracy.isVisible()
    document.shutdown()


def test_the_confusion_matrix_counts_the_test_set_at_the_shown_step(qtbot):
    document = preset_document()
    playground = document.playground
    view = ConfusionMatrixView(playground)
    qtbot.addWidget(view)
    data = playground.data
    for step in (0, 25, playground.max_step):
        playground.timeline.set_step(step)
        outputs = playground.forward_at(data.X_test, step).a[-1]
        expected = confusion_matrix(class_labels(data.T_test), class_labels(outputs), 3)
        np.testing.assert_array_equal(view.counts, expected)
        assert np.trace(view.counts) / view.counts.sum() == pytest.approx(accuracy(outputs, data.T_test))
        assert np.trace(view.counts) / view.counts.sum() == pytest.approx(playground.history.test_accuracy[step])
    assert f"step {playground.max_step}" in view.toolTip()
    playground.set_options(dataset="plane", output_activation="linear", loss="mse")
    assert view.counts is None and view.isHidden()
    document.shutdown()


def test_the_confusion_matrix_fits_beside_the_loss_chart_on_the_network_page(qtbot):
    from valley.app.main_window import MainWindow

    document = preset_document()
    window = MainWindow(document, remember=False)
    qtbot.addWidget(window)
    window.resize(1280, 720)
    window.show()
    window.tabs.setCurrentWidget(window.network_page)
    page = window.network_page
    matrix, chart = page.confusion, page.chart
    qtbot.waitUntil(lambda: window.width() == 1280 and matrix.isVisible() and matrix.width() > 0, timeout=5000)
    for width in (page.lower_tabs.width(), 260):  # as laid out, and the narrowest the column gets
        page.losses.resize(width, page.losses.height())
        assert chart.geometry().right() < matrix.geometry().left()  # side by side
        assert matrix.geometry().right() <= page.losses.width()
        assert matrix.width() <= page.losses.width() / 3 + 1  # the chart keeps most of the room
    window.close()
    document.shutdown()


def test_each_output_neuron_of_the_diagram_is_drawn_in_its_class_colour(qtbot):
    from valley.app.views.diverging import CLASS_LUTS, colour
    from valley.app.views.network_diagram import NetworkDiagram

    document = preset_document()
    playground = document.playground
    diagram = NetworkDiagram(playground)
    qtbot.addWidget(diagram)
    playground.timeline.set_step(playground.max_step)
    outputs = diagram.values["activations"][-1]
    for j, node in enumerate(diagram.nodes[-1]):
        expected = colour(2 * float(outputs[j]) - 1, CLASS_LUTS[j])
        assert node.brush().color() == expected
        picture = node.thumb.pixmap().toImage()
        sure = [picture.pixelColor(x, y) for x in range(picture.width()) for y in range(picture.height())]
        deepest = max(sure, key=lambda c: abs(c.red() - 232) + abs(c.green() - 232) + abs(c.blue() - 234))
        assert deepest == colour(1.0, CLASS_LUTS[j])  # where the net is sure of class j: its own colour
    document.shutdown()
