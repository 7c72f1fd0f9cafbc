"""The app shell: log file, error dialog instead of vanishing, About with library versions."""

import logging
import re
import sys

from PySide6.QtWidgets import QLabel, QMessageBox

from labelreview.core.appdirs import log_dir
from labelreview.gui.crash_guard import install_error_dialog, start_logging
from labelreview.gui.dialogs.about_dialog import AboutDialog, NoticesDialog
from labelreview.gui.main_window import MainWindow


def test_unexpected_errors_are_logged_and_shown_with_the_log_path(qapp, monkeypatch):
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda parent, title, text: shown.append(text))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # restored after the test
    path = start_logging()
    install_error_dialog(path)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        sys.excepthook(*sys.exc_info())
    assert path.parent == log_dir() and "RuntimeError: boom" in path.read_text()
    assert "labelreview started: labelreview 0.1.0, TensorFlow 2." in path.read_text()  # issue 23, item 16
    assert logging.getLogger("faiss").getEffectiveLevel() == logging.WARNING
    assert shown and "RuntimeError: boom" in shown[0] and str(path) in shown[0]


def test_about_names_the_versions_and_shows_the_third_party_notices(qtbot):
    window = MainWindow()
    qtbot.addWidget(window)
    window.show_about()
    about = window.findChild(AboutDialog)
    text = about.findChild(QLabel).text()
    for name in ("labelreview", "TensorFlow", "cleanlab", "Qt", "PySide6"):
        assert f"<td>{name}</td>" in text
    assert "not found" not in text
    about.notices_button.click()
    notices = about.findChild(NoticesDialog)
    qtbot.waitUntil(lambda: notices.text.toPlainText().startswith("Third-party"), timeout=30_000)
    shown = notices.text.toPlainText()
    for package in ("PySide6[-_]Essentials", "tensorflow[-_]cpu", "cleanlab", "numpy", "pillow"):
        assert re.search(rf"^{package} [0-9.]+$", shown, re.MULTILINE | re.IGNORECASE), package
    assert "replace them with your own build" in shown and "GNU LESSER GENERAL PUBLIC LICENSE" in shown


def test_actions_that_need_a_dataset_wait_for_one(qtbot, window, digit_folder):
    """Issue 23, item 15: with no dataset open, Score, Export, Calibrate, Ctrl+I and the review keys are off."""
    from tests.test_gui_window import open_in

    names = {action.text().replace("&", "") for action in window.dataset_actions}
    assert {"Score", "Export cleaned labels\u2026", "Calibrate with injected errors\u2026",
            "Find duplicates, outliers and image issues"} <= names and "Accept suggested label" in names
    assert not any(action.isEnabled() for action in window.dataset_actions)
    open_in(qtbot, window, str(digit_folder))
    assert all(action.isEnabled() for action in window.dataset_actions)


def test_a_second_window_on_the_same_dataset_warns(qtbot, digit_folder):
    """Issue 23, item 14: the same labels open in two windows is said, and no more once one closes."""
    from tests.test_gui_window import open_in

    def warnings(window):
        return [box.text() for box in window.findChildren(QMessageBox) if box.isVisible()]

    first, second, third = MainWindow(), MainWindow(), MainWindow()
    for window in (first, second, third):
        qtbot.addWidget(window)
    open_in(qtbot, first, str(digit_folder))
    open_in(qtbot, second, str(digit_folder))
    assert not warnings(first) and len(warnings(second)) == 1 and "open in another labelreview window" in warnings(
        second)[0]
    first.close()
    open_in(qtbot, third, str(digit_folder))
    assert not warnings(third)  # the first window let go of it; the second, warned, never held it
