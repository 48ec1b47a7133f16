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


def run(block: str, folder: Path) -> list[str]:
    done = subprocess.run([sys.executable, "-c", block], cwd=folder, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def check_rosenbrock(lines: list[str]) -> None:
    status, steps, *_ = lines[0].split()
    assert (status, steps) == ("converged", "2331")  # what the comment beside it says
    assert "minimum" in lines[1] and "saddle" not in lines[1] and lines[1].count("minimum") == 1


def check_early_stopping(lines: list[str]) -> None:
    assert lines[0] == "stopped_early 126"  # what the comments beside it say
    assert lines[1].startswith("0.91") and "".join(lines[1:]).count("[") == 4  # accuracy, a 3×3 matrix


PROMISES = {"get_surface": check_rosenbrock, "make_transform": check_early_stopping}


def test_every_python_example_of_the_readme_runs_and_says_what_it_promises(tmp_path):
    blocks = python_blocks()
    for block in blocks:
        (check,) = [check for word, check in PROMISES.items() if word in block]
        check(run(block, tmp_path))
    assert len(blocks) == len(PROMISES)
