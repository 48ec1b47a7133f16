"""How a finished run reads: what the Hessian says about the point it stopped on."""
from __future__ import annotations

import numpy as np

OUTCOME_PHRASES = {"minimum": "converged", "saddle": "stopped on a saddle",
                   "maximum": "stopped on a maximum", "degenerate": "stopped on a flat point",
                   "diverged": "diverged", "running": "running"}
# The same in a narrow table column, where "stopped" goes without saying.
SHORT_PHRASES = {**OUTCOME_PHRASES, "saddle": "on a saddle", "maximum": "on a maximum",
                 "degenerate": "on a flat point"}
# A run whose steps ran out without converging, seen at its last step ("running" no longer).
UNFINISHED = "unfinished"


def run_outcome(trajectory, objective) -> tuple[str, int | None]:
    """(kind, step) of how a run ended: "minimum", "saddle", "maximum" or "degenerate" for a
    converged run (by the Hessian's eigenvalues at its last point), else "diverged" or
    "running"; step is where it stopped (None while running)."""
    if trajectory is None:
        return "", None
    if trajectory.status != "converged":
        return trajectory.status, trajectory.stopped_at
    from valley.core.critical import classify

    point = np.asarray(trajectory.points[-1], float)
    with np.errstate(all="ignore"):
        eigenvalues = np.linalg.eigvalsh(np.asarray(objective.hessian(point), float))
    scale = float(np.max(np.abs(eigenvalues))) if np.isfinite(eigenvalues).all() else 1.0
    return classify(eigenvalues, max(scale, 1e-300)), trajectory.stopped_at


def outcome_text(trajectory, objective, step_word: str = "") -> str:
    """"converged at 87", "stopped on a saddle at 3", "diverged at 12" or "running";
    step_word="step " gives "converged at step 87"."""
    kind, step = run_outcome(trajectory, objective)
    if not kind:
        return ""
    phrase = OUTCOME_PHRASES.get(kind, kind)
    return phrase if step is None else f"{phrase} at {step_word}{step}"


def outcome_at(trajectory, objective, t: int, step_word: str = "",
               short: bool = False) -> tuple[str, str]:
    """(kind, text) of a run as it stands at step t, telling nothing of later steps.

    Before the step a run stopped at it is ("running", "running"); from that step on, its
    outcome as `run_outcome`/`outcome_text` say it ("on a saddle at 3" when `short`). A run
    whose steps ran out without converging is, at its last step, (UNFINISHED,
    "not converged after 500 steps"; short: "not converged").
    """
    if trajectory is None:
        return "", ""
    last = len(trajectory.points) - 1
    if t < last:
        return "running", OUTCOME_PHRASES["running"]
    if trajectory.status == "running":
        # short: the player shows the step is the last one
        return UNFINISHED, "not converged" if short else f"not converged after {last} steps"
    if not short:
        return run_outcome(trajectory, objective)[0], outcome_text(trajectory, objective, step_word)
    kind, step = run_outcome(trajectory, objective)
    return kind, f"{SHORT_PHRASES.get(kind, kind)} at {step_word}{step}"
