"""Placeholder until the limits table lands (merged from the core branch)."""
from dataclasses import dataclass


@dataclass(frozen=True)
class Range:
    lo: float
    hi: float
    hi_open: bool = False

    def clamp(self, x):
        return min(max(x, self.lo), self.hi)

    def contains(self, x):
        return self.lo <= x < self.hi if self.hi_open else self.lo <= x <= self.hi

    def describe(self):
        return f"from {self.lo} to {self.hi}"


SPEED = Range(1.0, 500.0)
STEPS = Range(1, 100_000)
SEED = Range(0, 2**63 - 1)
OPTIMIZERS = Range(1, 8)
HIDDEN_LAYERS = Range(0, 6)
NEURONS = Range(1, 16)
SAMPLES = Range(4, 5000)
NOISE = Range(0.0, 1.0)
TRAIN_FRACTION = Range(0.1, 0.9)
REG_RATE = Range(0.0, 10.0, hi_open=True)
BATCH_SIZE = Range(0, 5000)
NEWTON_MAX_PARAMS = 200
