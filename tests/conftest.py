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


@pytest.fixture(autouse=True)
def widgets_deleted_after_each_test():
    """The widgets a test closed are deleted before the next test starts.

    pytest-qt closes the widgets it is given with deleteLater(), and a deferred deletion waits
    for an event loop that a test suite never returns to: a whole run left thousands, deleted
    in no particular order by the interpreter's exit, which crashed the process (exit 139
    after every test had passed). Deleted here, test by test, they go as the app's own would.
    """
    yield
    from PyQt6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
