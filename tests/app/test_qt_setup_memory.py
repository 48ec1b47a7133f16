"""What the app sets before Qt starts: glibc keeps a frame's freed arrays for the next frame."""
import platform

import numpy as np
import pytest

from valley.app.qt_setup import keep_freed_memory


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
                    reason="mallopt is glibc's")
def test_glibc_accepts_the_memory_settings_and_arrays_still_work():
    assert keep_freed_memory() is True
    # a frame's worth of large temporaries, allocated and freed again and again, stay correct
    for k in range(5):
        a = np.full((10_000, 16), float(k))
        assert float((a * 2.0).sum()) == 2.0 * k * a.size


def test_elsewhere_nothing_is_set(monkeypatch):
    monkeypatch.setattr(platform, "system", lambda: "Darwin")
    assert keep_freed_memory() is False
