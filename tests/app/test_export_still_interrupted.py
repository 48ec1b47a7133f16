"""Ctrl-C, TERM or HUP while a still is drawn stops it too: exit 128 + the signal, the old file kept.

A 4K still of a long formula takes seconds; the signal handlers only set a flag, so a still that
never asked for it was written anyway and the export exited 0.
"""
import os
import signal

import pytest

import valley.app.export.png as png
import valley.app.export.svg as svg
from valley.app.export_cli import main


def signal_while_drawing(monkeypatch, module, name, number):
    drawn = getattr(module, name)

    def draw_then_signal(*args, **kwargs):
        result = drawn(*args, **kwargs)
        os.kill(os.getpid(), number)  # the real signal, through valley export's own handler
        return result

    monkeypatch.setattr(module, name, draw_then_signal)


@pytest.mark.parametrize("suffix, module, name, number, code", [
    ("png", png, "render_image", signal.SIGINT, 130),
    ("svg", svg, "_pixel_units", signal.SIGTERM, 143),
    ("png", png, "render_image", signal.SIGHUP, 129)])
def test_a_signal_while_a_still_is_drawn_keeps_the_old_file(qapp, tmp_path, capsys, monkeypatch,
                                                             suffix, module, name, number, code):
    out = tmp_path / f"slide.{suffix}"
    out.write_bytes(b"the lecture's old picture")
    signal_while_drawing(monkeypatch, module, name, number)
    assert main(["saddle_point", "-o", str(out), "--size", "320x240", "--quiet"]) == code
    assert "interrupted; nothing written" in capsys.readouterr().err
    assert out.read_bytes() == b"the lecture's old picture" and os.listdir(tmp_path) == [out.name]
