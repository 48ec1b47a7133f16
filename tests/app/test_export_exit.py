"""`valley export` exits 0 after writing its file, every time: Qt is taken down in a defined order."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = 50
FORMATS = ("gif", "mp4", "svg", "png")

# One Python imports Valley once, then forks a process per export that runs the `valley`
# command's own entry point and exits the way it does: 50 exports in tens of seconds, not minutes.
LOOP = textwrap.dedent("""
    import os, sys
    import valley.app.cli, valley.app.export, valley.app.export_cli, valley.app.main_window
    out, count, formats = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(",")
    for k in range(count):
        path = os.path.join(out, f"x{k}.{formats[k % len(formats)]}")
        pid = os.fork()
        if pid == 0:
            sys.argv = ["valley", "export", "saddle_point", "-o", path, "--size", "64x64",
                        "--frames", "2", "--quiet"]
            valley.app.cli.run()
        _, status = os.waitpid(pid, 0)
        print(os.waitstatus_to_exitcode(status), flush=True)
""")


@pytest.mark.slow
@pytest.mark.skipif(not hasattr(os, "fork"), reason="the loop forks a process per export")
def test_fifty_exports_in_a_row_each_exit_0_with_their_file(tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, "-c", LOOP, str(tmp_path), str(EXPORTS), ",".join(FORMATS)],
                          env=env, capture_output=True, text=True, timeout=600)
    codes = [int(line) for line in done.stdout.split()]
    assert codes == [0] * EXPORTS, done.stderr[-2000:]
    assert sorted(os.listdir(tmp_path)) == sorted(f"x{k}.{FORMATS[k % len(FORMATS)]}" for k in range(EXPORTS))
    for k in range(EXPORTS):
        path = tmp_path / f"x{k}.{FORMATS[k % len(FORMATS)]}"
        if path.suffix in (".gif", ".png"):
            with Image.open(path) as image:
                assert image.size == (64, 64)
        else:
            assert path.stat().st_size > 100
