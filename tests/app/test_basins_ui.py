"""The Basins panel drives the document's basin model; the 2-D view paints the model's map."""
import numpy as np
import pytest
from models import race_model
from PyQt6.QtCore import Qt

from valley.app.panels.basin_panel import BasinPanel
from valley.app.views.basin_colours import basin_rgba
from valley.app.views.landscape2d import BASINS_Z, Landscape2DView
from valley.core.basins import DIVERGED, NOT_YET
from valley.core.scene import SurfaceSpec


@pytest.fixture
def ui(qtbot):
    race = race_model()  # double well: two valleys either side of a saddle
    basins = race.document.basins
    view = Landscape2DView(race, basins=basins)
    panel = BasinPanel(basins)
    for widget in (view, panel):
        qtbot.addWidget(widget)
    yield panel, view
    basins.shutdown()


def test_basin_rgba_colours_by_outcome():
    label = np.array([[0, 1], [DIVERGED, NOT_YET]])
    rgba = basin_rgba(label, opacity=1.0)
    assert tuple(rgba[0, 0, :3]) != tuple(rgba[0, 1, :3])
    assert rgba[1, 0, 3] == 255 and rgba[1, 1, 3] < 255  # still moving stays faint


def test_compute_from_the_panel_and_the_view_paints_the_map(ui, qtbot):
    panel, view = ui
    basins = panel.basins
    panel.optimizer.setCurrentIndex(2)  # Adam
    panel.resolution.setCurrentIndex(panel.resolution.findData(32))
    assert basins.index == 2 and basins.resolution == 32
    assert not view.basin_image.isVisible()
    with qtbot.waitSignal(basins.resultChanged, timeout=20_000):
        qtbot.mouseClick(panel.compute_button, Qt.MouseButton.LeftButton)
        assert not panel.compute_button.isEnabled() and panel.cancel_button.isEnabled()
    assert panel.progress.value() == panel.progress.maximum()
    assert panel.status.text().startswith("Adam: ") and "%" in panel.status.text()
    assert panel.compute_button.isEnabled() and panel.clear_button.isEnabled()
    image = view.basin_image
    assert image.isVisible() and image.image.shape == (32, 32, 4)
    assert view.image.zValue() < image.zValue() == BASINS_Z < view.contours.zValue()
    rect = image.mapRectToView(image.boundingRect())
    (x0, x1), (y0, y1) = view.session.bounds
    assert rect.left() < x0 < x1 < rect.right() and rect.top() < y0 < y1 < rect.bottom()
    # the opacity slider reaches the painted map through the model
    alpha = int(image.image[..., 3].max())
    panel.opacity.setValue(100)
    assert basins.opacity == 1.0 and int(image.image[..., 3].max()) == 255 > alpha
    qtbot.mouseClick(panel.clear_button, Qt.MouseButton.LeftButton)
    assert basins.result is None and not image.isVisible() and not panel.clear_button.isEnabled()


def test_cancel_from_the_panel(ui, qtbot):
    panel, view = ui
    panel.basins.race.set_steps(50_000)
    panel.resolution.setCurrentIndex(panel.resolution.findData(256))
    assert panel.compute()
    with qtbot.waitSignal(panel.basins.cancelled, timeout=10_000):
        qtbot.mouseClick(panel.cancel_button, Qt.MouseButton.LeftButton)
    assert not view.basin_image.isVisible()
    assert panel.progress.value() == 0 and "cancelled" in panel.status.text()
    assert panel.compute_button.isEnabled() and not panel.cancel_button.isEnabled()


def test_a_new_surface_clears_the_painted_map_and_says_so(ui, qtbot):
    panel, view = ui
    panel.resolution.setCurrentIndex(panel.resolution.findData(32))
    with qtbot.waitSignal(panel.basins.resultChanged, timeout=20_000):
        panel.compute()
    assert view.basin_image.isVisible()
    view.session.set_surface(SurfaceSpec(name="himmelblau"))
    assert not view.basin_image.isVisible() and "cleared" in panel.status.text()


def test_the_panel_follows_the_racers(ui):
    panel, view = ui
    race = view.session
    race.set_selected(3)
    assert panel.basins.index == 3 and panel.optimizer.currentIndex() == 3
    race.set_label(3, label="Newton's method")
    assert panel.optimizer.itemText(3) == "Newton's method" and panel.optimizer.currentIndex() == 3
    race.remove_optimizer(4)
    race.remove_optimizer(3)
    assert panel.optimizer.count() == 3 and panel.basins.index == panel.optimizer.currentIndex() == 2
