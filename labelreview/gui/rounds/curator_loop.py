"""Review-menu workflows that train extra models on a worker: calibration, and retrain-and-compare.

Their result dialogs draw matplotlib charts, so they are imported when a result is shown (not at start-up).
"""

import logging

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QFileDialog, QInputDialog

from labelreview.core.data.array_sources import DIGITS
from labelreview.core.data.sources import open_source
from labelreview.core.review.calibration import calibrate
from labelreview.core.review.compare import compare_cleaning, hold_out

log = logging.getLogger(__name__)

HELD_OUT = "20% of this dataset, kept aside"
MNIST_TEST, MNIST_SHAPE = "MNIST test", (28, 28, 1)
FOLDER = "An image folder\u2026"


NOISE_CHOICES = {"Any other class, at random": "uniform", "Within class pairs (1st <-> 2nd, 3rd <-> 4th, ...)": "pairs"}


class CuratorLoop(QObject):
    """Runs through the window's single task slot; results open in a dialog (kept in ``dialog``).

    A QObject living on the GUI thread, so that its result slots run there (a plain object's would run on the
    worker).
    """

    def __init__(self, window):
        super().__init__(window)
        self.window = window
        self.panel = window.review.run_panel
        self.dialog = None

    def _idle(self) -> bool:
        return self.window.session is not None and self.window.task is None

    def ask_calibration(self) -> None:
        if not self._idle():
            return
        kind, ok = QInputDialog.getItem(self.window, "Calibrate", "Kind of errors to inject into a copy:",
                                        list(NOISE_CHOICES), 0, False)
        if ok:
            rate, ok = QInputDialog.getDouble(self.window, "Calibrate", "Share of labels to flip in the copy:",
                                              0.1, 0.01, 0.5, 2)
        if ok:
            self.start_calibration(rate, NOISE_CHOICES[kind])

    def start_calibration(self, rate: float, kind: str = "uniform") -> None:
        """Score a copy of the current labels with ``rate`` of them flipped (``kind`` as in :func:`inject_noise`),
        with the run panel's settings."""
        spec, folds, training = self.panel.spec(), self.panel.folds.value(), self.window.session.training_dataset()
        self.panel.set_running(True)
        self.window.start_task(
            "Calibration", lambda callback, _: (calibrate(training, spec, rate=rate, kind=kind, seed=spec.seed,
                                                          folds=folds, callback=callback), rate, kind),
            self._calibrated)

    def _calibrated(self, outcome) -> None:
        result, rate, kind = outcome
        self.panel.set_running(False, f"Calibration: precision {result.precision:.2f}, recall {result.recall:.2f}")
        log.info("calibrated %s with %.0f%% %s errors injected into a copy: precision %.3f, recall %.3f",
                 self.window.session.source, 100 * rate, kind, result.precision, result.recall)
        from labelreview.gui.dialogs.calibration_dialog import CalibrationDialog

        self.dialog = CalibrationDialog(result, rate, kind, self.window)
        self.dialog.show()

    def ask_comparison(self) -> None:
        if not self._idle():
            return
        dataset = self.window.session.dataset
        fits_mnist = dataset.class_names == DIGITS and dataset.image_shape == MNIST_SHAPE
        choices = [HELD_OUT, *([MNIST_TEST] if fits_mnist else []), FOLDER]  # only test sets of its classes
        choice, ok = QInputDialog.getItem(  # a label as wide as the title, which a window manager would cut short
            self.window, "Retrain and compare", "Train on the given labels and on the cleaned ones, then test both "
            "on:", choices, 0, False)
        if not ok:
            return
        if choice == FOLDER:
            folder = QFileDialog.getExistingDirectory(self.window, "Test images (one sub-folder per class)")
            if folder:
                self.start_comparison(folder)
        else:
            self.start_comparison("mnist:test" if choice == MNIST_TEST else None)

    def start_comparison(self, test_source: str | None) -> None:
        """Train on the original and on the cleaned labels; test on ``test_source`` or a held-out 20%."""
        spec, session = self.panel.spec(), self.window.session
        self.panel.set_running(True)

        def work(callback, _):
            original, cleaned = session.original_dataset(), session.training_dataset()
            if test_source is None:
                current = session.dataset.with_labels(session.labels())
                original, cleaned, test = hold_out(original, cleaned, current, seed=spec.seed)
                name = f"20% of {session.dataset.name} kept aside ({len(test):,} images, current labels)"
            else:
                test = open_source(test_source, callback=callback)
                name = f"{test.name} ({len(test):,} images)"
            return compare_cleaning(original, cleaned, test, spec, callback=callback), name

        self.window.start_task("Retrain and compare", work, self._compared)

    def _compared(self, outcome) -> None:
        result, test_name = outcome
        log.info("retrained and compared on %s: test accuracy %.4f before cleaning, %.4f after", test_name,
                 result.before.accuracy, result.after.accuracy)
        self.window.session.rounds.set_test_accuracy(result.after.accuracy)
        self.window.review.rounds.refresh()
        self.panel.set_running(False, f"Test accuracy {result.before.accuracy:.2%} \u2192 "
                                      f"{result.after.accuracy:.2%} after cleaning")
        from labelreview.gui.dialogs.compare_dialog import CompareDialog

        self.dialog = CompareDialog(result, test_name, self.window)
        self.dialog.show()
