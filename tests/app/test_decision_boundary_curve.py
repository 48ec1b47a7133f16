"""The decision view's boundary: contourpy's marching squares in place of pyqtgraph's, the same curve."""
import numpy as np
import pyqtgraph as pg

from valley.app.views.decision_view import BoundaryCurve


def path_vertices(path) -> np.ndarray:
    return np.array([(path.elementAt(k).x, path.elementAt(k).y) for k in range(path.elementCount())])


def test_the_boundary_has_pyqtgraphs_isocurve_vertices(qapp):
    x, y = np.meshgrid(np.linspace(-2, 2, 13), np.linspace(-0.5, 2.5, 9))
    values = np.tanh(x * x + 0.7 * y * y - 1.6 + 0.3 * np.sin(3 * x))  # a curve cut by the bottom edge
    ours, theirs = BoundaryCurve(level=0.0), pg.IsocurveItem(level=0.0)
    for item in (ours, theirs):
        item.setData(values.T, 0.0)  # as the decision view passes its row-major heatmap
        item.generatePath()
    a, b = path_vertices(ours.path), path_vertices(theirs.path)
    assert len(a) > 10 and len(b) > 10
    gap = np.abs(a[:, None, :] - b[None, :, :]).max(axis=-1)
    assert gap.min(axis=1).max() < 1e-9 and gap.min(axis=0).max() < 1e-9  # each vertex is in the other path
    # where the bottom edge cuts the curve, it runs on to the image's edge, as pyqtgraph's does
    assert a[:, 1].min() == b[:, 1].min() == 0.0
    empty = BoundaryCurve(level=0.0)
    empty.generatePath()
    assert empty.path.isEmpty()
