"""The data's scatters share one brush per class: pyqtgraph renders a symbol per distinct brush
object, and a brush per sample froze the window for seconds on every new learning rate of a
5000-sample scene (the data view, the Inputs view and the (h₁, h₂) view)."""
import numpy as np
import pytest

from valley.app.model.document import Document
from valley.app.views.decision_view import DecisionView
from valley.app.views.diverging import NEGATIVE, POSITIVE, class_brushes
from valley.app.views.hidden_space import HiddenSpaceView
from valley.app.views.input_preprocessing import InputPreprocessingView
from valley.core.scene_io import loads_scene

MANY_SAMPLES = """version = 1
kind = "network"
steps = 5
[network]
dataset = "spiral"
samples = 1000
hidden = [4, 2]
preprocessing = "standardize"
"""


@pytest.fixture
def playground(qapp):
    document = Document(loads_scene(MANY_SAMPLES, "many.toml"), background=False)
    yield document.playground
    document.shutdown()


def test_class_brushes_give_each_sample_its_colour_with_one_brush_per_colour():
    brushes = class_brushes(np.array([True, False, True, True]), [NEGATIVE, POSITIVE])
    assert [b.color().name().upper() for b in brushes] == [POSITIVE, NEGATIVE, POSITIVE, POSITIVE]
    assert brushes[0] is brushes[2] is brushes[3]


SCATTERS = {DecisionView: lambda view: [view.train_points, view.test_points],
            InputPreprocessingView: lambda view: view.points,  # before and after
            HiddenSpaceView: lambda view: [view.points]}


@pytest.mark.parametrize("view_class", list(SCATTERS))
def test_a_thousand_samples_are_drawn_with_two_symbols(qtbot, playground, view_class):
    view = view_class(playground)
    qtbot.addWidget(view)
    scatters = SCATTERS[view_class](view)
    shown = 0
    for scatter in scatters:
        brushes = scatter.data["brush"]
        shown += len(brushes)
        assert len({id(brush) for brush in brushes}) <= 2
        assert len(scatter.fragmentAtlas) <= 2  # one rendered symbol per class, not per sample
    assert shown >= 500


THREE_CLASSES = """version = 1
kind = "network"
steps = 5
[network]
dataset = "spiral_arms"
classes = 3
samples = 150
hidden = [6, 2]
output_activation = "softmax"
loss = "cross_entropy"
preprocessing = "standardize"
"""


def test_every_view_of_the_data_colours_three_classes_by_class(qtbot):
    """The data view, the Inputs view and the (h₁, h₂) view agree: a class's own colour each."""
    from valley.app.views.diverging import CLASS_COLOURS

    document = Document(loads_scene(THREE_CLASSES, "three.toml"), background=False)
    playground = document.playground
    labels = np.argmax(playground.data.T_train, axis=1)
    assert set(labels.tolist()) == {0, 1, 2}
    views = [DecisionView(playground), InputPreprocessingView(playground), HiddenSpaceView(playground)]
    scatters = [views[0].train_points, views[1].points[0], views[2].points]
    for view in views:
        qtbot.addWidget(view)
    for scatter in scatters:
        colours = [brush.color().name().upper() for brush in scatter.data["brush"]]
        assert colours == [CLASS_COLOURS[k].upper() for k in labels]
    document.shutdown()
