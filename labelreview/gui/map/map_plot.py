"""The embedding map's plot (pyqtgraph): one scatter item per colour group (one image of all points, for a
large map: :mod:`point_raster`), suspects and decisions drawn over them, the image under the pointer, and
rectangle or lasso selection."""

import numpy as np
import pyqtgraph as pg
from matplotlib.path import Path as Polygon
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainterPath, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsPathItem

from labelreview.gui.map.point_raster import rasterize, within

TOOLS = ("pan", "rectangle", "lasso")
POINT_SIZE = 5
PICK_PIXELS = 8  # the pointer picks the nearest image within this distance
SUSPECT = QColor("#d62728")
DECIDED = QColor("#2ca02c")
REMOVED = QColor("#555555")
CURRENT = QColor("#ff9f1c")
RASTER_POINTS = 100_000  # a map of more points is drawn as one image
RASTER_MARGIN = 1.0  # the image spans the view and this many view widths (heights) on each side: panning shows it
RASTER_SIDE = 4096  # pixels at most
SETTLE_MS = 80  # after the view last moved, the image is drawn again for the new view
MARKS_IN_VIEW = 3_000


class SelectingViewBox(pg.ViewBox):
    """Pans and zooms; with the rectangle or lasso tool a left drag draws a shape instead."""

    drawn = Signal(object)  # the shape's corners (M, 2) in data coordinates

    def __init__(self):
        super().__init__()
        self.tool = "pan"
        self.corners: list[QPointF] = []
        self.outline = QGraphicsPathItem()
        pen = QPen(QColor("#1f77b4"), 0, Qt.PenStyle.DashLine)
        pen.setCosmetic(True)
        self.outline.setPen(pen)
        self.addItem(self.outline, ignoreBounds=True)

    def mouseDragEvent(self, event, axis=None):
        if self.tool == "pan" or event.button() != Qt.MouseButton.LeftButton:
            super().mouseDragEvent(event, axis)
            return
        event.accept()
        here = self.mapSceneToView(event.scenePos())
        if event.isStart():
            self.corners = [self.mapSceneToView(event.buttonDownScenePos())]
        if self.tool == "rectangle":
            start = self.corners[0]
            self.corners = [start, QPointF(here.x(), start.y()), here, QPointF(start.x(), here.y())]
        else:
            self.corners.append(here)
        path = QPainterPath()
        path.addPolygon(QPolygonF(self.corners))
        path.closeSubpath()
        self.outline.setPath(path)
        if event.isFinish():
            self.outline.setPath(QPainterPath())
            self.drawn.emit(np.array([(p.x(), p.y()) for p in self.corners]))


