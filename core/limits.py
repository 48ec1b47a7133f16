"""Every limit of a scene, declared once: the scene loader, core and the app's panels read these.

A file the loader accepts is a scene the app can show: the values are those a live lecture
can afford (a network a laptop trains while the audience watches, a dataset that draws in a
thumbnail), not the most numpy could compute.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Range:
    """The numbers from lo to hi, each end closed unless said open; integer=True: whole numbers only."""

    lo: float
    hi: float
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    def contains(self, x) -> bool:
        """Whether x is a number (a whole one when integer) inside the range; never for bool or NaN."""
        if isinstance(x, (bool, np.bool_)):
            return False
        if self.integer:
            if not isinstance(x, (int, np.integer)):
                return False
        elif not isinstance(x, (int, float, np.integer, np.floating)):
            return False
        if not math.isfinite(x):
            return False
        above_lo = x > self.lo if self.lo_open else x >= self.lo
        below_hi = x < self.hi if self.hi_open else x <= self.hi
        return bool(above_lo and below_hi)

    def clamp(self, x: float) -> float:
        """The nearest value of a closed range (a speed asked past either end)."""
        return min(max(x, self.lo), self.hi)

    def describe(self) -> str:
        """The range as it follows a noun: "from 4 to 5000", "in [0.1, 0.9]", "in [0, 10)", "> 0"."""
        if self.integer:
            lo = int(self.lo) + 1 if self.lo_open else int(self.lo)
            if self.hi == math.inf:
                return f">= {lo}"
            hi = int(self.hi) - 1 if self.hi_open else int(self.hi)
            return f"from {lo} to {hi}"
        if self.lo == -math.inf and self.hi == math.inf:
            return "of any size"
        if self.hi == math.inf:
            return f"{'>' if self.lo_open else '>='} {self.lo:g}"
        if self.lo == -math.inf:
            return f"{'<' if self.hi_open else '<='} {self.hi:g}"
        return (f"in {'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}"
                f"{')' if self.hi_open else ']'}")


# --- a scene ------------------------------------------------------------------------------
STEPS = Range(1, 100_000, integer=True)  # steps every racer runs, training steps of a network
OPTIMIZERS = Range(1, 8, integer=True)  # racers of a landscape scene (a network scene needs none)
SEED = Range(0, 2**31 - 1, integer=True)  # what a spin box (a C int) can show
TITLE_LENGTH = 200  # characters of a scene's title or a racer's label
TEXT_LENGTH = 2_000  # characters of a scene's description
FORMULA_LENGTH = 500  # characters of a formula f(x, y): the parser's cost grows with it
SCENE_FILE_BYTES = 1_000_000  # a scene file's size; the largest preset is under 2 kB
DECK_ENTRIES = 100  # demos in one lecture deck
ANNOTATIONS = Range(0, 40, integer=True)  # labels and arrows of one scene
ANNOTATION_TEXT = 120  # characters of one label: a few words read from the back row, not a paragraph
DIAGRAM_FRACTION = Range(0.0, 1.0)  # a place on the network diagram, as a fraction of its drawing

# --- the view -----------------------------------------------------------------------------
# Bounds of the plane shown: the view's arithmetic (its width, ten widths beyond it, the axes'
# ticks) must stay finite, and a plot narrower than this cannot place a tick.
COORDINATE = Range(-1e12, 1e12)
MIN_SPAN = 1e-9
SPEED = Range(1.0, 500.0)  # animation steps per second
RESOLUTION = Range(16, 2048, integer=True)  # grid points per axis of a surface picture
# Grid points × a formula's array operations in one surface picture (about half a second): a
# 300-step formula at resolution 2048 took 20 s and is drawn on a coarser grid instead.
GRID_WORK = 2**27

# --- a network and its data ---------------------------------------------------------------
HIDDEN_LAYERS = Range(0, 6, integer=True)  # the shapes Valley teaches with
NEURONS = Range(1, 16, integer=True)  # per hidden layer
FEATURES = Range(1, 16, integer=True)  # input feature maps of a network (x1, x2, x1sq, ...)
SAMPLES = Range(4, 5_000, integer=True)  # points of a generated dataset, or rows of a data file
CLASSES = Range(3, 5, integer=True)  # classes of a multi-class dataset (two classes is a binary one)
# A data file's size: 5000 rows of three numbers are under 150 kB even written long-hand.
DATA_FILE_BYTES = 1_000_000
INPUT_JITTER = Range(0.0, 10.0)  # σ of the Gaussian noise added to training inputs, each step
VALIDATION_FRACTION = Range(0.05, 0.5)  # share of the training samples held out for early stopping
PATIENCE = Range(1, STEPS.hi, integer=True)  # steps (or epochs) without a better validation loss
NOISE = Range(0.0, 1.0)  # a generated dataset's noise, in units of its own scale
TRAIN_FRACTION = Range(0.1, 0.9)  # share of the samples trained on; the rest is the test set
REG_RATE = Range(0.0, 10.0, hi_open=True)  # λ of the l1/l2 penalty
BATCH_SIZE = Range(0, SAMPLES.hi, integer=True)  # 0: the full batch
TYPED_WEIGHT = Range(-1000.0, 1000.0)  # a weight or bias typed on the diagram
INIT_SCALE = Range(0.0, 10.0, lo_open=True)  # the initial weights' spread (large: exploding gradients)
DROPOUT = Range(0.0, 0.9)  # a hidden layer's dropout rate: above 0.9 almost nothing is left to learn
# The shapes of the shaped activations (slide 000 writes the leaky slope as 0.1; the usual default is 0.01).
LEAKY_SLOPE = Range(0.0, 1.0, hi_open=True)
ELU_ALPHA = Range(0.0, 10.0, lo_open=True)
SWISH_BETA = Range(0.0, 10.0, lo_open=True)
MAXOUT_PIECES = Range(2, 5, integer=True)  # the lines a maxout neuron takes the largest of
# An exact Hessian of a bigger network is too slow for a live demo (Newton methods need one).
NEWTON_MAX_PARAMS = 200
# The whole Hessian spectrum of a network is shown up to this size (exact H and eigh: ~0.1 s).
SPECTRUM_MAX_PARAMS = 500

# --- the rule each hyperparameter obeys (its slider's span is the optimizer's own) ---------
POSITIVE = Range(0.0, math.inf, lo_open=True)  # learning rates, clipping thresholds
UNIT = Range(0.0, 1.0, hi_open=True)  # decay rates: momentum, rho, beta1, beta2
NONNEGATIVE = Range(0.0, math.inf)  # eps, damping, gradient noise
