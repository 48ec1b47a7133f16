"""`valley race`: run several optimizers from one start on one surface and print a table.

Headless and quick: imports core only, never Qt.
"""
from __future__ import annotations

import argparse
import sys

import numpy as np

from valley.core.optimizers import OPTIMIZERS, OptimizerError, make_optimizer
from valley.core.outcome import OUTCOME_PHRASES, run_outcome
from valley.core.trajectory import run

EXAMPLES = """\
examples:
  valley race --surface rosenbrock --optimizers sgd,momentum,adam,newton --start -1.5,2 --steps 500
  valley race --surface himmelblau --optimizers adam,rmsprop --lr 0.05 --start 0,0
  valley race --surface rosenbrock --param a=1 --param b=100 --optimizers newton --start -1.5,2

Each optimizer uses its own default learning rate unless --lr is given.
A run stops as "converged" when the gradient norm and the step are both below --tol,
as "diverged" when the loss or point stops being finite or leaves the view far behind,
and is still "running" when the steps run out.
"""


class _Parser(argparse.ArgumentParser):
    def error(self, message):  # exit code 2 with the problem on stderr, without the usage wall
        self.exit(2, f"valley race: {message}\n")


def _parser() -> argparse.ArgumentParser:
    from valley.core.surfaces import SURFACES

    parser = _Parser(
        prog="valley race",
        description="Race optimizers on a loss surface and print where each one ends.",
        epilog=EXAMPLES + f"\nsurfaces: {', '.join(SURFACES)}\noptimizers: {', '.join(OPTIMIZERS)}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--surface", default="rosenbrock", help="catalogue surface (default rosenbrock)")
    parser.add_argument("--optimizers", default="sgd,momentum,adam,newton",
                        help="comma-separated optimizer names (default sgd,momentum,adam,newton)")
    parser.add_argument("--start", default=None,
                        help="start point x,y (default: the surface's view centre)")
    parser.add_argument("--steps", type=int, default=500, help="maximum steps (default 500)")
    parser.add_argument("--lr", type=float, default=None,
                        help="learning rate for every optimizer (default: each one's own)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME=VALUE",
                        help="surface parameter, repeatable (e.g. --param b=100)")
    parser.add_argument("--tol", type=float, default=1e-8,
                        help="convergence tolerance on gradient norm and step (default 1e-8)")
    parser.add_argument("--seed", type=int, default=0, help="seed for gradient noise (default 0)")
    return parser


def _number_pair(text: str, what: str) -> tuple[float, float]:
    parts = text.split(",")
    try:
        x, y = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"{what} must be two numbers 'x,y', got {text!r}") from None
    if not (np.isfinite(x) and np.isfinite(y)):
        raise ValueError(f"{what} must be finite, got {text!r}")
    return x, y


def _surface_params(pairs: list[str]) -> dict[str, float]:
    params = {}
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise ValueError(f"--param must look like NAME=VALUE, got {pair!r}")
        try:
            params[name.strip()] = float(value)
        except ValueError:
            raise ValueError(f"--param {name.strip()}: {value!r} is not a number") from None
    return params


def _format_number(value: float) -> str:
    return f"{value:.6g}"


def race(surface, names: list[str], start, steps: int, lr: float | None, tol: float, seed: int):
    """Run each optimizer; return one table row (tuple of strings) per optimizer."""
    rows = []
    for name in names:
        optimizer = make_optimizer(name) if lr is None else make_optimizer(name, lr=lr)
        trajectory = run(surface, optimizer, start, steps, rng=np.random.default_rng(seed), tol=tol)
        x, y = trajectory.final_point
        step = "" if trajectory.stopped_at is None else str(trajectory.stopped_at)
        kind, _ = run_outcome(trajectory, surface)
        why = trajectory.reason
        if kind in ("saddle", "maximum", "degenerate"):  # converged, but not to a minimum
            why = f"{OUTCOME_PHRASES[kind]}: {why}"
        rows.append((name, f"({_format_number(x)}, {_format_number(y)})",
                     _format_number(trajectory.final_loss), trajectory.status, step, why))
    return rows


def format_table(rows, header=("optimizer", "final point", "final loss", "status", "stopped at",
                                   "why")):
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]
    lines = ["  ".join(str(c).ljust(w) for c, w in zip(header, widths)).rstrip(),
             "  ".join("-" * w for w in widths)]
    lines += ["  ".join(str(c).ljust(w) for c, w in zip(row, widths)).rstrip() for row in rows]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from valley.core.surfaces import get_surface

    argv = list(sys.argv[1:] if argv is None else argv)
    # "--start -1.5,2": argparse would read "-1.5,2" as an option, so glue it on.
    for i in range(len(argv) - 1):
        if argv[i] == "--start" and argv[i + 1].startswith("-"):
            argv[i:i + 2] = [f"--start={argv[i + 1]}", ""]
    try:
        args = _parser().parse_args([a for a in argv if a != ""])
    except SystemExit as exit_:  # --help or a parse error: report the code, don't exit
        return int(exit_.code or 0)
    try:
        surface = get_surface(args.surface, **_surface_params(args.param))
        names = [n.strip() for n in args.optimizers.split(",") if n.strip()]
        if not names:
            raise ValueError("--optimizers names no optimizer")
        unknown = [n for n in names if n not in OPTIMIZERS]
        if unknown:
            raise ValueError(f"unknown optimizer {unknown[0]!r}; choose from {', '.join(OPTIMIZERS)}")
        if args.steps < 0:
            raise ValueError(f"--steps must be >= 0, got {args.steps}")
        if args.lr is not None and not (np.isfinite(args.lr) and args.lr > 0):
            raise ValueError(f"--lr must be a positive number, got {args.lr:g}")
        if not (np.isfinite(args.tol) and args.tol >= 0):
            raise ValueError(f"--tol must be >= 0, got {args.tol:g}")
        if args.start is None:
            (x0, x1), (y0, y1) = surface.bounds
            start = (0.5 * (x0 + x1), 0.5 * (y0 + y1))
        else:
            start = _number_pair(args.start, "--start")
        rows = race(surface, names, start, args.steps, args.lr, args.tol, args.seed)
    except (ValueError, TypeError, OptimizerError) as error:
        print(f"valley race: {error}", file=sys.stderr)
        return 2
    print(f"{surface.title or args.surface} from ({start[0]:g}, {start[1]:g}), "
          f"up to {args.steps} steps")
    print(format_table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
