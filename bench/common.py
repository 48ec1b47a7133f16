"""Timing helpers, the row every benchmark returns, and the table `python -m bench` prints.

A row is a dict:
    what    what was measured (one line)
    valley  Valley's figure (a median), or None when Valley could not be measured
    peer    the peer's figure measured in the same run on the same work, or None
    unit    "ms", "s", "fps", "|Δθ|", ...
    ratio   how many times better Valley is than the peer (> 1: Valley wins), or None;
            for times that is peer / valley, for rates (fps) valley / peer
    runs    how many runs each median is over
    target  optional: the figure an issue names (same unit), e.g. 50.0 for "under 50 ms"
    higher_is_better  optional, default False (times); True for rates such as fps
    met     optional: whether Valley's figure meets the target
    note    optional: conventions, what the peer is, why something was skipped
"""
from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable

UNITS_PER_SECOND = {"s": 1.0, "ms": 1e3, "us": 1e6, "µs": 1e6}


def time_runs(fn: Callable[[], object], runs: int = 5, warmup: int = 1) -> list[float]:
    """Wall-clock seconds of `runs` calls of fn, after `warmup` untimed calls."""
    if runs < 1:
        raise ValueError(f"runs must be at least 1, got {runs}")
    for _ in range(warmup):
        fn()
    times = []
    # As timeit does: the collector is off while timing, not run before each call. A full
    # collection walks every object (torch's modules are many) and leaves the caches cold, which
    # added about a millisecond to each sub-millisecond call of both Valley and its peer.
    gc.collect()
    enabled = gc.isenabled()
    gc.disable()
    try:
        for _ in range(runs):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    finally:
        if enabled:
            gc.enable()
    return times


def median_time(fn: Callable[[], object], runs: int = 5, warmup: int = 1,
                unit: str = "ms") -> float:
    """Median wall-clock time of fn over `runs` calls, in `unit` (s, ms or us)."""
    if unit not in UNITS_PER_SECOND:
        raise ValueError(f"unit must be one of {sorted(UNITS_PER_SECOND)}, got {unit!r}")
    return statistics.median(time_runs(fn, runs, warmup)) * UNITS_PER_SECOND[unit]


def compute_ratio(valley: float | None, peer: float | None,
                  higher_is_better: bool = False) -> float | None:
    """How many times better Valley is: peer/valley for times, valley/peer for rates."""
    if valley is None or peer is None:
        return None
    numerator, denominator = (valley, peer) if higher_is_better else (peer, valley)
    if denominator == 0 or not math.isfinite(numerator) or not math.isfinite(denominator):
        return None
    return numerator / denominator


def target_met(valley: float | None, target: float | None,
               higher_is_better: bool = False) -> bool | None:
    """Whether Valley's figure meets the target; None when there is no target or no figure."""
    if target is None or valley is None or not math.isfinite(valley):
        return None if target is None else False
    return valley >= target if higher_is_better else valley <= target


def make_row(what: str, valley: float | None, peer: float | None = None, unit: str = "ms",
             runs: int = 1, target: float | None = None, higher_is_better: bool = False,
             note: str = "", compare: bool = True) -> dict:
    """One table row; the ratio and whether the target is met are computed here.

    compare=False leaves the ratio out (for figures that are not 'better when smaller',
    such as the difference between two trajectories).
    """
    return {
        "what": what,
        "valley": valley,
        "peer": peer,
        "unit": unit,
        "ratio": compute_ratio(valley, peer, higher_is_better) if compare else None,
        "runs": runs,
        "target": target,
        "higher_is_better": higher_is_better,
        "met": target_met(valley, target, higher_is_better),
        "note": note,
    }


def skipped_row(module: str, reason: str) -> dict:
    """The row printed for a benchmark module that could not be imported or run."""
    return make_row(f"{module}: skipped", None, unit="", runs=0, note=reason)


def format_number(x: float | None) -> str:
    """Three significant figures, scientific for very small or large numbers; '-' for None."""
    if x is None:
        return "-"
    if isinstance(x, bool):
        return str(x)
    if not math.isfinite(x):
        return str(x)
    if x == 0:
        return "0"
    if abs(x) < 1e-3 or abs(x) >= 1e6:
        return f"{x:.2e}"
    return f"{x:.3g}"


def format_target(row: dict) -> str:
    target = row.get("target")
    if target is None:
        return "-"
    sign = ">" if row.get("higher_is_better") else "<"
    return f"{sign} {format_number(target)} {row.get('unit', '')}".rstrip()


def format_met(row: dict) -> str:
    met = row.get("met")
    if met is None and row.get("target") is not None:
        met = target_met(row.get("valley"), row["target"], bool(row.get("higher_is_better")))
    return {True: "yes", False: "NO", None: "-"}[met]


def format_table(rows: list[dict], note_width: int = 48) -> str:
    """The table as text: one line per row, long notes as numbered footnotes below it."""
    headers = ["what", "Valley", "peer", "unit", "ratio", "target", "met", "runs", "note"]
    lines_cells = []
    footnotes = []
    for row in rows:
        ratio = row.get("ratio")
        note = str(row.get("note") or "")
        if len(note) > note_width:
            footnotes.append(note)
            note = f"[{len(footnotes)}]"
        lines_cells.append([
            str(row.get("what", "")),
            format_number(row.get("valley")),
            format_number(row.get("peer")),
            str(row.get("unit", "")),
            "-" if ratio is None else f"{format_number(ratio)}x",
            format_target(row),
            format_met(row),
            str(row.get("runs", "")),
            note,
        ])
    widths = [max(len(h), *(len(cells[i]) for cells in lines_cells)) if lines_cells else len(h)
              for i, h in enumerate(headers)]
    numeric = {1, 2, 4, 7}

    def line(cells):
        parts = [c.rjust(w) if i in numeric else c.ljust(w)
                 for i, (c, w) in enumerate(zip(cells, widths))]
        return "  ".join(parts).rstrip()

    out = [line(headers), line(["-" * w for w in widths])]
    out += [line(cells) for cells in lines_cells]
    if footnotes:
        out.append("")
        out += [f"[{i}] {text}" for i, text in enumerate(footnotes, 1)]
    out.append("")
    out.append("ratio: how many times better Valley is than the peer (peer/Valley for times, "
               "Valley/peer for rates); runs: how many runs each median is over.")
    return "\n".join(out)


def print_table(rows: list[dict]) -> None:
    print(format_table(rows), flush=True)
