"""`valley export`: files as asked, a progress bar, exit code 2 with a message naming the problem."""
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from valley.app.export_cli import main, parse_steps, resolve_scene

ROOT = Path(__file__).resolve().parents[2]


def run(args, capsys):
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def test_png_of_a_preset_by_name(qapp, tmp_path, capsys):
    code, err = run(["rosenbrock", "-o", tmp_path / "r.png", "--size", "640x360"], capsys)
    assert code == 0, err
    assert Image.open(tmp_path / "r.png").size == (640, 360)
    assert "100%" in err and "wrote" in err


def test_progress_in_a_log_is_a_line_per_tenth_and_a_bar_on_a_terminal(qapp, tmp_path, capsys):
    """stderr captured (no TTY): ten short lines, not hundreds of carriage returns."""
    code, err = run(["saddle_point", "-o", tmp_path / "s.gif", "--size", "160x120",
                     "--steps", "0:150"], capsys)
    assert code == 0, err
    lines = err.splitlines()
    assert "\r" not in err
    assert [line.split()[1] for line in lines[:-1]] == [f"{p}%" for p in range(10, 101, 10)]
    assert lines[-1] == f"wrote {tmp_path / 's.gif'}"

    import io

    from valley.app.export_cli import ProgressBar

    terminal = io.StringIO()
    bar = ProgressBar("t.gif", stream=terminal, interactive=True)
    for done in range(1, 4):
        bar(done / 3)
    bar.done()
    assert terminal.getvalue().startswith("\rt.gif [") and terminal.getvalue().endswith("\n")
    assert "100.0%" in terminal.getvalue() and terminal.getvalue().count("\n") == 1


def test_gif_with_steps_fps_and_frames(qapp, tmp_path, capsys):
    code, err = run(["saddle_point", "-o", tmp_path / "s.gif", "--size", "200x150", "--steps", "0:40",
                     "--frames", "5", "--fps", "10", "--quiet"], capsys)
    assert code == 0, err
    gif = Image.open(tmp_path / "s.gif")
    assert gif.size == (200, 150) and gif.n_frames == 5
    total = 0
    for i in range(gif.n_frames):
        gif.seek(i)
        total += gif.info["duration"]
    assert total == 5 * 100 and err == ""


def test_a_scene_file_with_a_theme_to_svg(qapp, tmp_path, capsys):
    scene = next(Path(p) for p in (ROOT / "resources" / "scenes").glob("*learning_rates.toml"))
    code, err = run([scene, "-o", tmp_path / "lr.svg", "--theme", "light", "--steps", "30"], capsys)
    assert code == 0, err
    text = (tmp_path / "lr.svg").read_text()
    assert "<svg" in text and "#d55e00" in text.lower()  # the divergent racer's trail


@pytest.mark.parametrize("args, message", [
    (["rosenbrock", "-o", "{tmp}/a.bmp"], "unknown format (.bmp)"),
    (["rosenbrock", "-o", "{tmp}/missing/a.png"], "does not exist"),
    (["rosenbrock", "-o", "{tmp}/bad.toml/a.png"], "is a file, not a folder"),
    (["rosenbrock", "-o", "{tmp}"], "unknown format (no extension)"),
    (["rosenbrock", "-o", "{tmp}/a.png", "--size", "3841x2160"], "3840x2160"),
    (["rosenbrock", "-o", "{tmp}/a.png", "--size", "0x100"], "out of range"),
    (["rosenbrock", "-o", "{tmp}/a.png", "--size", "big"], "size must look like"),
    (["rosenbrock", "-o", "{tmp}/a.png", "--size", "8000x8000"], "out of range"),
    (["rosenbrock", "-o", "{tmp}/a.gif", "--steps", "a:b"], "--steps must look like"),
    (["rosenbrock", "-o", "{tmp}/a.gif", "--steps", "0:99999"], "0 <= A <= B <= 1500"),
    (["rosenbrock", "-o", "{tmp}/a.gif", "--fps", "0"], "fps"),
    (["rosenbrock", "-o", "{tmp}/a.mp4", "--size", "321x240"], "even width"),
    (["rosenbrock", "-o", "{tmp}/a.gif", "--transparent"], "PNG only"),
    (["no_such_lecture", "-o", "{tmp}/a.png"], "no lecture preset"),
    (["{tmp}/bad.toml", "-o", "{tmp}/a.png"], "bad.toml:3: steps: expected an integer"),
    (["{tmp}/missing.toml", "-o", "{tmp}/a.png"], "readable"),
])
def test_bad_input_exits_2_naming_what(qapp, tmp_path, capsys, args, message):
    (tmp_path / "bad.toml").write_text('version = 1\ntitle = "x"\nsteps = "many"\n'
                                       '[[optimizers]]\nkind = "sgd"\n')
    code, err = run([a.replace("{tmp}", str(tmp_path)) for a in args], capsys)
    assert code == 2
    assert err.startswith("valley export: ") and message in err, err
    assert sorted(os.listdir(tmp_path)) == ["bad.toml"]  # nothing written


