"""Tab names read whole: the type shrinks to fit the room, down to a floor, before Qt cuts a name."""
from PyQt6.QtWidgets import QApplication, QWidget

from valley.app.widgets.whole_name_tabs import SMALLEST_SHARE, WholeNameTabs

NAMES = ("Loss", "Plane", "Gradients", "λmax", "(h₁, h₂)", "Inputs")


def tabs_at(qtbot, width):
    tabs = WholeNameTabs()
    qtbot.addWidget(tabs)
    for name in NAMES:
        tabs.addTab(QWidget(), name)
    tabs.resize(width, 200)
    tabs.show()
    qtbot.waitExposed(tabs)
    return tabs


def whole(tabs) -> bool:
    bar = tabs.tabBar()
    return all(bar.drawn_text(i) == bar.tabText(i) for i in range(bar.count()))


def test_with_room_the_names_keep_the_applications_type(qtbot):
    tabs = tabs_at(qtbot, 1600)
    assert tabs.tabBar().font().pointSizeF() == QApplication.font(tabs.tabBar()).pointSizeF()
    assert whole(tabs)


def test_short_of_room_the_type_shrinks_and_every_name_stays_whole(qtbot):
    wide = tabs_at(qtbot, 1600)
    need = wide.tabBar().sizeHint().width()
    tabs = tabs_at(qtbot, round(0.8 * need))
    points = tabs.tabBar().font().pointSizeF()
    app_points = QApplication.font(tabs.tabBar()).pointSizeF()
    assert SMALLEST_SHARE * app_points <= points < app_points
    assert whole(tabs)
    # a hidden tab gives its room back: the type grows again
    for i in range(2, len(NAMES)):
        tabs.setTabVisible(i, False)
    assert tabs.tabBar().font().pointSizeF() > points


def test_below_the_floor_the_type_stops_shrinking_and_qt_shortens_the_names(qtbot):
    tabs = tabs_at(qtbot, 120)
    bar = tabs.tabBar()
    assert bar.font().pointSizeF() == SMALLEST_SHARE * QApplication.font(bar).pointSizeF()
    assert not whole(tabs)
