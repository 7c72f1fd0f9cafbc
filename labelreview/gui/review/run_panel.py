"""Run settings (model, folds, epochs, seed), Score / Cancel, and progress with time left."""

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QProgressBar, QPushButton, QSpinBox, QVBoxLayout, QWidget

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.models import ModelSpec, choose_model, trains_cnn
from labelreview.core.run_clock import duration, split_left
from labelreview.core.settings import RunSettings
from labelreview.gui.widgets.one_line_label import OneLineLabel

MODELS = {"auto": "Auto (picks for your images)", "lite0": "Pretrained EfficientNet-Lite0 (photos, colour)",
          "cnn+lite0": "CNN and EfficientNet-Lite0, averaged (small grayscale)",
          "cnn": "CNN learned from scratch",
          "cnn-thorough": "CNN, thorough (a second opinion, 3-5x slower)",
          "logreg": "Logistic regression on pixels (seconds)"}


class RunPanel(QWidget):
    start_requested = Signal(object, int)  # ModelSpec, folds
    cancel_requested = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.model = QComboBox()
        for name, text in MODELS.items():
            self.model.addItem(text, name)
        self.folds = QSpinBox(minimum=2, maximum=20, prefix="folds ")
        self.epochs = QSpinBox(minimum=1, maximum=100, prefix="epochs ")
        self.seed = QSpinBox(minimum=0, maximum=1_000_000, prefix="seed ")
        self.score = QPushButton("Score")
        self.cancel = QPushButton("Cancel", enabled=False)
        self.progress = QProgressBar(maximum=1000, textVisible=True)
        self.status = OneLineLabel()  # a long "Done in ..." is cut, whole in the tooltip: the panel never jumps
        self.why = QLabel()  # which model auto picks for the open dataset, and why
        self.why.setWordWrap(True)
        self.dataset: Dataset | None = None
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        for widget in (self.model, self.folds, self.epochs, self.seed, self.score, self.cancel):
            row.addWidget(widget)
        row.addWidget(self.progress, stretch=1)
        row.addWidget(self.status, stretch=2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(row)
        layout.addWidget(self.why)
        self.score.clicked.connect(lambda: self.start_requested.emit(self.spec(), self.folds.value()))
        self.cancel.clicked.connect(self.cancel_requested)
        self.model.currentIndexChanged.connect(self._model_chosen)
        self.started_at = self.left_said_at = 0.0
        self.fraction, self.message, self.left = 0.0, "", None
        self.clock = QTimer(self, interval=500, timeout=self._redraw)

    def _model_chosen(self) -> None:
        """Epochs apply to the models that train a CNN; each starts from the epochs it was tuned with."""
        spec = ModelSpec(name=self.model.currentData())
        self.epochs.setEnabled(trains_cnn(spec.name))
        if spec.epochs:
            self.epochs.setValue(spec.epochs)
        self._explain()

    def set_dataset(self, dataset: Dataset) -> None:
        """The open dataset, for which ``auto`` is explained."""
        self.dataset = dataset
        self._explain()

    def _explain(self) -> None:
        if self.dataset is None:
            return
        name, reason = choose_model(self.dataset)
        if self.model.currentData() == "auto":
            self.why.setText(f"Auto scores with <b>{MODELS[name]}</b>: {reason}.")
        else:
            self.why.setText(f"Auto would pick {MODELS[name]} for these images ({reason}).")

    def load(self, settings: RunSettings) -> None:
        """Show the open dataset's own run settings."""
        self.model.setCurrentIndex(max(0, self.model.findData(settings.model)))
        self.folds.setValue(settings.folds)
        self.epochs.setValue(settings.epochs)
        self.seed.setValue(settings.seed)

    def run_settings(self) -> RunSettings:
        return RunSettings(model=self.model.currentData(), folds=self.folds.value(), epochs=self.epochs.value(),
                           seed=self.seed.value())

    def spec(self) -> ModelSpec:
        """The chosen model; epochs only for one that trains a CNN (the others have none: the box is disabled)."""
        name = self.model.currentData()
        return ModelSpec(name=name, epochs=self.epochs.value() if trains_cnn(name) else None, seed=self.seed.value())

    def reset(self, message: str) -> None:
        """No run under way: progress cleared, ``message`` said (a new dataset, a cancelled run)."""
        self.set_running(False, message)
        self.show_progress(0.0, "")

    def set_running(self, running: bool, message: str = "") -> None:
        for widget in (self.model, self.folds, self.epochs, self.seed, self.score):
            widget.setEnabled(not running and (widget is not self.epochs or trains_cnn(self.model.currentData())))
        self.cancel.setEnabled(running)
        if running:
            self.started_at, self.fraction, self.message, self.left = time.monotonic(), 0.0, "starting", None
            self.clock.start()
        else:
            self.clock.stop()
            self.status.setText(message)
        self._redraw()

    def show_progress(self, fraction: float, message: str) -> None:
        self.fraction, (self.message, self.left) = fraction, split_left(message)
        self.left_said_at = time.monotonic()
        self._redraw()

    def _redraw(self) -> None:
        self.progress.setValue(round(self.fraction * 1000))
        self.progress.setTextVisible(self.clock.isActive() or self.fraction > 0)  # no "0%" when idle
        if not self.clock.isActive():
            return
        now = time.monotonic()
        elapsed = now - self.started_at
        if self.left is not None:  # a scoring run says its time left (core.run_clock): counted down meanwhile
            left = max(0.0, self.left - (now - self.left_said_at))
        else:  # another task: as far again as its share done took
            left = elapsed * (1 - self.fraction) / self.fraction if self.fraction > 0.02 else None
        left = "" if left is None else f", about {duration(left)} left"
        # the times first: a long message is what the one line cuts
        self.status.setText(f"{duration(elapsed)} elapsed{left} \u2014 {self.message}")

