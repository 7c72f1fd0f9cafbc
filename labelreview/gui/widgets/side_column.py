"""A page's main widget beside a column of panels (scrolling when taller than the page), in a splitter."""

from PySide6.QtCore import QEvent, QObject, QSize, Qt
from PySide6.QtWidgets import QFrame, QScrollArea, QSplitter, QVBoxLayout, QWidget


class _ColumnScroll(QScrollArea):
    """Scrolls its column up and down only, never narrower than the column needs."""

    def __init__(self, column: QWidget, width: int | None):
        super().__init__(widgetResizable=True, frameShape=QFrame.Shape.NoFrame,
                         horizontalScrollBarPolicy=Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setWidget(column)
        if width is not None:
            self.setMaximumWidth(width + self.verticalScrollBar().sizeHint().width())
        column.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.widget() and event.type() == QEvent.Type.LayoutRequest:
            self.updateGeometry()  # the column needs more width (a duplicate set): the splitter gives it
        return super().eventFilter(watched, event)

    def minimumSizeHint(self) -> QSize:
        return QSize(self.widget().minimumSizeHint().width() + self.verticalScrollBar().sizeHint().width(), 0)

    def sizeHint(self) -> QSize:
        hint = self.widget().sizeHint()
        return QSize(hint.width() + self.verticalScrollBar().sizeHint().width(), hint.height())


def with_side_column(main: QWidget, *panels: QWidget, stretch: QWidget | None = None,
                     width: int | None = None) -> QSplitter:
    """``main`` (taking the spare width) beside ``panels`` stacked in a column; ``stretch`` takes the column's
    spare height, ``width`` caps the column's; a column taller than the page (an image's reasons and its duplicate
    set) scrolls instead of growing the window."""
    side = QWidget()
    if width is not None:
        side.setMaximumWidth(width)
    column = QVBoxLayout(side)
    column.setContentsMargins(0, 0, 0, 0)
    for panel in panels:
        column.addWidget(panel, stretch=int(panel is stretch))
    splitter = QSplitter()
    splitter.addWidget(main)
    splitter.addWidget(_ColumnScroll(side, width))
    splitter.setStretchFactor(0, 1)
    return splitter
