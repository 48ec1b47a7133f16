"""`valley SCENE --screenshot` on a network scene: long training shows progress and stops on Ctrl-C."""
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

LONG = """version = 1
kind = "network"
steps = 3000
[network]
dataset = "spiral"
samples = 5000
hidden = [16, 16]
"""


def _env():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_ctrl_c_during_the_training_of_a_screenshot_stops_it_and_keeps_the_old_picture(tmp_path):
    scene, out = tmp_path / "long.toml", tmp_path / "shot.png"
    scene.write_text(LONG)
    out.write_bytes(b"yesterday's picture")
    shot = subprocess.Popen([sys.executable, "-m", "valley.app.cli", str(scene), "--screenshot", str(out)],
                            env=_env(), cwd=tmp_path, stderr=subprocess.PIPE, text=True)
    try:
        for line in shot.stderr:  # the training reports its first tenth: stop it there
            if "shot.png: training" in line:
                break
        shot.send_signal(signal.SIGINT)
        rest = shot.stderr.read()
        assert shot.wait(timeout=60) == 130, rest
    finally:
        shot.kill()
        shot.wait()
    assert "interrupted; nothing written" in rest and "Traceback" not in rest
    assert out.read_bytes() == b"yesterday's picture" and sorted(os.listdir(tmp_path)) == ["long.toml", "shot.png"]


def test_a_screenshot_of_the_one_sample_worked_example_exits_0_quietly(tmp_path):
    out = tmp_path / "backprop.png"
    done = subprocess.run([sys.executable, "-m", "valley.app.cli", "backprop_example", "--screenshot", str(out)],
                          env=_env(), cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and "deleted" not in done.stderr and "Traceback" not in done.stderr
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# Sends the signal itself once the window is drawn (as a lecturer's Ctrl-C would arrive then).
SIGNAL_WHILE_DRAWING = """
import os, signal, sys
import valley.app.export.render as render
import valley.app.launch as launch

drawn = render.render_image

def draw_then_signal(*args, **kwargs):
    image = drawn(*args, **kwargs)
    os.kill(os.getpid(), signal.SIGTERM)
    return image

render.render_image = draw_then_signal
sys.exit(launch.main(sys.argv[1:]))
"""


def test_a_signal_while_the_screenshot_is_drawn_keeps_the_old_picture(tmp_path):
    out = tmp_path / "shot.png"
    out.write_bytes(b"yesterday's picture")
    done = subprocess.run([sys.executable, "-c", SIGNAL_WHILE_DRAWING, "saddle_point", "--screenshot", str(out),
                           "--size", "400x300"], env=_env(), cwd=tmp_path, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 143, done.stderr
    assert "interrupted; nothing written" in done.stderr and "Traceback" not in done.stderr
    assert out.read_bytes() == b"yesterday's picture" and os.listdir(tmp_path) == ["shot.png"]
