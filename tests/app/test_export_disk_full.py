"""A disk that fills up during an export: exit 1, the old file kept, nothing else left behind.

The disk is filled for real: the export runs in a process whose files may not grow past a few
kilobytes (RLIMIT_FSIZE, with SIGXFSZ ignored, so a write fails with EFBIG as it would with
ENOSPC), ffmpeg included, which inherits the limit.
"""
import os
import struct
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

from valley.app.export.mp4 import Mp4Writer, check_mp4

ROOT = Path(__file__).resolve().parents[2]
FILE_LIMIT = 20_000  # bytes: less than any of the four exports below, more than the old files

LOOP = textwrap.dedent("""
    import resource, signal, sys
    from valley.app.export_cli import main
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), int(sys.argv[1])))
    for out in sys.argv[2:]:
        code = main(["rosenbrock", "-o", out, "--size", "640x480", "--steps", "0:30", "--quiet"])
        print(out, code, flush=True)
""")


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="RLIMIT_FSIZE and SIGXFSZ as Linux has them")
def test_every_format_on_a_full_disk_exits_1_and_keeps_the_old_file(tmp_path):
    outs = [tmp_path / f"slide.{kind}" for kind in ("png", "svg", "gif", "mp4")]
    for out in outs:
        out.write_bytes(b"the lecture's old picture")
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", LOOP, str(FILE_LIMIT), *map(str, outs)], env=env,
                          capture_output=True, text=True, timeout=300)
    codes = dict(line.rsplit(" ", 1) for line in done.stdout.splitlines())
    assert codes == {str(out): "1" for out in outs}, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and len(done.stderr.splitlines()) == len(outs)  # a line each
    for out in outs:
        assert out.read_bytes() == b"the lecture's old picture", out.name
    assert sorted(os.listdir(tmp_path)) == sorted(out.name for out in outs)


@pytest.fixture(scope="module")
def whole_mp4(tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("mp4") / "whole.mp4"
    writer = Mp4Writer(path, fps=10, size=(64, 64))
    for k in range(5):
        frame = np.zeros((64, 64, 3), np.uint8)
        frame[:, : 12 * (k + 1)] = (230, 159, 0)
        writer.add(frame)
    writer.finish()
    return path.read_bytes()


def test_a_whole_mp4_passes_the_check(tmp_path, whole_mp4):
    path = tmp_path / "a.mp4"
    path.write_bytes(whole_mp4)
    check_mp4(path)


@pytest.mark.parametrize("share", [0.0, 0.001, 0.3, 0.7, 0.999])
def test_an_mp4_cut_anywhere_is_refused(tmp_path, whole_mp4, share):
    path = tmp_path / "a.mp4"
    path.write_bytes(whole_mp4[: int(share * len(whole_mp4))] or b"\0\0\0")
    with pytest.raises(OSError, match="incomplete"):
        check_mp4(path)


def test_an_mp4_without_its_index_is_refused(tmp_path):
    """Boxes that tile the file, but no moov: what ffmpeg leaves when the trailer cannot be written."""
    boxes = [struct.pack(">I4s", 16, b"ftyp") + b"isom" * 2, struct.pack(">I4s", 12, b"mdat") + b"data"]
    path = tmp_path / "a.mp4"
    path.write_bytes(b"".join(boxes))
    with pytest.raises(OSError, match="no moov box"):
        check_mp4(path)
