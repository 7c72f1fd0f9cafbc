"""A page's main widget beside a column of panels, in a splitter."""

from PySide6.QtWidgets import QSplitter, QVBoxLayout, QWidget


def with_side_column(main: QWidget, *panels: QWidget, stretch: QWidget | None = None,
                     width: int | None = None) -> QSplitter:
    """``main`` (taking the spare width) beside ``panels`` stacked in a column; ``stretch`` takes the column's
    spare height, ``width`` caps the column's."""
    side = QWidget()
    if width is not None:
        side.setMaximumWidth(width)
    column = QVBoxLayout(side)
    column.setContentsMargins(0, 0, 0, 0)
    for panel in panels:
        column.addWidget(panel, stretch=int(panel is stretch))
    splitter = QSplitter()
    splitter.addWidget(main)
    splitter.addWidget(side)
    splitter.setStretchFactor(0, 1)
    return splitter
