"""The start page: open an image folder, a labels CSV, MNIST, or a recent dataset."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFileDialog, QLabel, QListWidget, QPushButton, QVBoxLayout, QWidget


class StartPage(QWidget):
    open_requested = Signal(str)  # a SOURCE

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("<h1>labelreview</h1><p>Find and fix mislabeled images. Open a dataset to start.</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        buttons = [
            ("Open image folder\u2026", self.choose_folder),
            ("Open labels CSV\u2026", self.choose_csv),
            ("Open MNIST train (60,000 images)", lambda: self.open_requested.emit("mnist")),
            ("Open MNIST test (10,000 images)", lambda: self.open_requested.emit("mnist:test")),
        ]
        self.recent = QListWidget()
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.text()))
        column = QVBoxLayout()
        column.addWidget(title)
        for text, slot in buttons:
            button = QPushButton(text)
            button.setMinimumHeight(36)
            button.clicked.connect(slot)
            column.addWidget(button)
        column.addWidget(QLabel("<b>Recent datasets</b> (double-click or Enter to open)"))
        column.addWidget(self.recent)
        holder = QWidget()
        holder.setLayout(column)
        holder.setMaximumWidth(520)
        layout = QVBoxLayout(self)
        layout.addStretch()
        layout.addWidget(holder, alignment=Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch()

    def set_recent(self, sources: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(sources)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open image folder (one sub-folder per class)")
        if folder:
            self.open_requested.emit(folder)

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open labels CSV", filter="Labels CSV (*.csv)")
        if path:
            self.open_requested.emit(path)
