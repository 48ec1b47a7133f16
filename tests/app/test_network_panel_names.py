"""The network panel speaks the course's names: Saddle-free Newton, Two moons, ReLU, 1e-8."""
import pytest
from models import playground_model

from valley.app.panels.network_panel import NetworkPanel
from valley.core.datasets import ALL_DATASETS
from valley.core.optimizers import OPTIMIZERS
from valley.core.scene import NetworkSpec, OptimizerSpec


def texts(combo):
    return [combo.itemText(i) for i in range(combo.count())]


@pytest.fixture
def panel(qtbot):
    widget = NetworkPanel(playground_model(NetworkSpec(dataset="moons", hidden=[3]), steps=20))
    qtbot.addWidget(widget)
    return widget


def test_no_identifier_is_shown(panel):
    for combo in (panel.dataset, panel.activation, panel.output, panel.init, panel.regularization,
                  panel.optimizer):
        for text in texts(combo):
            assert "_" not in text, text
    assert texts(panel.optimizer) == [cls.title for cls in OPTIMIZERS.values()]
    assert "Saddle-free Newton" in texts(panel.optimizer)
    assert texts(panel.dataset) == [info.title for info in ALL_DATASETS.values()]
    assert panel.dataset.currentText() == "Two moons" and panel.dataset.currentData() == "moons"
    assert "ReLU" in texts(panel.activation) and "Leaky ReLU" in texts(panel.activation)
    assert panel.output.currentText() == "Sigmoid + binary cross-entropy"


def test_choosing_by_title_sets_the_identifier(panel):
    session = panel.session
    panel.optimizer.setCurrentIndex(panel.optimizer.findText("Saddle-free Newton"))
    assert session.spec.optimizer.kind == "saddle_free_newton"
    panel.activation.setCurrentIndex(panel.activation.findText("Leaky ReLU"))
    assert session.spec.activation == "leaky_relu"
    panel.init.setCurrentIndex(panel.init.findText("He"))
    assert session.spec.init == "he"
    panel.regularization.setCurrentIndex(panel.regularization.findText("L2"))
    assert session.spec.regularization == "l2"
    panel.dataset.setCurrentIndex(panel.dataset.findText("Two spirals"))
    assert session.spec.dataset == "spiral"


def test_adam_eps_reads_1e_8_and_every_knob_explains_itself(qtbot):
    spec = NetworkSpec(dataset="moons", hidden=[3], optimizer=OptimizerSpec(kind="adam", hyperparameters={"lr": 0.03}))
    panel = NetworkPanel(playground_model(spec, steps=20))
    qtbot.addWidget(panel)
    eps = panel.hyper_widgets["eps"]
    assert eps.text() == "1e-8" and eps.value() == pytest.approx(1e-8)
    assert panel.hyper_widgets["lr"].text() == "0.03"
    eps.lineEdit().selectAll()
    qtbot.keyClicks(eps.lineEdit(), "3e-7")
    eps.interpretText()
    assert panel.session.spec.optimizer.hyperparameters["eps"] == pytest.approx(3e-7)
    descriptions = {h.name: h.description for h in OPTIMIZERS["adam"].hyperparameters}
    for name, box in panel.hyper_widgets.items():
        label = panel.training_form.labelForField(box)
        assert box.toolTip() == descriptions[name] and label.toolTip() == descriptions[name]


def test_long_titles_do_not_widen_the_panel(panel):
    # the panel's minimum is the network page's, and with it the window's: a 1000-px window
    # (a screenshot, a laptop with the panels hidden) has no room for "Damped Newton (Levenberg–Marquardt)"
    for combo in (panel.optimizer, panel.output, panel.activation, panel.init, panel.dataset):
        longest = max(combo.fontMetrics().horizontalAdvance(t) for t in texts(combo))
        assert combo.minimumSizeHint().width() < max(longest, 160), texts(combo)
    assert panel.optimizer.minimumSizeHint().width() < \
        panel.optimizer.fontMetrics().horizontalAdvance("Damped Newton (Levenberg–Marquardt)")
    panel.optimizer.setCurrentIndex(panel.optimizer.findData("damped_newton"))
    assert panel.optimizer.toolTip() == "Damped Newton (Levenberg–Marquardt)"
    assert panel.output.toolTip() == panel.output.currentText()
