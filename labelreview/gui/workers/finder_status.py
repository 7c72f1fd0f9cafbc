"""The status bar's note of the model-free finders at work after a dataset opens: what they do, how far, Stop."""

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from labelreview.gui.workers.issue_finder import IssueFinder


class FinderStatus(QWidget):
    """Shown while ``finder`` runs; Stop cancels it (the issues can be found later with Ctrl+I)."""

    def __init__(self, finder: IssueFinder, parent=None):
        super().__init__(parent)
        self.label = QLabel()
        self.bar = QProgressBar(maximumWidth=120, maximumHeight=14, textVisible=False)
        self.stop = QToolButton(text="Stop", toolTip="Stop looking for duplicates and image issues")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.label, self.bar, self.stop):
            layout.addWidget(widget)
        self.stop.clicked.connect(finder.cancel)
        finder.progress.connect(self.show_progress)
        finder.ended.connect(self.hide)
        self.hide()

    def show_progress(self, fraction: float, message: str) -> None:
        self.label.setText(f"Duplicates and image issues: {message}")
        self.bar.setValue(round(100 * fraction))
        self.show()
