"""Paints one suspect tile: thumbnail, given -> predicted label, confidence, decision mark."""

import math

from PySide6.QtCore import QRect, QSize, Qt
from PySide6.QtGui import QColor, QFontMetrics, QPainter, QPen
from PySide6.QtWidgets import QListView, QStyle, QStyledItemDelegate

from labelreview.gui.widgets.suspects_model import (
    CONFIDENCE_ROLE,
    GIVEN_ROLE,
    IMAGE_ROLE,
    ORIGINAL_ROLE,
    PREDICTED_ROLE,
    STATUS_ROLE,
)

TILE = QSize(132, 164)
IMAGE_SIDE = 104
STATUS_COLOURS = {"kept": QColor("#2e7d32"), "relabeled": QColor("#1565c0"), "removed": QColor("#c62828")}


class TileDelegate(QStyledItemDelegate):
    def sizeHint(self, option, index) -> QSize:
        return TILE

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
            painter.drawImage(image_rect, image)
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
            parts = (index.data(ORIGINAL_ROLE), " \u21d2 ", given)  # was => now
        else:
            parts = (given, " \u2192 ", predicted) if predicted else (given, "", "")
        text_rect = QRect(rect.left() + 4, image_rect.bottom() + 4, rect.width() - 8, 20)
        painter.drawText(text_rect, Qt.AlignmentFlag.AlignHCenter, caption(painter.fontMetrics(), *parts,
                                                                           text_rect.width()))
        font.setBold(False)
        painter.setFont(font)
        confidence = index.data(CONFIDENCE_ROLE)
        detail = "not scored" if math.isnan(confidence) else f"{confidence:.0%}"
        if status:
            detail += f" \u00b7 {status}"
        painter.drawText(text_rect.translated(0, 18), Qt.AlignmentFlag.AlignHCenter, detail)
        painter.restore()


def caption(metrics: QFontMetrics, left: str, arrow: str, right: str, width: int) -> str:
    """``left arrow right`` in ``width`` pixels: when too long, each label is shortened alike, so both stay
    readable ("triang\u2026 \u2192 squares" rather than "triangles \u2192 squ\u2026"); the tooltip has them whole."""
    whole = f"{left}{arrow}{right}"
    if not right or metrics.horizontalAdvance(whole) <= width:
        return metrics.elidedText(whole, Qt.TextElideMode.ElideRight, width)
    half = (width - metrics.horizontalAdvance(arrow)) // 2
    fitted = [metrics.elidedText(label, Qt.TextElideMode.ElideRight, half) for label in (left, right)]
    if metrics.horizontalAdvance(fitted[1]) < half:  # a short right label leaves its room to the left one
        fitted[0] = metrics.elidedText(left, Qt.TextElideMode.ElideRight, width - metrics.horizontalAdvance(
            arrow + fitted[1]))
    return f"{fitted[0]}{arrow}{fitted[1]}"


def tile_grid(model, view: QListView | None = None) -> QListView:
    """A grid of tiles over ``model`` (a SuspectsModel) in ``view`` (a new QListView when None): fixed tile size,
    laid out again on resize."""
    view = QListView() if view is None else view
    view.setViewMode(QListView.ViewMode.IconMode)
    view.setResizeMode(QListView.ResizeMode.Adjust)
    view.setMovement(QListView.Movement.Static)
    view.setUniformItemSizes(True)
    view.setGridSize(TILE)
    view.setItemDelegate(TileDelegate(view))
    view.setModel(model)
    return view
