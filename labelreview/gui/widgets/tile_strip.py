"""A grid of a few tiles, as tall as its rows at its width: it never scrolls, the page around it does."""

import math

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QListView

from labelreview.gui.widgets.tile_delegate import TILE, tile_grid


class TileStrip(QListView):
    def __init__(self, model, parent=None):
        super().__init__(parent)
        tile_grid(model, self)
        for policy in (self.setVerticalScrollBarPolicy, self.setHorizontalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        model.modelReset.connect(self.fit)
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """Height for all tiles at the current width (one empty row when there are none)."""
        per_row = max(1, self.viewport().width() // TILE.width())
        rows = max(1, math.ceil(self.model().rowCount() / per_row))
        self.setFixedHeight(rows * TILE.height() + 2 * self.frameWidth())
