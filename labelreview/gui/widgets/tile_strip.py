"""A grid of a few tiles, as tall as its rows at its width: it never scrolls, the page around it does."""

import math

from PySide6.QtCore import Qt

from labelreview.gui.widgets.tile_delegate import TILE, TileGrid


class TileStrip(TileGrid):
    def __init__(self, model, parent=None):
        super().__init__(model, parent)
        for policy in (self.setVerticalScrollBarPolicy, self.setHorizontalScrollBarPolicy):
            policy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        model.modelReset.connect(self.fit)
        self.fit()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.fit()

    def fit(self) -> None:
        """Height for all tiles at the current width (one empty row when there are none)."""
        rows = max(1, math.ceil(self.model().rowCount() / self.columns()))
        self.setFixedHeight(rows * TILE.height() + 2 * self.frameWidth())
