"""File > Open scores...: review a results folder written by ``labelreview score --out`` elsewhere (a Ray
cluster, another machine), with the images where this machine sees them."""

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QMessageBox

from labelreview.core.errors import DataError
from labelreview.core.review.results_folder import open_results, scored_source, source_is_here


def choose_results(window) -> None:
    """Ask for a results folder, then open it."""
    folder = QFileDialog.getExistingDirectory(window, "Open scores (a folder written by 'labelreview score --out')")
    if folder:
        open_results_folder(window, Path(folder))


def open_results_folder(window, folder: Path) -> None:
    """Open the dataset ``folder`` was scored from on the window's task slot and show its scores; when the
    recorded images are not on this machine, ask where they are."""
    if window.task is not None:
        window.statusBar().showMessage("Busy: cancel the current run first")
        return
    try:
        source = scored_source(folder)
    except DataError as error:
        QMessageBox.warning(window, "Not a results folder", str(error))
        return
    images = None
    if not source_is_here(source):
        images = _ask_where(window, source)
        if not images:
            return
    window.statusBar().showMessage(f"Opening the scores in {folder}\u2026")
    window.start_task("Opening the scores", lambda callback, _: open_results(folder, images=images,
                                                                             callback=callback), window.show_session)


def _ask_where(window, source: str) -> str:
    """Where the scored SOURCE (a folder, or a labels CSV) is on this machine; empty if the curator cancels."""
    title = f"Where is {Path(source).name} on this computer? (scored at {source})"
    if source.lower().endswith(".csv"):
        return QFileDialog.getOpenFileName(window, title, filter="Labels CSV (*.csv)")[0]
    return QFileDialog.getExistingDirectory(window, title)
