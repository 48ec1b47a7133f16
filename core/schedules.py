"""Learning-rate schedules: the lr an optimizer uses at each step.

`k` counts the updates already made (0 for the first step), so every schedule
starts at the base lr — the slide's ε_k with k counted from 0 (slide 002,
"learning rate decay": ε_k = (1 − α) ε_0 + α ε_τ with α = k/τ, then constant).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any


class ScheduleError(ValueError):
    """A schedule spec that names an unknown kind or carries an invalid value."""


# kind -> {option: (default, description)}; the app builds its controls from this.
SCHEDULE_OPTIONS: dict[str, dict[str, tuple[float | None, str]]] = {
    "constant": {},
    "linear": {"lr_end": (None, "lr reached at step tau (default: 1% of lr, as the slide suggests)"),
               "tau": (100, "step at which the decay ends (then constant)")},
    "step": {"gamma": (0.5, "factor applied every `every` steps"),
             "every": (100, "steps between drops")},
    "exponential": {"gamma": (0.99, "factor applied every step")},
    "cosine": {"lr_end": (0.0, "lr reached at step tau"),
               "tau": (100, "length of the half cosine (then constant)")},
}

SCHEDULE_TITLES = {
    "constant": "Constant",
    "linear": "Linear decay to lr_end at step τ",
    "step": "Step decay (× γ every k steps)",
    "exponential": "Exponential decay (× γ per step)",
    "cosine": "Cosine annealing to lr_end at step τ",
}


@dataclass(frozen=True)
class Schedule:
    """A learning-rate schedule: `lr_at(k, lr)` for the update after k earlier updates."""

    kind: str = "constant"
    options: dict[str, float | None] = field(default_factory=dict)

    def lr_at(self, k: int, lr: float) -> float:
        o = self.options
        if self.kind == "constant":
            return lr
        if self.kind == "linear":
            alpha = min(k / o["tau"], 1.0)
            lr_end = o["lr_end"] if o["lr_end"] is not None else 0.01 * lr
            return (1.0 - alpha) * lr + alpha * lr_end
        if self.kind == "step":
            return lr * o["gamma"] ** (k // int(o["every"]))
        if self.kind == "exponential":
            return lr * o["gamma"] ** k
        # cosine: half a cosine from lr down to lr_end over tau steps, then hold.
        alpha = min(k / o["tau"], 1.0)
        return o["lr_end"] + (lr - o["lr_end"]) * 0.5 * (1.0 + math.cos(math.pi * alpha))

    def to_spec(self) -> dict[str, Any]:
        """The dict form a scene stores; `make_schedule(s.to_spec()) == s`."""
        return {"kind": self.kind, **self.options}


CONSTANT = Schedule()


def make_schedule(spec: str | dict | Schedule | None) -> Schedule:
    """Build a Schedule from "cosine", {"kind": "linear", "lr_end": 1e-3, "tau": 100}, or None."""
    if spec is None:
        return CONSTANT
    if isinstance(spec, Schedule):
        return spec
    if isinstance(spec, str):
        kind, given = spec, {}
    elif isinstance(spec, dict):
        given = dict(spec)
        kind = given.pop("kind", "constant")
    else:
        raise ScheduleError(f"schedule: expected a name or a dict, got {type(spec).__name__}")
    if kind not in SCHEDULE_OPTIONS:
        raise ScheduleError(f"schedule: unknown kind {kind!r}; choose one of "
                            f"{', '.join(SCHEDULE_OPTIONS)}")
    allowed = SCHEDULE_OPTIONS[kind]
    unknown = sorted(set(given) - set(allowed))
    if unknown:
        raise ScheduleError(f"schedule {kind!r}: unknown option {unknown[0]!r}; "
                            f"allowed: {', '.join(allowed) or 'none'}")
    options = {}
    for name, (default, _) in allowed.items():
        value = given.get(name, default)
        if value is None and default is None:
            options[name] = None
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise ScheduleError(f"schedule {kind!r}: {name} must be a finite number, got {value!r}")
        options[name] = float(value)
    if "tau" in options and options["tau"] <= 0:
        raise ScheduleError(f"schedule {kind!r}: tau must be > 0, got {options['tau']:g}")
    if "every" in options and (options["every"] < 1 or options["every"] != int(options["every"])):
        raise ScheduleError(f"schedule {kind!r}: every must be a whole number >= 1, "
                            f"got {options['every']:g}")
    if "gamma" in options and not 0.0 < options["gamma"] <= 1.0:
        raise ScheduleError(f"schedule {kind!r}: gamma must be in (0, 1], got {options['gamma']:g}")
    if options.get("lr_end") is not None and options["lr_end"] < 0:
        raise ScheduleError(f"schedule {kind!r}: lr_end must be >= 0, got {options['lr_end']:g}")
    return Schedule(kind, options)
