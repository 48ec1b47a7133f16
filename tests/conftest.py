"""Qt runs offscreen unless pytest-xvfb gave us a display (then xcb, so OpenGL works too)."""
import os

import pytest


@pytest.hookimpl(trylast=True)
def pytest_configure(config):
    # pytest-xvfb starts its display in its own pytest_configure; decide after it.
    if os.environ.get("DISPLAY"):
        os.environ.setdefault("QT_QPA_PLATFORM", "xcb")
    else:
        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from valley.app.qt_setup import prepare_qt

    prepare_qt()