def test_parse_steps_and_resolve_scene():
    assert parse_steps("0:200") == (0, 200) and parse_steps("50") == (0, 50)
    assert parse_steps(None) is None
    assert resolve_scene("learning-rates").name.endswith("learning_rates.toml")
    assert resolve_scene("x.toml") == Path("x.toml")


def _headless_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


def test_headless_without_any_display(tmp_path):
    out = tmp_path / "h.png"
    done = subprocess.run([sys.executable, "-m", "valley.app.cli", "export", "beale", "-o", str(out),
                           "--size", "320x240"], env=_headless_env(), cwd=tmp_path,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert Image.open(out).size == (320, 240)
    assert "propagateSizeHints" not in done.stderr

    done = subprocess.run([sys.executable, "-m", "valley.app.cli", "export", "beale", "-o",
                           str(tmp_path / "g.png"), "--view", "3d"], env=_headless_env(),
                          cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "the 3-D view needs OpenGL" in done.stderr and not (tmp_path / "g.png").exists()


def test_a_network_preset_defaults_to_the_network_view(qapp, tmp_path, capsys):
    code, err = run(["backprop_example", "-o", tmp_path / "b.gif", "--size", "320x200", "--quiet"],
                    capsys)
    assert code == 0, err
    assert Image.open(tmp_path / "b.gif").size == (320, 200)
    code, err = run(["backprop_example", "-o", tmp_path / "w.png", "--view", "loss"], capsys)
    assert code == 0, err  # the landscape session still has a loss chart (empty: no racers)


def test_an_unwritable_folder_exits_2_and_writes_nothing(qapp, tmp_path, capsys, monkeypatch):
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    if os.access(locked, os.W_OK):  # root may write anyway: make the check say what a user sees
        import valley.app.export.atomic as atomic

        monkeypatch.setattr(atomic.os, "access", lambda path, mode: Path(path) != locked)
    code, err = run(["rosenbrock", "-o", locked / "a.png", "--size", "160x120"], capsys)
    assert code == 2 and "is not writable" in err and os.listdir(locked) == []


def test_a_path_the_system_refuses_exits_2_with_its_reason(qapp, tmp_path, capsys, monkeypatch):
    """The folder looks writable but creating the file fails (read-only disk, quota)."""
    import valley.core.atomic

    def refuse(*args, **kwargs):
        raise OSError(30, "Read-only file system")

    monkeypatch.setattr(valley.core.atomic, "create_part", refuse)
    code, err = run(["rosenbrock", "-o", tmp_path / "a.png", "--size", "160x120"], capsys)
    assert code == 2 and "Read-only file system" in err and os.listdir(tmp_path) == []


def test_the_readme_export_examples_are_valid_commands():
    import re
    import shlex

    from valley.app.export import format_of
    from valley.app.export.render import parse_size
    from valley.app.export_cli import build_parser
    from valley.core.deck import is_deck

    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## Scenes and exports")
    section = text[start:text.index("\n## ", start + 1)]
    commands = re.findall(r"^valley export (.+)$", section, re.M)
    assert len(commands) >= 3
    for command in commands:
        args = build_parser().parse_args(shlex.split(command))
        if args.output.endswith("/"):  # a deck, exported into a folder
            assert args.scene.endswith(".toml")
            if (ROOT / args.scene).exists():
                assert is_deck(ROOT / args.scene)
        else:
            format_of(args.output)
        parse_size(args.size)
        parse_steps(args.steps)
        if not args.scene.endswith(".toml"):
            assert resolve_scene(args.scene).exists()  # a lecture preset by name
    shelf = section[section.index("Lecture menu"):section.index("resources/scenes/")]
    presets = re.findall(r"`([a-z_]+)`", shelf)
    assert {resolve_scene(name).stem.split("_", 1)[1] for name in presets} \
        >= {Path(p).stem.split("_", 1)[1] for p in (ROOT / "resources" / "scenes").glob("*.toml")}


@pytest.mark.parametrize("view", ["landscape", "window"])
def test_presentation_flag_renders_as_presentation_mode_shows_it(tmp_path, view):
    import numpy as np

    normal, shown = tmp_path / "normal.png", tmp_path / "presentation.png"
    assert main(["rosenbrock", "-o", str(normal), "--view", view, "--size", "960x540", "--quiet"]) == 0
    assert main(["rosenbrock", "-o", str(shown), "--view", view, "--size", "960x540", "--quiet",
                 "--presentation"]) == 0
    a = np.asarray(Image.open(normal).convert("L"), float)
    b = np.asarray(Image.open(shown).convert("L"), float)
    assert a.shape == b.shape == (540, 960)
    assert np.abs(a - b).mean() > 1.0  # larger type and thicker lines change the picture


def test_a_network_scene_with_a_plane_key_exports_its_loss_plane(qapp, tmp_path, capsys, monkeypatch):
    """Scene files cannot name the plane yet: the loader is handed the scene."""
    import numpy as np

    import valley.core.scene_io as scene_io
    from valley.app import export_cli
    from valley.core.scene import NetworkSpec, Scene

    code, err = run(["rosenbrock", "-o", tmp_path / "no.png", "--view", "network_landscape"], capsys)
    assert code == 2 and "the network_landscape view needs a network scene" in err
    scene = Scene(kind="network", network=NetworkSpec(hidden=[3], samples=40), steps=30)
    scene.view.network_landscape = "pca"
    monkeypatch.setattr(scene_io, "load_scene", lambda path: scene)
    assert export_cli.default_view(scene) == "network_landscape"
    code, err = run(["backprop_example", "-o", tmp_path / "plane.png", "--size", "640x400"], capsys)
    assert code == 0, err
    rgb = np.asarray(Image.open(tmp_path / "plane.png").convert("RGB")).reshape(-1, 3).astype(int)
    yellow = np.abs(rgb - (253, 231, 37)).max(axis=1) <= 40  # the top of viridis: the highest loss
    purple = np.abs(rgb - (68, 1, 84)).max(axis=1) <= 40  # its bottom: the lowest
    assert yellow.sum() > 100 and purple.sum() > 100


def test_a_window_export_closes_its_window(qapp, tmp_path, capsys):
    """A window left open kept its F11 shortcut: the next window's F11 was ambiguous."""
    from PyQt6.QtWidgets import QApplication

    from valley.app.main_window import MainWindow

    code, err = run(["rosenbrock", "-o", tmp_path / "w.png", "--view", "window", "--quiet"], capsys)
    assert code == 0, err
    code, err = run(["rosenbrock", "-o", tmp_path / "w.png", "--view", "window", "--steps", "0:99999"],
                    capsys)
    assert code == 2, err
    assert not [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]


def test_a_network_that_trains_in_the_background_shows_its_training_progress(qapp, tmp_path, capsys):
    """Training before an export can take long: a line per tenth says how far it is."""
    scene = tmp_path / "net.toml"
    scene.write_text('version = 1\nkind = "network"\nsteps = 400\n[network]\nsamples = 800\nhidden = [8, 8]\n')
    code, err = run([scene, "-o", tmp_path / "n.png", "--size", "160x120"], capsys)
    assert code == 0, err
    tenths = [line for line in err.splitlines() if line.startswith("n.png: training:")]
    assert len(tenths) == 10 and tenths[-1].startswith("n.png: training: 100%")
