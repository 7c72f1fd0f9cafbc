"""Help -> About: the versions, the log's place, and the third-party notices of every package the app carries."""

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QLabel, QPlainTextEdit, QPushButton

from labelreview.core.appdirs import log_dir
from labelreview.gui.dialogs.result_dialog import ResultDialog
from labelreview.gui.workers.worker import start_task
from labelreview.notices import installed_notices
from labelreview.versions import library_versions


class AboutDialog(ResultDialog):
    """labelreview's versions and log file, and a button that shows the third-party notices."""

    def __init__(self, parent=None):
        super().__init__("About labelreview", (420, 360), parent)
        rows = "".join(f"<tr><td>{name}</td><td>{version}</td></tr>" for name, version in library_versions().items())
        text = QLabel(f"<h3>labelreview</h3><p>Find and fix mislabeled images, offline.</p><table cellspacing=4>"
                      f"{rows}</table><p>Log: {log_dir() / 'labelreview.log'}</p>")
        text.setWordWrap(True)
        self.notices_button = QPushButton("Third-party notices...")
        self.notices_button.clicked.connect(lambda: NoticesDialog(self).show())
        self.body.addWidget(text)
        self.body.addWidget(self.notices_button)


class NoticesDialog(ResultDialog):
    """The notices, read on a worker thread (from source, reading every package's metadata takes seconds)."""

    def __init__(self, parent=None):
        super().__init__("Third-party notices", (900, 700), parent)
        self.text = QPlainTextEdit("Reading the notices...")
        self.text.setReadOnly(True)
        self.text.setFont(QFont("monospace"))
        self.body.addWidget(self.text)
        self.task, self.thread = start_task(self, lambda callback, partial: installed_notices())
        self.task.finished.connect(self.text.setPlainText)
        self.task.failed.connect(lambda error: self.text.setPlainText(f"The notices could not be read: {error}"))
        self.thread.start()
