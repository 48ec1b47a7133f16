"""The benchmark table's arithmetic and layout (no timed assertions: timings belong to `python -m bench`)."""
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # bench/ is not an installed package

from bench.common import format_table, make_row, median_time, skipped_row  # noqa: E402


def test_ratio_is_peer_over_valley_for_times():
    row = make_row("grid", valley=20.0, peer=50.0, unit="ms", runs=5, target=50.0)
    assert row["ratio"] == pytest.approx(2.5)
    assert row["met"] is True


def test_ratio_is_valley_over_peer_for_rates_and_a_missed_target_is_flagged():
    row = make_row("race", valley=30.0, peer=12.0, unit="fps", runs=3, target=60.0,
                   higher_is_better=True)
    assert row["ratio"] == pytest.approx(2.5)
    assert row["met"] is False


def test_no_ratio_without_a_peer_or_against_zero():
    assert make_row("x", valley=1.0)["ratio"] is None
    assert make_row("x", valley=0.0, peer=3.0)["ratio"] is None
    assert make_row("x", valley=1.0, peer=2.0, compare=False)["ratio"] is None


def test_table_shows_figures_ratio_target_and_footnotes():
    long_note = "torch adds eps outside the square root; Valley adds it inside " * 2
    rows = [make_row("Adam 1000 steps", 4.0, 10.0, "ms", runs=7, target=20.0, note=long_note),
            make_row("too slow", 80.0, None, "ms", runs=3, target=50.0),
            skipped_row("landscape", "import failed: No module named 'torch'")]
    lines = format_table(rows).splitlines()
    header, _, first, second, third = lines[:5]
    assert header.split()[:3] == ["what", "Valley", "peer"]
    assert "2.5x" in first and "< 20 ms" in first and " yes " in first and "[1]" in first
    assert first.split()[-2] == "7"  # runs
    assert " NO " in second and "< 50 ms" in second
    assert "landscape: skipped" in third
    assert any(line.startswith("[1] torch adds eps outside") for line in lines)
    assert "import failed" in "\n".join(lines)


def test_median_time_is_the_median_of_the_runs(monkeypatch):
    ticks = iter([0.0, 1.0, 10.0, 13.0, 20.0, 22.0])  # durations 1, 3, 2 seconds
    monkeypatch.setattr("bench.common.time.perf_counter", lambda: next(ticks))
    assert median_time(lambda: None, runs=3, warmup=0, unit="s") == pytest.approx(2.0)


def test_run_module_turns_an_import_failure_into_a_skipped_row():
    from bench import __main__ as bench_main
    rows = bench_main.run_module("does_not_exist", quick=True)
    assert len(rows) == 1 and rows[0]["what"] == "does_not_exist: skipped"
    assert "import failed" in rows[0]["note"]


@pytest.mark.parametrize("name", ["sgd", "momentum", "nesterov", "adam", "amsgrad"])
def test_valley_and_torch_trajectories_agree_where_the_rules_agree(name):
    pytest.importorskip("torch")  # the bench extra; the comparison is skipped without it
    from bench.bench_optimizers import compare
    difference, _, detail = compare(name, "rosenbrock", steps=100)
    assert difference < 1e-12, detail


def test_rmsprop_eps_placement_shows_as_a_difference_from_the_first_step():
    pytest.importorskip("torch")
    from bench.bench_optimizers import compare
    difference, extra, detail = compare("rmsprop", "quadratic", steps=50)
    assert difference > 1e-9 and "first 0 of 50" in detail
    assert float(extra["tiny"].split()[0]) < 1e-12  # with eps → 0 the two rules coincide
