"""Qt runs offscreen unless pytest-xvfb gave us a display (then xcb, so OpenGL works too)."""
import os

import pytest
from hypothesis import settings

# The suite draws the same examples on every run, so CI passes or fails on the code alone; the
# "explore" profile draws new ones (HYPOTHESIS_PROFILE=explore pytest ..., a few runs before a release).
settings.register_profile("repeatable", derandomize=True)
settings.register_profile("explore", derandomize=False)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "repeatable"))


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    # pytest-xvfb starts its display in its own pytest_configure; decide after it.
    if os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from valley.app.qt_setup import prepare_qt

    prepare_qt()


@pytest.fixture(autouse=True)
def own_settings(tmp_path_factory):
    """Each test reads and writes QSettings in a folder of its own, never the user's."""
    from PyQt6.QtCore import QSettings

    folder = tmp_path_factory.mktemp("settings")
    for scope in (QSettings.Scope.UserScope, QSettings.Scope.SystemScope):
        QSettings.setPath(QSettings.Format.NativeFormat, scope, str(folder))
        QSettings.setPath(QSettings.Format.IniFormat, scope, str(folder))
    yield folder


@pytest.fixture(autouse=True)
def normal_room_after_each_test():
    """A test that left the application in presentation (large base font) or the light theme must
    not size the next test's widgets: the app's look is global state."""
    yield
    from PyQt6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        from valley.app.theme import apply_to_application, get_theme

        apply_to_application(get_theme("dark"))


def pytest_sessionfinish(session, exitstatus):
    """Qt's objects go while the QApplication still exists, in order, as the app's own exits do
    (app/launch.py, app/export_cli.py): left to the interpreter's exit, a widget outliving the
    application can crash the process after the last test has passed (exit 139)."""
    import gc

    from PyQt6.QtCore import QEvent
    from PyQt6.QtWidgets import QApplication, QWidget

    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        # Qt's own close: pyqtgraph's override fails on a plot it has closed already (pytest-qt
        # closes the widgets it was given, but their deletion waits for an event loop that never runs)
        QWidget.close(widget)
        widget.deleteLater()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
    gc.collect()
    app.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
