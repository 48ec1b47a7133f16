"""What pyqtgraph draws, as the class sees it: tick labels and where they land."""
from PyQt6.QtGui import QImage, QPainter


def tick_labels(axis):
    """(rect in scene coordinates, text) of every tick label the axis draws."""
    image = QImage(10, 10, QImage.Format.Format_ARGB32)
    painter = QPainter(image)
    try:
        _, _, texts = axis.generateDrawSpecs(painter)
    finally:
        painter.end()
    return [(axis.mapRectToScene(rect), text) for rect, _, text in texts]
