"""An export never loses the file it replaces: full disks, links, long names, kills and Ctrl-C."""
import errno
import os
import signal
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest
from PIL import Image

import valley.core.atomic as atomic
from valley.app.export.atomic import ExportError
from valley.app.export.frames import frame_steps
from valley.app.export_cli import main

ROOT = Path(__file__).resolve().parents[2]


def run(args, capsys):
    code = main([str(a) for a in args])
    return code, capsys.readouterr().err


def old_file(path: Path) -> bytes:
    data = b"the lecture's old picture"
    path.write_bytes(data)
    return data


@pytest.mark.parametrize("suffix", ["svg", "png", "gif"])
def test_a_full_disk_keeps_the_old_file_and_exits_1(qapp, tmp_path, capsys, monkeypatch, suffix):
    """The disk fills up: the data never reaches it (reported at the flush, as ext4 reports it)."""
    out = tmp_path / f"a.{suffix}"
    before = old_file(out)

    def full(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, err = run(["saddle_point", "-o", out, "--size", "160x120", "--quiet", "--steps", "0:3"], capsys)
    assert code == 1 and "No space left on device" in err
    assert out.read_bytes() == before and os.listdir(tmp_path) == [out.name]


def test_an_svg_the_generator_cut_short_is_refused_and_the_old_file_kept(qapp, tmp_path, capsys,
                                                                          monkeypatch):
    """QSvgGenerator reports no write error: what it wrote is parsed before it replaces anything."""
    import valley.app.export.svg as svg

    out = tmp_path / "a.svg"
    before = old_file(out)
    whole = svg._pixel_units
    monkeypatch.setattr(svg, "_pixel_units", lambda text, size: whole(text, size)[: len(text) // 2])
    code, err = run(["saddle_point", "-o", out, "--size", "160x120", "--quiet"], capsys)
    assert code == 2 and "the SVG is incomplete" in err
    assert out.read_bytes() == before and os.listdir(tmp_path) == [out.name]


def test_check_svg_takes_a_whole_svg_only():
    from valley.app.export.svg import check_svg

    check_svg(b'<svg xmlns="http://www.w3.org/2000/svg" width="4px"><g/></svg>')
    for bad in (b'<svg xmlns="http://www.w3.org/2000/svg"><g>', b"", b"<html/>"):
        with pytest.raises(ExportError):
            check_svg(bad)


def test_an_export_onto_a_link_writes_the_file_the_link_names(qapp, tmp_path, capsys):
    real = tmp_path / "slides" / "figure.png"
    real.parent.mkdir()
    old_file(real)
    link = tmp_path / "figure.png"
    link.symlink_to(real)
    code, _ = run(["saddle_point", "-o", link, "--size", "160x120", "--quiet"], capsys)
    assert code == 0 and link.is_symlink() and os.readlink(link) == str(real)
    assert Image.open(real).size == (160, 120)
    assert sorted(os.listdir(real.parent)) == ["figure.png"]


def test_a_scene_saved_onto_a_link_keeps_the_link(tmp_path):
    real, link = tmp_path / "real.toml", tmp_path / "link.toml"
    real.write_text("old")
    link.symlink_to(real)
    atomic.write_atomic(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


@pytest.mark.parametrize("name", ["a" * 300 + ".png", "é" * 126 + ".gif"])
def test_an_output_name_too_long_for_the_disk_is_one_line_and_exit_2(qapp, tmp_path, capsys, name):
    code, err = run(["saddle_point", "-o", tmp_path / name, "--quiet"], capsys)
    assert code == 2 and "the limit is 255" in err
    assert err.count("\n") == 1 and "Traceback" not in err and os.listdir(tmp_path) == []


def test_a_part_left_by_a_killed_export_is_removed_by_the_next_one(qapp, tmp_path, capsys):
    """kill -9 gives an export no chance to clean up: the next export to that file does."""
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True).stdout.strip()
    stale = tmp_path / f".talk.{dead}.0badc0de.part.mp4"
    stale.write_bytes(b"half a video")
    running = tmp_path / f".talk.{os.getpid()}.12345678.part.mp4"  # a live export's: kept
    running.write_bytes(b"")
    unrelated = tmp_path / f".other.{dead}.0badc0de.part.mp4"
    unrelated.write_bytes(b"")
    code, _ = run(["saddle_point", "-o", tmp_path / "talk.mp4", "--size", "64x64", "--steps", "0:2",
                   "--quiet"], capsys)
    assert code == 0
    assert sorted(os.listdir(tmp_path)) == sorted([running.name, unrelated.name, "talk.mp4"])


def _headless_env():
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM", "XAUTHORITY")}
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    return env


@pytest.mark.parametrize("signal_name, suffix, code", [("SIGINT", "gif", 130), ("SIGTERM", "mp4", 143),
                                                       ("SIGHUP", "mp4", 129)])
def test_a_signal_stops_the_export_keeps_the_old_file_and_leaves_no_part(tmp_path, signal_name,
                                                                         suffix, code):
    out = tmp_path / f"race.{suffix}"
    before = old_file(out)
    export = subprocess.Popen([sys.executable, "-m", "valley.app.cli", "export", "rosenbrock", "-o",
                               str(out), "--size", "320x240"], env=_headless_env(), cwd=tmp_path,
                              stderr=subprocess.PIPE, text=True)
    try:
        for line in export.stderr:  # the first tenth of the frames is rendered: stop it mid-way
            if "race" in line and "%" in line:
                break
        export.send_signal(getattr(signal, signal_name))
        rest = export.stderr.read()
        assert export.wait(timeout=60) == code, rest
    finally:
        export.kill()
        export.wait()
    assert "interrupted; nothing written" in rest and "Traceback" not in rest
    assert out.read_bytes() == before and os.listdir(tmp_path) == [out.name]


class _Model:
    steps = 300

    class timeline:  # noqa: N801 (a stand-in for the model's Timeline)
        last = 300


def test_a_billion_frames_are_counted_before_anything_is_allocated():
    tracemalloc.start()
    steps = frame_steps(_Model, (0, 300), frames=10**9)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert steps == list(range(301)) and peak < 10**6
