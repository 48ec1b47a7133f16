"""How a basin map is painted: a colour per attractor, dark for diverged, faint white for still moving."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

from valley.core.basins import DIVERGED, NOT_YET

# Categorical colours for attractors (Tableau 10: distinct, and none is the diverged grey).
ATTRACTOR_COLOURS = ["#4E79A7", "#F28E2B", "#59A14F", "#E15759", "#76B7B2", "#EDC948",
                     "#B07AA1", "#FF9DA7", "#9C755F", "#BAB0AC"]
DIVERGED_COLOUR = "#202020"
NOT_CONVERGED_COLOUR = "#FFFFFF"


def basin_rgba(label: np.ndarray, opacity: float) -> np.ndarray:
    """(n, n) labels -> (n, n, 4) uint8 RGBA."""
    alpha = int(round(255 * opacity))
    rgba = np.zeros(label.shape + (4,), dtype=np.uint8)
    for k in np.unique(label):
        if k == DIVERGED:
            colour, a = DIVERGED_COLOUR, alpha
        elif k == NOT_YET:
            colour, a = NOT_CONVERGED_COLOUR, alpha // 3
        else:
            colour, a = ATTRACTOR_COLOURS[int(k) % len(ATTRACTOR_COLOURS)], alpha
        r, g, b, _ = pg.mkColor(colour).getRgb()
        rgba[label == k] = (r, g, b, a)
    return rgba
