"""Qt runs offscreen unless pytest-xvfb gave us a display (then xcb, so OpenGL works too)."""
import os
import sys

import pytest
from hypothesis import settings

_EXIT_STATUS = pytest.StashKey[int]()

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
    in no particular order by the interpreter's exit. Deleted here, test by test, they go as the
    app's own would.
    """
    yield
    from PyQt6.QtCore import QCoreApplication, QEvent

    if QCoreApplication.instance() is not None:
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def pytest_sessionfinish(session, exitstatus):
    session.config.stash[_EXIT_STATUS] = int(exitstatus)


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config):
    """The run ends with its own exit status, skipping the interpreter's teardown of Qt.

    Even with every closed widget deleted test by test (above), a full run sometimes crashed in
    the interpreter's teardown after its last test (exit 139 with every test passed, once in two
    runs): what is left then (widgets no test closed, the application, worker threads' objects)
    is destroyed in no particular order. The app's own exits take Qt down in order and are
    tested as such (tests/app/test_export_exit.py, tests/app/test_close_while_training.py).
    pytest-xvfb stops its display at exit (atexit, which os._exit skips): it is stopped here first.
    """
    if _EXIT_STATUS not in config.stash:
        return
    from PyQt6.QtWidgets import QApplication

    if QApplication.instance() is not None:
        xvfb = sys.modules.get("pytest_xvfb")
        if xvfb is not None:
            xvfb.shutdown_xvfb()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(config.stash[_EXIT_STATUS])
