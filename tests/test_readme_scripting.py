"""The README's Python examples run as printed, in a fresh interpreter, from another folder."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def python_blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)


def test_the_readme_has_a_scripting_example_that_imports_valley_core():
    blocks = python_blocks()
    assert blocks and all("from valley.core" in block for block in blocks)


def test_every_python_example_of_the_readme_runs_and_says_what_it_promises(tmp_path):
    for block in python_blocks():
        done = subprocess.run([sys.executable, "-c", block], cwd=tmp_path, capture_output=True, text=True,
                              timeout=120)
        assert done.returncode == 0, done.stderr
        lines = done.stdout.strip().splitlines()
        status, steps, *_ = lines[0].split()
        assert (status, steps) == ("converged", "2331")  # what the comment beside it says
        assert "minimum" in lines[1] and "saddle" not in lines[1] and lines[1].count("minimum") == 1
