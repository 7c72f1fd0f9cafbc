"""Paints one suspect tile: thumbnail, given label, -> predicted label, confidence, decision mark; and the grid of
tiles, whose columns share the width."""

import math

from PySide6.QtCore import QEvent, QRect, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate

from labelreview.gui.widgets.suspects_model import (
    CONFIDENCE_ROLE,
    GIVEN_ROLE,
    IMAGE_ROLE,
    ORIGINAL_ROLE,
    PREDICTED_ROLE,
    STATUS_ROLE,
)

TILE = QSize(132, 182)  # at least: columns widen to share the grid's width
IMAGE_SIDE = 104
STATUS_COLOURS = {"kept": QColor("#2e7d32"), "relabeled": QColor("#1565c0"), "removed": QColor("#c62828")}


class TileDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index) -> QSize:
        return option.widget.gridSize() if isinstance(option.widget, QListView) else TILE  # the whole cell

    def paint(self, painter: QPainter, option, index) -> None:
        painter.save()
        rect = option.rect.adjusted(3, 3, -3, -3)
        palette = option.palette
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.fillRect(rect, palette.highlight() if selected else palette.base())
        status = index.data(STATUS_ROLE)
        if status in STATUS_COLOURS:
            painter.setPen(QPen(STATUS_COLOURS[status], 4))
            painter.drawRect(rect.adjusted(2, 2, -2, -2))
        image_rect = QRect(rect.left() + (rect.width() - IMAGE_SIDE) // 2, rect.top() + 6, IMAGE_SIDE, IMAGE_SIDE)
        image = index.data(IMAGE_ROLE)
        if not image.isNull():
            fitted = image.size().scaled(image_rect.size(), Qt.AspectRatioMode.KeepAspectRatio)
            painter.drawImage(QStyle.alignedRect(Qt.LayoutDirection.LeftToRight, Qt.AlignmentFlag.AlignCenter, fitted,
                                                 image_rect), image)
        else:
            painter.fillRect(image_rect, palette.alternateBase())
        if status == "removed":
            painter.setPen(QPen(STATUS_COLOURS["removed"], 3))
            painter.drawLine(image_rect.topLeft(), image_rect.bottomRight())
        painter.setPen(palette.highlightedText().color() if selected else palette.text().color())
        font = painter.font()
        font.setBold(True)
        painter.setFont(font)
        given, predicted = index.data(GIVEN_ROLE), index.data(PREDICTED_ROLE)
        if status == "relabeled":
            lines = (index.data(ORIGINAL_ROLE), f"\u21d2 {given}")  # was => now
        else:
            lines = (given, f"\u2192 {predicted}" if predicted else "")
        metrics, line = painter.fontMetrics(), QRect(rect.left() + 4, image_rect.bottom() + 4, rect.width() - 8, 18)
        for text in lines:  # each label on a line of its own: whole up to about 20 characters
            painter.drawText(line, Qt.AlignmentFlag.AlignHCenter,
                             metrics.elidedText(text, Qt.TextElideMode.ElideRight, line.width()))
            line.translate(0, 18)
        font.setBold(False)
        painter.setFont(font)
        confidence = index.data(CONFIDENCE_ROLE)
        detail = "not scored" if math.isnan(confidence) else f"{confidence:.0%}"
        if status:
            detail += f" \u00b7 {status}"
        painter.drawText(line, Qt.AlignmentFlag.AlignHCenter, detail)
        painter.restore()


class TileGrid(QListView):
    """A grid of tiles over a SuspectsModel: fixed tile height, the columns sharing the width between them (no
    empty strip at the right), laid out again on resize."""

    def __init__(self, model, parent=None):
        super().__init__(parent)
        self.setFlow(QListView.Flow.LeftToRight)  # rows of tiles; Qt lays out a million at once (not so in
        self.setWrapping(True)  # IconMode, which places each item: seconds before the scroll bar spans them all)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setUniformItemSizes(True)
        self.setGridSize(TILE)
        self.setItemDelegate(TileDelegate(self))
        self.setModel(model)

    def columns(self) -> int:
        return max(1, (self.viewport().width() - 1) // TILE.width())  # Qt lays out a column only with a pixel spare

    def viewportEvent(self, event) -> bool:
        if event.type() == QEvent.Type.Resize:  # also when a scroll bar comes or goes
            width = (self.viewport().width() - 1) // self.columns()
            if width != self.gridSize().width():
                self.setGridSize(QSize(max(width, TILE.width()), TILE.height()))
        return super().viewportEvent(event)
