"""`valley --screenshot` writes a PNG whose trails are where the trajectories say."""
import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
from PIL import Image

from valley.app.launch import main, parse_size

# Runs app.launch.main in a fresh process and, for the test only, records where each
# trajectory point landed in window pixels (the same mapping the window draws with).
SCRIPT = textwrap.dedent("""
    import json, sys
    import valley.app.launch as launch

    original = launch._screenshot

    def recording(app, window, path, steps, size):
        code = original(app, window, path, steps, size)
        session = window.race
        view = window.landscape
        out = []
        for spec, traj in zip(session.scene.optimizers, session.trajectories):
            k = min(session.step, len(traj.points) - 1)
            pixels = []
            for p in traj.points[: k + 1]:
                w = view.data_to_widget(p)
                q = view.mapTo(window, w.toPoint())
                pixels.append([q.x(), q.y()])
            out.append({"color": spec.color, "pixels": pixels, "step": k})
        json.dump({"racers": out, "dpr": window.devicePixelRatioF()}, open(sys.argv[1], "w"))
        return code

    launch._screenshot = recording
    sys.exit(launch.main(sys.argv[2:]))
""")


def distance_to_polyline(point, line):
    """Shortest pixel distance from point to a polyline (its segments, not just vertices)."""
    line = np.asarray(line, float)
    if len(line) == 1:
        return float(np.hypot(*(line[0] - point)))
    a, b = line[:-1], line[1:]
    ab = b - a
    length2 = np.maximum((ab ** 2).sum(1), 1e-12)
    u = np.clip(((point - a) * ab).sum(1) / length2, 0, 1)
    closest = a + u[:, None] * ab
    return float(np.min(np.hypot(*(closest - point).T)))


def hex_rgb(colour):
    return np.array([int(colour[i:i + 2], 16) for i in (1, 3, 5)], float)


@pytest.fixture(scope="module")
def shot(tmp_path_factory):
    folder = tmp_path_factory.mktemp("shot")
    png, sidecar = folder / "window.png", folder / "points.json"
    env = {**os.environ}
    env.pop("DISPLAY", None)  # the command must work without a display
    env.pop("QT_QPA_PLATFORM", None)
    result = subprocess.run([sys.executable, "-c", SCRIPT, str(sidecar), "--screenshot", str(png),
                             "--steps", "40", "--size", "1000x700"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return Image.open(png).convert("RGB"), json.loads(sidecar.read_text())


def test_png_has_the_asked_size(shot):
    image, data = shot
    assert image.size == (round(1000 * data["dpr"]), round(700 * data["dpr"]))


def test_trails_are_drawn_where_the_trajectories_say(shot):
    image, data = shot
    pixels = np.asarray(image, float)
    racers = data["racers"]
    assert all(r["step"] <= 40 for r in racers)
    checked = 0
    for i, racer in enumerate(racers):
        colour = hex_rgb(racer["color"])
        others = [r["pixels"] for j, r in enumerate(racers) if j != i]
        heads = np.array([r["pixels"][-1] for r in racers])
        own = np.array(racer["pixels"], float)
        for k in range(3, len(own) - 1, 3):
            x, y = own[k]
            # skip spots where another trail, any head or the start handle could cover the line
            if any(distance_to_polyline((x, y), line) < 10 for line in others):
                continue
            if np.min(np.hypot(*(heads - (x, y)).T)) < 16 or np.hypot(*(own[0] - (x, y))) < 14:
                continue
            px, py = round(x * data["dpr"]), round(y * data["dpr"])
            patch = pixels[py - 1:py + 2, px - 1:px + 2].reshape(-1, 3)
            distance = np.min(np.linalg.norm(patch - colour, axis=1))
            assert distance < 60, (racer["color"], k, patch.tolist())
            checked += 1
    assert checked >= 5


def test_bad_size_and_path_exit_2(tmp_path, capsys):
    assert main(["--screenshot", str(tmp_path / "a.png"), "--size", "big"]) == 2
    assert "--size" in capsys.readouterr().err
    assert main(["--screenshot", str(tmp_path / "missing" / "a.png")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert main(["--screenshot", str(tmp_path / "a.jpg")]) == 2
    assert not (tmp_path / "a.png").exists()


def test_parse_size():
    assert parse_size("1000x700") == (1000, 700)
    assert parse_size(" 1280X720 ") == (1280, 720)
    for bad in ("1000", "0x0", "10x10", "axb"):
        with pytest.raises(ValueError):
            parse_size(bad)


def test_without_a_display_the_window_says_so_instead_of_aborting():
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    done = subprocess.run([sys.executable, "-m", "valley"], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "no display found" in done.stderr and "--screenshot" in done.stderr
