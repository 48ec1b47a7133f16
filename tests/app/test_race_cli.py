"""`valley race` through the real dispatcher: a table on stdout, problems on stderr with code 2."""
import subprocess
import sys

import pytest

from valley.app.cli import main


def rows(text):
    return {line.split()[0]: line for line in text.splitlines()[3:] if line.strip()}


def test_race_prints_a_table(capsys):
    code = main(["race", "--surface", "rosenbrock", "--optimizers", "sgd,momentum,adam,newton",
                 "--start", "-1.5,2", "--steps", "500"])
    out = capsys.readouterr().out
    assert code == 0
    assert "optimizer" in out and "final loss" in out and "status" in out
    table = rows(out)
    assert set(table) == {"sgd", "momentum", "adam", "newton"}
    # Newton solves Rosenbrock (a=1, b=100) exactly at (1, 1) within a few steps
    assert "(1, 1)" in table["newton"] and "converged" in table["newton"]
    assert "running" in table["adam"]
    assert "diverged" in table["sgd"]  # lr 0.01 is too much for b = 100


def test_surface_parameters_and_divergence(capsys):
    code = main(["race", "--surface", "rosenbrock", "--param", "a=2", "--param", "b=10",
                 "--optimizers", "newton,sgd", "--start", "0.5,0.5", "--steps", "100",
                 "--lr", "1"])
    table = rows(capsys.readouterr().out)
    assert code == 0
    assert "(2, 4)" in table["newton"]  # the minimum moves to (a, a²)
    assert "diverged" in table["sgd"]


def test_help_explains(capsys):
    assert main(["race", "--help"]) == 0
    out = capsys.readouterr().out
    assert "--optimizers" in out and "--start" in out and "converged" in out


@pytest.mark.parametrize("argv, word", [
    (["--surface", "nowhere"], "nowhere"),
    (["--optimizers", "adam,warp"], "warp"),
    (["--start", "1"], "--start"),
    (["--start", "a,b"], "--start"),
    (["--param", "b"], "--param"),
    (["--param", "b=fast"], "fast"),
    (["--param", "zzz=1"], "zzz"),
    (["--lr", "-1"], "--lr"),
    (["--steps", "ten"], "--steps"),
])
def test_bad_input_names_the_problem_with_exit_code_2(capsys, argv, word):
    assert main(["race", *argv]) == 2
    captured = capsys.readouterr()
    assert word in captured.err and captured.out == ""


def test_race_loads_no_qt():
    code = ("import sys; from valley.app.race_cli import main; main(['--steps', '5']); "
            "print(sorted(m for m in sys.modules if m.startswith(('PyQt6', 'pyqtgraph'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_newton_stopping_on_a_saddle_is_called_a_saddle(capsys):
    assert main(["race", "--surface", "double_well", "--optimizers", "newton,adam",
                 "--start", "-1.6,0", "--steps", "100"]) == 0
    rows = {line.split()[0]: line for line in capsys.readouterr().out.splitlines()[3:]}
    assert "stopped on a saddle" in rows["newton"] and "converged" in rows["newton"]
    assert "saddle" not in rows["adam"]
