"""The frame every result dialog shares: sized to fit the screen it opens on, and a Close button."""

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QVBoxLayout

from labelreview.gui.widgets.screen_fit import fit_to_screen


class ResultDialog(QDialog):
    """``body`` (filled by the subclass) above a Close button; ``size`` is shrunk to fit the screen."""

    def __init__(self, title: str, size: tuple[int, int], parent=None):
        super().__init__(parent)
        self.setWindowTitle(title)
        self.body = QVBoxLayout()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        self.close_button = buttons.button(QDialogButtonBox.StandardButton.Close)
        outer = QVBoxLayout(self)
        outer.addLayout(self.body, stretch=1)
        outer.addWidget(buttons)
        fit_to_screen(self, *size)
