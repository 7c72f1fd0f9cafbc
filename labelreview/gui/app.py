"""Start the window: it appears at once; TensorFlow loads only when a run starts."""

import sys
from pathlib import Path

from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from labelreview import __version__
from labelreview.core.appdirs import resources_dir


def run_gui(source: str | None = None, *, labels: str | None = None, score: bool = False,
            scores: Path | None = None) -> int:
    """Show the main window, open ``source`` (with the labels CSV ``labels``) if given, start scoring it if
    ``score``; or open the results folder ``scores``."""
    from labelreview.gui.crash_guard import install_error_dialog, start_logging
    from labelreview.gui.main_window import MainWindow

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName("labelreview")
    app.setApplicationVersion(__version__)
    icon = resources_dir() / "labelreview.png"
    if icon.exists():
        app.setWindowIcon(QIcon(str(icon)))
    install_error_dialog(start_logging())
    window = MainWindow()
    window.show()
    if source:
        if score:
            window.session_opened.connect(lambda: window.session.scores.scored.any() or window.start_scoring(
                window.review.run_panel.spec(), window.review.run_panel.folds.value()))
        window.open_source(source, labels)
    elif scores:
        from labelreview.gui.dialogs.open_results import open_results_folder

        open_results_folder(window, scores)
    return app.exec()