class MapPlot(pg.PlotWidget):
    """``set_map`` draws the points; ``hovered(position or None, global QPoint)``, ``clicked(position)`` and
    ``chosen(positions)`` (inside a drawn shape, visible groups only) report the curator's pointer."""

    hovered = Signal(object, object)
    clicked = Signal(int)
    chosen = Signal(object)

    def __init__(self, parent=None):
        self.box = SelectingViewBox()
        super().__init__(parent, viewBox=self.box, background="w")
        for axis in ("left", "bottom"):
            self.getPlotItem().hideAxis(axis)
        self.setMouseTracking(True)
        self.layout = np.empty((0, 2))
        self.group_of = np.empty(0, np.int64)
        self.visible = np.empty(0, bool)
        self.items: list[pg.ScatterPlotItem] = []
        self.raster: pg.ImageItem | None = None  # all points at once, for a map of over RASTER_POINTS
        self.colours = np.empty((0, 4), np.uint8)  # of each point, for the raster
        self.marked: dict[str, np.ndarray] = {}  # kind of mark -> which points (N,) have it
        self.settled = QTimer(self, singleShot=True, interval=SETTLE_MS, timeout=self._draw_raster)
        self.box.sigRangeChanged.connect(lambda *_: self.raster is not None and self.settled.start())
        self.marks = {name: self._overlay(**style) for name, style in (
            ("suspect", dict(symbol="o", size=9, pen=SUSPECT)),
            ("decided", dict(symbol="o", size=9, pen=DECIDED)),
            ("removed", dict(symbol="x", size=8, pen=REMOVED, brush=REMOVED)),
            ("current", dict(symbol="o", size=16, pen=pg.mkPen(CURRENT, width=3)))
        )}
        self.box.drawn.connect(self._drawn)
        self.scene().sigMouseClicked.connect(self._clicked)  # after the scatter items had their say
        self.scene().sigMouseMoved.connect(self._moved)

    def _overlay(self, *, symbol, size, pen, brush=None) -> pg.ScatterPlotItem:
        item = pg.ScatterPlotItem(symbol=symbol, size=size, pen=pen, brush=brush or pg.mkBrush(None))
        item.setZValue(2)
        self.addItem(item)
        return item

    def set_tool(self, tool: str) -> None:
        """One of TOOLS: pan (drag moves the map), rectangle or lasso (drag chooses images)."""
        self.box.tool = tool

    def set_map(self, layout: np.ndarray, group_of: np.ndarray, colours: list[QColor]) -> None:
        """Draw points at ``layout`` (N, 2), coloured by group (``group_of`` (N,) indexes ``colours``)."""
        fresh = layout.shape != self.layout.shape or not np.array_equal(layout, self.layout)
        self.layout, self.group_of = np.asarray(layout, np.float64), group_of
        for item in [*self.items, *([self.raster] if self.raster is not None else [])]:
            self.removeItem(item)
        self.items, self.raster = [], None
        self.visible = np.ones(len(layout), bool)
        self.marked = {name: flags for name, flags in self.marked.items() if len(flags) == len(layout)}
        if len(layout) > RASTER_POINTS:
            palette = np.array([colour.getRgb() for colour in colours], np.uint8).reshape(-1, 4)
            self.colours = palette[group_of]
            self.raster = pg.ImageItem()
            self.addItem(self.raster, ignoreBounds=True)  # it spans more than the points: the view fits these
        for group, colour in enumerate(colours if self.raster is None else []):
            members = self.layout[group_of == group]
            item = pg.ScatterPlotItem(members[:, 0], members[:, 1], size=POINT_SIZE, pen=None,
                                      brush=pg.mkBrush(colour), antialias=False)
            self.addItem(item)
            self.items.append(item)
        if fresh and len(layout):
            (left, bottom), (right, top) = self.layout.min(axis=0), self.layout.max(axis=0)
            self.box.setRange(xRange=(left, right), yRange=(bottom, top), padding=0.02)
        self._draw_raster()

    def _draw_raster(self) -> None:
        """Draw the raster's points for the view and a margin around it, at the screen's resolution."""
        if self.raster is None:
            return
        (x0, x1), (y0, y1) = self.box.viewRange()
        dx, dy = (x1 - x0) * RASTER_MARGIN, (y1 - y0) * RASTER_MARGIN
        region = (x0 - dx, y0 - dy, x1 + dx, y1 + dy)
        scale = 1 + 2 * RASTER_MARGIN
        width, height = self.box.width() * scale, self.box.height() * scale
        size = (int(min(max(width, 1), RASTER_SIDE)), int(min(max(height, 1), RASTER_SIDE)))
        self.raster.setImage(rasterize(self.layout, self.colours, self.visible, region, size), autoLevels=False)
        self.raster.setRect(QRectF(region[0], region[1], region[2] - region[0], region[3] - region[1]))
        self._draw_marks()

    def set_hidden(self, hidden: set[int]) -> None:
        """Hide the groups in ``hidden``: their images are neither drawn, picked nor chosen."""
        for group, item in enumerate(self.items):
            item.setVisible(group not in hidden)
        self.visible = ~np.isin(self.group_of, list(hidden))
        self._draw_raster()

    def set_marks(self, suspect: np.ndarray, decided: np.ndarray, removed: np.ndarray) -> None:
        """Ring the unreviewed suspects and the decided images, cross the removed ones; each (N,) bool.

        On a map drawn as one image, only a view of at most MARKS_IN_VIEW marks of a kind shows them (zoom in):
        tens of thousands of rings would cover the map.
        """
        self.marked = {"suspect": suspect, "decided": decided, "removed": removed}
        self._draw_marks()

    def _draw_marks(self) -> None:
        (x0, x1), (y0, y1) = self.box.viewRange()
        in_view = within(self.layout, (x0, y0, x1, y1)) if self.raster is not None else True
        for name, flags in self.marked.items():
            points = self.layout[flags & self.visible & in_view]
            if self.raster is not None and len(points) > MARKS_IN_VIEW:
                points = points[:0]
            self.marks[name].setData(points[:, 0], points[:, 1])

    def set_current(self, position: int | None) -> None:
        """Ring image ``position`` (None: no ring)."""
        points = self.layout[[position]] if position is not None and position < len(self.layout) else np.empty((0, 2))
        self.marks["current"].setData(points[:, 0], points[:, 1])

    def nearest(self, point: QPointF) -> int | None:
        """The visible image nearest to ``point`` (data coordinates) within PICK_PIXELS on screen, or None."""
        candidates = np.flatnonzero(self.visible)
        if not len(candidates):
            return None
        width, height = self.box.viewPixelSize()
        offsets = (self.layout[candidates] - (point.x(), point.y())) / (width, height)
        squared = np.einsum("ij,ij->i", offsets, offsets)
        best = int(np.argmin(squared))
        return int(candidates[best]) if squared[best] <= PICK_PIXELS ** 2 else None

    def inside(self, corners: np.ndarray) -> np.ndarray:
        """Visible images inside the polygon ``corners`` (M, 2), shape (n,)."""
        box = (*corners.min(axis=0), *corners.max(axis=0))  # only the points in its bounding box can be inside
        candidates = np.flatnonzero(self.visible & within(self.layout, box))
        if len(corners) < 3 or not len(candidates):
            return np.empty(0, np.int64)
        return candidates[Polygon(corners).contains_points(self.layout[candidates])]

    def _drawn(self, corners: np.ndarray) -> None:
        self.chosen.emit(self.inside(corners))

    def _clicked(self, event) -> None:
        if event.button() != Qt.MouseButton.LeftButton or not self.box.sceneBoundingRect().contains(event.scenePos()):
            return
        position = self.nearest(self.box.mapSceneToView(event.scenePos()))
        if position is not None:
            self.clicked.emit(position)

    def _moved(self, scene_pos) -> None:
        if not self.box.sceneBoundingRect().contains(scene_pos):
            self.hovered.emit(None, None)
            return
        position = self.nearest(self.box.mapSceneToView(scene_pos))
        self.hovered.emit(position, self.mapToGlobal(self.mapFromScene(scene_pos)))
