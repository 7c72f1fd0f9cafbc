"""A matplotlib figure on a Qt canvas. matplotlib's Qt backend takes half a second to import, so the views import
this module when they first draw a chart, not when the window starts (``workers/view_preload`` imports it in the
background once the window shows)."""

from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
from PySide6.QtWidgets import QAbstractScrollArea, QApplication


class ChartCanvas(FigureCanvasQTAgg):
    """A chart that hands the wheel to the page it sits on (a canvas would take every wheel turn for itself)."""

    def wheelEvent(self, event) -> None:
        page = self.parentWidget()
        while page is not None and not isinstance(page, QAbstractScrollArea):
            page = page.parentWidget()
        if page is not None:
            QApplication.sendEvent(page.viewport(), event)
