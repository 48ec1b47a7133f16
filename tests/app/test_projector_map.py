"""The map on a projector: most of the window, filled to its edges, legend off the surface,
the colour bar's labels whole and titled, every start on screen."""
import math

import pytest
from drawn import tick_labels
from models import race_model
from PyQt6.QtCore import QRectF
from PyQt6.QtWidgets import QApplication

from valley.app.main_window import MainWindow
from valley.app.model.document import Document
from valley.core.scene import default_scene

SIZES = [(1280, 720), (1920, 1080)]


def presented(qtbot, width, height, preset=None, show_3d=False, document=None):
    """A window at a fixed size in presentation mode (Xvfb has no window manager to go full screen)."""
    if document is None:
        document = Document()
        if preset is not None:
            document.open_preset(preset)
    window = MainWindow(document, show_3d=show_3d, remember=False)
    qtbot.addWidget(window)
    window.resize(width, height)
    window.show()
    qtbot.waitExposed(window)
    window.set_presentation(True, fullscreen=False)
    # The docks of the normal mode hold the window wider until its layout has caught up with
    # their hiding: resize until it takes.
    qtbot.waitUntil(lambda: window.resize(width, height) or (window.width(), window.height()) == (width, height))
    qtbot.waitUntil(lambda: not window.landscape._heatmap_timer.isActive())
    QApplication.processEvents()
    return window


def scene_rect(item) -> QRectF:
    return item.mapRectToScene(item.boundingRect())


def area(rect: QRectF) -> float:
    return max(0.0, rect.width()) * max(0.0, rect.height())


@pytest.mark.parametrize("size", SIZES)
def test_the_map_takes_most_of_the_width_and_fills_its_view(qtbot, size):
    window = presented(qtbot, *size, preset="saddle_point")
    try:
        view = window.landscape
        assert view.width() >= 0.6 * window.width()
        box = view.vb.sceneBoundingRect()
        # no empty bands: the surface is painted wherever the locked aspect extends the view
        covered = scene_rect(view.image).intersected(box)
        assert area(covered) >= 0.99 * area(box)
        # the bounds are never cut
        (x0, x1), (y0, y1) = window.race.bounds
        (vx0, vx1), (vy0, vy1) = view.vb.viewRange()
        assert vx0 <= x0 and vx1 >= x1 and vy0 <= y0 and vy1 >= y1
        # axes, legend and colour bar leave the plotting area at least half of the widget
        assert area(box) >= 0.5 * view.width() * view.height()
    finally:
        window.player.stop()


@pytest.mark.parametrize("size", SIZES)
def test_the_map_keeps_half_its_room_beside_the_3d_view(qtbot, size):
    alone = presented(qtbot, *size, preset="saddle_point")
    width_alone = alone.landscape.width()
    alone.player.stop()
    window = presented(qtbot, *size, preset="saddle_point", show_3d=True)
    try:
        if window.surface3d is None:
            pytest.skip(window.surface3d_reason)
        assert window.surface3d.width() > 200
        assert window.landscape.width() >= 0.5 * width_alone
    finally:
        window.player.stop()


def test_the_legend_stays_off_the_surface_with_five_racers(qtbot):
    window = presented(qtbot, 1280, 720, preset="himmelblau_basins")
    try:
        view = window.landscape
        assert len(window.race.scene.optimizers) == 5
        box = view.vb.sceneBoundingRect()
        legend = scene_rect(view.legend)
        assert area(legend.intersected(box)) < 0.1 * area(box)
        # and it is not what takes the map's height
        assert legend.height() <= 0.25 * view.height()
        # nothing of it hangs outside the widget
        widget = QRectF(view.rect().toRectF())
        assert widget.contains(view.mapFromScene(legend).boundingRect().toRectF())
    finally:
        window.player.stop()


@pytest.mark.parametrize("preset,title", [("plateau_cliff", "f(x, y)"),
                                          ("learning_rate_decay", "f(x, y)"),
                                          ("ill_conditioned_bowl", "f(x, y)"),
                                          ("himmelblau_basins", "log(f − min + 1)")])
