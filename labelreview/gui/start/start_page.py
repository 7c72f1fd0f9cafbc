"""The start page: open an image folder (with its own or other labels), a labels CSV, MNIST, or a recent dataset;
while a run is under way, its progress with Cancel, and the way back to the open dataset."""

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class StartPage(QWidget):
    open_requested = Signal(str)  # a SOURCE
    open_with_labels = Signal(str, str)  # an image folder, the labels CSV to review it with
    back_requested = Signal()  # to the dataset open behind this page
    cancel_requested = Signal()  # the run under way

    def __init__(self, parent=None):
        super().__init__(parent)
        title = QLabel("<h1>labelreview</h1><p>Find and fix mislabeled images. Open a dataset to start.</p>")
        title.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.back = QPushButton(visible=False)
        self.back.setMinimumHeight(36)
        self.back.clicked.connect(self.back_requested)
        self.run_box = self._run_box()
        buttons = [
            ("Open image folder\u2026", self.choose_folder),
            ("Open image folder with a labels CSV\u2026", self.choose_folder_with_labels),
            ("Open labels CSV\u2026", self.choose_csv),
            ("Open MNIST train (60,000 images)", lambda: self.open_requested.emit("mnist")),
            ("Open MNIST test (10,000 images)", lambda: self.open_requested.emit("mnist:test")),
        ]
        self.recent = QListWidget()
        self.recent.setMaximumHeight(180)
        self.recent.itemActivated.connect(lambda item: self.open_requested.emit(item.text()))
        column = QVBoxLayout()
        column.addWidget(title)
        column.addWidget(self.back)
        column.addWidget(self.run_box)
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

    def _run_box(self) -> QWidget:
        box = QWidget(visible=False)
        self.run_name, self.run_message = QLabel(), QLabel()
        self.run_message.setWordWrap(True)
        self.run_progress = QProgressBar(maximum=1000, textVisible=True)
        self.run_cancel = QPushButton("Cancel")
        self.run_cancel.clicked.connect(self.cancel_requested)
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.run_progress, stretch=1)
        row.addWidget(self.run_cancel)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.run_name)
        layout.addLayout(row)
        layout.addWidget(self.run_message)
        return box

    def set_open(self, name: str | None) -> None:
        """The dataset open behind this page (``None``: none), which the back button returns to."""
        self.back.setText(f"Back to {name}")
        self.back.setVisible(name is not None)

    def show_run(self, name: str | None) -> None:
        """A run (``name``, e.g. "Scoring clipart") is under way, or none (``None``)."""
        self.run_box.setVisible(name is not None)
        self.run_name.setText(f"<b>{name}</b>" if name else "")
        self.run_cancel.setEnabled(True)
        self.show_progress(0.0, "starting")

    def show_progress(self, fraction: float, message: str) -> None:
        self.run_progress.setValue(round(fraction * 1000))
        self.run_message.setText(message)

    def cancelling(self) -> None:
        self.run_cancel.setEnabled(False)
        self.run_message.setText("Cancelling\u2026")

    def set_recent(self, sources: list[str]) -> None:
        self.recent.clear()
        self.recent.addItems(sources)

    def choose_folder(self) -> None:
        folder = QFileDialog.getExistingDirectory(self, "Open image folder (one sub-folder per class)")
        if folder:
            self.open_requested.emit(folder)

    def choose_folder_with_labels(self) -> None:
        """An image folder, then the labels CSV to review it with (e.g. one ``labelreview noise`` wrote)."""
        folder = QFileDialog.getExistingDirectory(self, "Open image folder (one sub-folder per class)")
        if not folder:
            return
        path, _ = QFileDialog.getOpenFileName(self, "Labels CSV for these images", folder, "Labels CSV (*.csv)")
        if path:
            self.open_with_labels.emit(folder, path)

    def choose_csv(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Open labels CSV", filter="Labels CSV (*.csv)")
        if path:
            self.open_requested.emit(path)
