"""The Map tab: every image placed by its embedding, coloured by label, prediction, label quality or issue; hover
to see an image, click to select it, draw a rectangle or lasso to review a cluster in the grid."""

import numpy as np
from matplotlib import colormaps
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QStackedWidget,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from labelreview.core.review.map_groups import COLOUR_BY, NOT_SCORED, MapGroups, map_groups
from labelreview.core.review.session import ReviewSession
from labelreview.gui.map.map_loader import MapLoader
from labelreview.gui.map.map_plot import DECIDED, MARKS_IN_VIEW, REMOVED, SUSPECT, TOOLS, MapPlot
from labelreview.gui.widgets.one_line_label import OneLineLabel
from labelreview.gui.widgets.side_column import with_side_column
from labelreview.gui.widgets.thumbnails import ThumbnailLoader

NEUTRAL = QColor("#c7c7c7")  # "not scored", "no issue"
HOVER_SIDE = 96
SIDE_WIDTH = 260  # the legend and the clicked image's column
MARK_NAMES = {"suspect": "suspects not reviewed", "decided": "kept or relabeled", "removed": "removed"}
NO_EMBEDDINGS = ("The map places images by their embeddings, and this dataset has none yet. Score with the "
                 "pretrained model, or find duplicates, outliers and image issues, to compute them.")
TOOL_TIPS = {"pan": "Drag to move the map, wheel to zoom", "rectangle": "Drag a rectangle around images to "
             "review them in the grid", "lasso": "Draw around images to review them in the grid"}


def group_colours(groups: MapGroups) -> list[QColor]:
    """A colour per group: a red-to-green scale for ordered groups, distinct hues otherwise; grey for the rest."""
    named = [name for name in groups.names if name not in (NOT_SCORED, "no issue")]
    if groups.ordinal:
        scale = colormaps["RdYlGn"]
        colours = [scale(i / max(1, len(named) - 1)) for i in range(len(named))]
    else:
        scale = colormaps["tab10" if len(named) <= 10 else "tab20"]
        colours = [scale(i % scale.N) for i in range(len(named))]
    colours = [QColor.fromRgbF(*rgba) for rgba in colours]
    return colours + [NEUTRAL] * (len(groups.names) - len(named))


def swatch(colour: QColor, ring: bool = False) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent if ring else colour)
    if ring:
        painter = QPainter(pixmap)
        painter.setPen(QPen(colour, 2))
        painter.drawEllipse(2, 2, 8, 8)
        painter.end()
    return QIcon(pixmap)


class ImageCard(QFrame):
    """A thumbnail with a few words under it: the image under the pointer, or the one clicked."""

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent, frameShape=QFrame.Shape.StyledPanel, autoFillBackground=True)
        self.thumbnails, self.position = thumbnails, None
        self.image = QLabel(alignment=Qt.AlignmentFlag.AlignCenter, minimumHeight=HOVER_SIDE)
        self.words = QLabel(wordWrap=True, maximumWidth=260)
        column = QVBoxLayout(self)
        column.setContentsMargins(4, 4, 4, 4)
        column.addWidget(self.image)
        column.addWidget(self.words)
        thumbnails.ready.connect(lambda position: position == self.position and self._show_image())

    def show_image(self, position: int | None, words: str) -> None:
        self.position = position
        self.words.setText(words)
        self._show_image()
        self.adjustSize()

    def _show_image(self) -> None:
        image = None if self.position is None else self.thumbnails.image(self.position)  # None until read: ready
        if image is None:
            self.image.clear()
        else:
            self.image.setPixmap(QPixmap.fromImage(image).scaled(
                HOVER_SIDE, HOVER_SIDE, Qt.AspectRatioMode.KeepAspectRatio, Qt.TransformationMode.SmoothTransformation))