def test_colour_bar_labels_are_whole_and_titled(qtbot, preset, title):
    window = presented(qtbot, 1920, 1080, preset=preset)
    try:
        view = window.landscape
        axis = view.colorbar.getAxis("right")
        widget = QRectF(view.rect().toRectF())
        inside_axis = scene_rect(axis).adjusted(-1, -1, 1, 1)
        labels = tick_labels(axis)
        assert len(labels) >= 3
        texts = [text for _, text in labels]
        assert len(set(texts)) == len(texts), texts  # 4.5 cut to "4" would repeat
        for rect, text in labels:
            assert inside_axis.contains(rect), text
            assert widget.contains(view.mapFromScene(rect).boundingRect().toRectF()), text
        assert axis.labelText == title
        assert axis.label.isVisible()
        label = view.mapFromScene(scene_rect(axis.label)).boundingRect().toRectF()
        assert widget.contains(label)
        # the title does not sit on the tick labels, and reads as theirs: close beside them
        assert not any(view.mapFromScene(rect).boundingRect().toRectF().intersects(label)
                       for rect, _ in labels)
        numbers_end = max(view.mapFromScene(rect).boundingRect().toRectF().right() for rect, _ in labels)
        assert label.left() - numbers_end <= 16
    finally:
        window.player.stop()


def test_a_start_outside_the_bounds_is_on_screen(qtbot):
    scene = default_scene()
    scene.start = (5.5, -4.0)
    for spec in scene.optimizers:
        spec.start = None
    document = Document(scene)
    (x0, x1), (y0, y1) = document.race.bounds
    assert not (x0 <= 5.5 <= x1 and y0 <= -4.0 <= y1)  # the case this test is about
    window = presented(qtbot, 1280, 720, document=document)
    try:
        view = window.landscape
        (vx0, vx1), (vy0, vy1) = view.vb.viewRange()
        margin_x, margin_y = 0.05 * (x1 - x0), 0.05 * (y1 - y0)
        assert vx0 <= x0 and vx1 >= x1 and vy0 <= y0 and vy1 >= y1
        assert vx0 + margin_x <= 5.5 <= vx1 - margin_x
        assert vy0 + margin_y <= -4.0 <= vy1 - margin_y
        # its handle is inside the plotting area the class sees
        pos = view.data_to_widget((5.5, -4.0))
        box = view.mapFromScene(view.vb.sceneBoundingRect()).boundingRect().toRectF()
        assert box.contains(pos)
    finally:
        window.player.stop()


def test_a_start_outside_in_a_small_view(qtbot):
    """The view alone (exports use it too) opens on the bounds and the starts."""
    from valley.app.views.landscape2d import Landscape2DView

    session = race_model()
    session.set_start((-7.0, 6.0))
    session.sceneChanged.emit()
    view = Landscape2DView(session)
    qtbot.addWidget(view)
    view.resize(500, 400)
    view.show()
    qtbot.waitExposed(view)
    (vx0, vx1), (vy0, vy1) = view.vb.viewRange()
    assert vx0 < -7.0 < vx1 and vy0 < 6.0 < vy1


def test_after_a_resize_the_pixels_beyond_the_bounds_are_surface_not_background(qtbot):
    """A tall map shows more y than the bounds: those rows are painted, not left empty."""
    from PyQt6.QtGui import QColor

    from valley.app.views.landscape2d import Landscape2DView

    view = Landscape2DView(race_model())
    qtbot.addWidget(view)
    view.resize(700, 500)
    view.show()
    qtbot.waitExposed(view)
    view.grab()  # paint (and cache) the wide layout first
    view.resize(420, 760)
    qtbot.waitUntil(lambda: view.height() == 760)
    qtbot.waitUntil(lambda: not view._heatmap_timer.isActive())
    (_, _), (y0, y1) = view.session.bounds
    (_, _), (vy0, vy1) = view.vb.viewRange()
    assert vy1 > y1 + 0.2 * (y1 - y0)  # the view does show more than the bounds
    image = view.grab().toImage()
    background = QColor(view.theme.background)
    box = view.mapFromScene(view.vb.sceneBoundingRect()).boundingRect()
    above = view.data_to_widget((0.0, (y1 + vy1) / 2))
    row = round(above.y())
    assert box.top() < row < view.data_to_widget((0.0, y1)).y()
    painted = [image.pixelColor(x, row) != background
               for x in range(box.left() + 4, box.right() - 4, 8)]
    assert all(painted)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("preset", ["learning_rates", "himmelblau_basins"])  # 4 and 5 racers
