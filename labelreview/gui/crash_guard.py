"""Logs to the user's log folder, and a readable dialog instead of a vanishing window on an unexpected error."""

import logging
import sys
import traceback
from logging.handlers import RotatingFileHandler
from pathlib import Path

from PySide6.QtWidgets import QMessageBox

from labelreview.core.appdirs import log_dir
from labelreview.versions import library_versions

log = logging.getLogger("labelreview")


def start_logging() -> Path:
    """Log INFO and above to ``labelreview.log`` in the user's log folder (rotated at 1 MB); returns its path."""
    folder = log_dir()
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "labelreview.log"
    handler = RotatingFileHandler(path, maxBytes=1_000_000, backupCount=3, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    logging.getLogger("faiss").setLevel(logging.WARNING)  # its INFO lines name the CPU builds it did not load
    log.info("labelreview started: %s", ", ".join(f"{name} {version}" for name, version in library_versions().items()))
    return path


def install_error_dialog(log_path: Path) -> None:
    """Log any uncaught exception and show it with the log's path; the window stays open."""

    def show(kind, error, trace) -> None:
        log.error("unexpected error\n%s", "".join(traceback.format_exception(kind, error, trace)))
        QMessageBox.critical(None, "labelreview: unexpected error",
                             f"{kind.__name__}: {error}\n\nYour decisions so far are saved in the labels CSV. "
                             f"Details are in the log:\n{log_path}")

    sys.excepthook = show