class MapView(QWidget):
    """``clicked(position)``: select that image in the grid if it shows there; ``show_in_grid(position)``: show
    it there; ``more_like_this(position)``; ``chosen(positions)``: review these in the grid;
    ``embed_requested()``: compute the embeddings."""

    clicked = Signal(int)
    show_in_grid = Signal(int)
    more_like_this = Signal(int)
    chosen = Signal(object)
    embed_requested = Signal()

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.session: ReviewSession | None = None
        self.layout_points: np.ndarray | None = None
        self.final = False
        self.stale = False  # scores, decisions or issues changed while the tab was hidden
        self.groups: MapGroups | None = None
        self.marks: dict[str, np.ndarray] = {}  # suspect, decided, removed: (N,) bool each, as of the last refresh
        self.loader = MapLoader(self)
        self.loader.arranged.connect(self._arranged)
        self.loader.missing.connect(self._missing)
        self.loader.progress.connect(lambda fraction, message: self.status.setText(
            f"First view (PCA) \u00b7 {message} \u2026 {fraction:.0%}"))
        self.loader.failed.connect(lambda message: self.status.setText(f"The map could not be made: {message}"))
        self.colour_by = QComboBox()
        self.colour_by.addItems([f"Colour by {what}" for what in COLOUR_BY])
        self.colour_by.currentIndexChanged.connect(self.refresh)
        self.tools = QButtonGroup(self)
        toolbar = QHBoxLayout()
        toolbar.addWidget(self.colour_by)
        for tool in TOOLS:
            button = QToolButton(text=tool.capitalize(), checkable=True, checked=tool == "pan", toolTip=TOOL_TIPS[tool])
            self.tools.addButton(button)
            button.toggled.connect(lambda on, t=tool: on and self.plot.set_tool(t))
            toolbar.addWidget(button)
        self.status = OneLineLabel()  # a long failure (a traceback's text) never pushes the plot down
        toolbar.addWidget(self.status, stretch=1)
        self.plot = MapPlot()
        self.plot.hovered.connect(self._hovered)
        self.plot.clicked.connect(self._clicked)
        self.plot.chosen.connect(self._chosen)
        self.card = ImageCard(thumbnails, self.plot)  # follows the pointer
        self.card.hide()
        self.legend = QListWidget(maximumWidth=SIDE_WIDTH)
        self.legend.itemChanged.connect(self._legend_changed)
        self.selected = ImageCard(thumbnails)  # the image clicked
        self.selected.show_image(None, "Click an image on the map")
        self.similar = QPushButton("More like this (S)", enabled=False)
        self.similar.clicked.connect(lambda: self.more_like_this.emit(self.selected.position))
        self.to_grid = QPushButton("Show in the grid", enabled=False)
        self.to_grid.clicked.connect(lambda: self.show_in_grid.emit(self.selected.position))
        splitter = with_side_column(self.plot, self.legend, self.selected, self.similar, self.to_grid,
                                    stretch=self.legend, width=SIDE_WIDTH)
        embed = QPushButton("Find duplicates, outliers and image issues (computes the embeddings)")
        embed.clicked.connect(self.embed_requested)
        waiting = QWidget()
        waiting_column = QVBoxLayout(waiting)
        waiting_column.addStretch()
        waiting_column.addWidget(QLabel(NO_EMBEDDINGS, wordWrap=True, alignment=Qt.AlignmentFlag.AlignCenter))
        waiting_column.addWidget(embed, alignment=Qt.AlignmentFlag.AlignCenter)
        waiting_column.addStretch()
        self.pages = QStackedWidget()
        self.pages.addWidget(splitter)
        self.pages.addWidget(waiting)
        layout = QVBoxLayout(self)
        layout.addLayout(toolbar)
        layout.addWidget(self.pages, stretch=1)

    def set_session(self, session: ReviewSession) -> None:
        """Forget the last dataset's map; the new one is made when the tab is shown."""
        self.loader.stop()
        self.session, self.layout_points, self.final = session, None, False
        self._select(None)
        self.status.clear()
        if self.isVisible():
            self.arrange()

    def arrange(self) -> None:
        """Make the map of the session's embeddings (PCA at once, then t-SNE), unless it is under way or made."""
        if self.session is not None and not self.final and not self.loader.running():
            self.status.setText("Reading the embeddings \u2026")
            self.loader.start(self.session)

    def shutdown(self) -> None:
        """Stop a layout under way (a closing window)."""
        self.loader.stop()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.stale:
            self.refresh()
        self.arrange()

    def refresh(self) -> None:
        """Colour, legend and marks again (another colouring, new scores, decisions or issues); while the tab is
        hidden, once it is shown (redrawing 60,000 points takes a tenth of a second: not after every key)."""
        if self.session is None or self.layout_points is None:
            return
        self.stale = not self.isVisible()
        if self.stale:
            return
        hidden = self._hidden_names()
        self.groups = map_groups(self.session, COLOUR_BY[self.colour_by.currentIndex()])
        colours = group_colours(self.groups)
        self.plot.set_map(self.layout_points, self.groups.group_of, colours)
        self.legend.blockSignals(True)
        self.legend.clear()
        for name, count, colour in zip(self.groups.names, self.groups.counts(), colours):
            item = QListWidgetItem(swatch(colour), f"{name} ({count:,})")
            item.setData(Qt.ItemDataRole.UserRole, name)
            item.setCheckState(Qt.CheckState.Unchecked if name in hidden else Qt.CheckState.Checked)
            self.legend.addItem(item)
        statuses = self.session.statuses()
        self.marks = {"suspect": self.session.scores.is_label_issue & (statuses == ""),
                      "decided": np.isin(statuses, ["kept", "relabeled"]), "removed": statuses == "removed"}
        for (name, flags), colour, ring in zip(self.marks.items(), (SUSPECT, DECIDED, REMOVED), (True, True, False)):
            item = QListWidgetItem(swatch(colour, ring), f"{MARK_NAMES[name]} ({flags.sum():,})")
            item.setFlags(Qt.ItemFlag.ItemIsEnabled)
            if self.plot.raster is not None and flags.sum() > MARKS_IN_VIEW:
                item.setToolTip(f"Zoom in to see them: a view shows them when it holds at most {MARKS_IN_VIEW:,}")
            self.legend.addItem(item)
        self.legend.blockSignals(False)
        self._legend_changed()

    def _hidden_names(self) -> set[str]:
        return {item.data(Qt.ItemDataRole.UserRole) for item in map(self.legend.item, range(self.legend.count()))
                if item.data(Qt.ItemDataRole.UserRole) and item.checkState() == Qt.CheckState.Unchecked}

    def _legend_changed(self, *_) -> None:
        hidden = self._hidden_names()
        self.plot.set_hidden({g for g, name in enumerate(self.groups.names) if name in hidden})
        self.plot.set_marks(**self.marks)
        self.plot.set_current(self.selected.position)

    def _arranged(self, session: ReviewSession, layout: np.ndarray, final: bool) -> None:
        if session is not self.session:
            return
        self.layout_points, self.final = layout, final
        self.pages.setCurrentIndex(0)
        self.refresh()
        self.status.setText(f"{len(layout):,} images, placed by t-SNE on their embeddings" if final else
                            "First view (PCA) \u00b7 arranging the map \u2026")

    def _missing(self, session: ReviewSession) -> None:
        if session is self.session:
            self.pages.setCurrentIndex(1)
            self.status.clear()

    def _hovered(self, position: int | None, where: QPoint | None) -> None:
        if position is None:
            self.card.hide()
            return
        self.card.show_image(position, self.card_text(position))
        spot = self.plot.mapFromGlobal(where) + QPoint(16, 16)
        spot.setX(min(spot.x(), self.plot.width() - self.card.width()))
        spot.setY(min(spot.y(), self.plot.height() - self.card.height()))
        self.card.move(spot)
        self.card.show()
        self.card.raise_()

    def card_text(self, position: int) -> str:
        """The hover card's words: given (and predicted) label, label quality, file."""
        session = self.session
        names, scores, dataset = session.dataset.class_names, session.scores, session.dataset
        given = names[session.labels()[position]]
        said = f"<b>{given}</b>"
        if scores.scored[position]:
            said += f" \u2192 predicted {names[scores.predicted[position]]} (quality {scores.label_quality[position]:.2f})"
        name = dataset.path_or_row(position)
        return f"{said}<br>{name}"

    def _clicked(self, position: int) -> None:
        self._select(position)
        self.clicked.emit(position)

    def _select(self, position: int | None) -> None:
        self.selected.show_image(position, "Click an image on the map" if position is None else
                                 self.card_text(position))
        for button in (self.similar, self.to_grid):
            button.setEnabled(position is not None)
        self.plot.set_current(position)

    def _chosen(self, positions: np.ndarray) -> None:
        if len(positions):
            self.chosen.emit(positions)