def test_the_results_table_shows_every_racer_without_scrolling(qtbot, size, preset):
    window = presented(qtbot, *size, preset=preset)
    try:
        table = window.results
        qtbot.waitUntil(lambda: table.height() >= table.needed_height())
        assert not table.verticalScrollBar().isVisible()
        last = table.rowCount() - 1
        assert table.rowViewportPosition(last) + table.rowHeight(last) <= table.viewport().height()
        # the readout keeps half the column, the loss chart some of it
        readout, chart = window.readout.height(), window.loss_chart.height()
        assert readout >= 0.45 * window.side_splitter.height()
        assert chart >= 0.15 * window.side_splitter.height()
        # the loss chart keeps a readable plot
        assert window.loss_chart.plot.getViewBox().height() >= 60
        if size[1] >= 1080:  # a racer more: the table grows to show it
            window.race.add_optimizer()
            qtbot.waitUntil(lambda: not table.verticalScrollBar().isVisible())
            assert table.rowViewportPosition(last + 1) + table.rowHeight(last + 1) <= table.viewport().height()
    finally:
        window.player.stop()


def test_a_narrow_map_gives_its_spare_height_to_whole_legend_names(qtbot):
    """Beside the 3-D view at 1280 px the map is ~520 px wide: with five long names, three rows of
    two columns cut two of them to the same "GD…-0.4)". The square surface is width-bound there,
    so rows of whole names cost it little height."""
    from valley.app.theme import apply_to_application, get_theme
    from valley.app.views.landscape2d import LEGEND_MAY_SHRINK_MAP, Landscape2DView

    theme = get_theme("dark", presentation=True)
    apply_to_application(theme)
    document = Document()
    document.open_preset("himmelblau_basins")
    view = Landscape2DView(document.race, theme, basins=document.basins)
    qtbot.addWidget(view)
    view.resize(518, 630)  # its size beside the 3-D view in a 1280×720 presentation window
    view.show()
    qtbot.waitExposed(view)
    qtbot.wait(20)
    shown = [label.text for _, label in view.legend.items]
    racers = [spec.display_label() for spec in document.race.scene.optimizers]
    assert len(set(shown)) == len(shown)
    assert shown[:len(racers)] == racers  # every racer's name whole
    widget = QRectF(view.rect().toRectF())
    assert widget.contains(view.mapFromScene(scene_rect(view.legend)).boundingRect().toRectF())
    # the surface keeps (nearly) the plot's whole width: the rows came out of spare height
    box = view.vb.sceneBoundingRect()
    assert min(box.width(), box.height()) >= (1 - LEGEND_MAY_SHRINK_MAP) * box.width() - 1


def test_a_wide_map_keeps_its_legend_to_three_rows_with_every_kind_of_point_named(qtbot):
    window = presented(qtbot, 1280, 720, preset="himmelblau_basins")
    try:
        legend = window.landscape.legend
        assert math.ceil(len(legend.items) / legend.columnCount) <= 3
        shown = [label.text for _, label in legend.items]
        assert shown[:5] == [spec.display_label() for spec in window.race.scene.optimizers]
        # the markers' key in short words rather than cut: Newton stops on the maximum
        key = shown[-1]
        assert "…" not in key and all(symbol in key for symbol in "☆◇△")
        assert legend.items[-1][1].toolTip() == "☆ minimum  ◇ saddle  △ maximum"
    finally:
        window.player.stop()
