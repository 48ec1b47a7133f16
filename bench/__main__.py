"""`python -m bench`: run every bench/bench_*.py module and print one table.

Each module exposes `run(quick: bool) -> list[dict]` (rows as in bench.common).
A module whose imports fail (a peer such as torch not installed, or the Valley
code it measures not written yet) or whose run raises gives one row saying why,
and the other modules still run.
"""
from __future__ import annotations

import argparse
import importlib
import json
import pkgutil
import sys
import time
import traceback
from pathlib import Path

from bench.common import print_table, skipped_row

BENCH_DIR = Path(__file__).resolve().parent


def discover() -> list[str]:
    """Short names of the benchmark modules, e.g. 'optimizers' for bench/bench_optimizers.py."""
    return sorted(info.name.removeprefix("bench_") for info in pkgutil.iter_modules([str(BENCH_DIR)])
                  if info.name.startswith("bench_"))


def run_module(name: str, quick: bool) -> list[dict]:
    """Import bench_<name> and run it; never raises: failures become a skipped row."""
    try:
        module = importlib.import_module(f"bench.bench_{name}")
    except Exception as error:  # ImportError for a missing peer, anything else for broken code
        return [skipped_row(name, f"import failed: {type(error).__name__}: {error}")]
    try:
        rows = list(module.run(quick))
    except Exception as error:
        traceback.print_exc(file=sys.stderr)
        return [skipped_row(name, f"run failed: {type(error).__name__}: {error}")]
    for row in rows:
        row.setdefault("module", name)
    return rows


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench",
        description="Valley's benchmarks against peers (torch.optim, loss-landscapes, "
                    "matplotlib); prints one table.")
    parser.add_argument("--quick", action="store_true",
                        help="a smaller subset, about a minute in all")
    parser.add_argument("--only", action="append", default=[], metavar="NAME",
                        help="run only this module (e.g. optimizers or bench_optimizers); "
                             "repeat or separate with commas")
    parser.add_argument("--list", action="store_true", help="list the modules and exit")
    parser.add_argument("--json", metavar="PATH", help="also write the rows to this JSON file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    names = discover()
    if args.list:
        print("\n".join(names))
        return 0
    if args.only:
        wanted = [w.strip().removeprefix("bench_").removesuffix(".py")
                  for item in args.only for w in item.split(",") if w.strip()]
        unknown = [w for w in wanted if w not in names]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}",
                  file=sys.stderr)
            return 2
        names = [n for n in names if n in wanted]
    rows: list[dict] = []
    started = time.perf_counter()
    for name in names:
        module_started = time.perf_counter()
        print(f"running {name} ...", file=sys.stderr, flush=True)
        rows += run_module(name, args.quick)
        print(f"  {name}: {time.perf_counter() - module_started:.1f} s", file=sys.stderr,
              flush=True)
    print_table(rows)
    print(f"\n{len(names)} module(s) in {time.perf_counter() - started:.1f} s"
          f"{' (quick)' if args.quick else ''}")
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
