"""The current image in detail: full-resolution view, path, labels, top class probabilities, quality, fold."""

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QFormLayout, QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout, QWidget

from labelreview.core.review.session import ReviewSession
from labelreview.gui.review.image_preview import ImagePreview
from labelreview.gui.review.preview_loader import PreviewLoader
from labelreview.gui.widgets.thumbnails import ThumbnailLoader

TOP_CLASSES = 5
BAR_HEIGHT = 18  # compact: the panel fits under a 768-pixel screen


class DetailPanel(QWidget):
    """``more_like_this(position)``: the curator asks for the images that look most like the one shown."""

    more_like_this = Signal(int)

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.session: ReviewSession | None = None
        self.position: int | None = None
        self.view = ImagePreview()
        self.loader = PreviewLoader(self)
        self.loader.loaded.connect(self._full_image_loaded)
        self.loader.failed.connect(self._full_image_failed)
        self.shown_key = None  # (dataset, position) whose image is shown or being read
        self.full_shown = False
        self.fields = {name: QLabel(textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
                       for name in ("Path", "Given", "Predicted", "Suggested", "Label quality", "Held out in",
                                    "Decision")}
        form = QFormLayout()
        for name, label in self.fields.items():
            label.setWordWrap(True)
            form.addRow(f"{name}:", label)
        self.bars = [QProgressBar(textVisible=True, maximum=1000, maximumHeight=BAR_HEIGHT)
                     for _ in range(TOP_CLASSES)]
        layout = QVBoxLayout(self)
        layout.setSpacing(4)
        layout.addWidget(self.view, stretch=1)
        layout.addLayout(form)
        self.similar = QPushButton("More like this (S)", enabled=False,
                                   toolTip="The images that look most like this one, nearest first, in the grid")
        self.similar.clicked.connect(lambda: self.more_like_this.emit(self.position))
        heading = QHBoxLayout()
        heading.addWidget(QLabel("<b>Top class probabilities</b>"))
        heading.addStretch()
        heading.addWidget(self.similar)
        layout.addLayout(heading)
        for bar in self.bars:
            layout.addWidget(bar)
        thumbnails.ready.connect(self._thumbnail_ready)

    def show_example(self, session: ReviewSession | None, position: int | None) -> None:
        self.session, self.position = session, position
        self.similar.setEnabled(position is not None)
        if session is None or position is None:
            self.shown_key = None
            self.view.show_message("No image selected")
            for label in self.fields.values():
                label.clear()
            for bar in self.bars:
                bar.setVisible(False)
            return
        names, scores, dataset = session.dataset.class_names, session.scores, session.dataset
        scored = scores.scored[position]
        decision = session.store.decision(position)
        values = {
            "Path": str(dataset.root / dataset.path(position)) if dataset.paths else f"row {dataset.index[position]}",
            "Given": f"{decision.label}"
                     + (f" (was {session.store.table['original_label'].iat[session.store.row_of[position]]})"
                        if decision.status == "relabeled" else ""),
            "Predicted": f"{names[scores.predicted[position]]} ({scores.confidence[position]:.1%})" if scored else "-",
            "Suggested": _suggestion(session, position),
            "Label quality": f"{scores.label_quality[position]:.3f}" if scored else "not scored yet",
            "Held out in": f"fold {scores.fold[position] + 1}" if scores.fold[position] >= 0 else "-",
            "Decision": decision.status or "unreviewed",
        }
        for name, value in values.items():
            self.fields[name].setText(value)
        top = np.argsort(-scores.pred_probs[position])[:TOP_CLASSES] if scored else []
        for bar, k in zip(self.bars, list(top) + [None] * TOP_CLASSES):
            bar.setVisible(k is not None)
            if k is not None:
                probability = float(scores.pred_probs[position, k])
                bar.setValue(round(probability * 1000))
                bar.setFormat(f"{names[k]}: {probability:.1%}")
        if self.shown_key != (dataset, position):  # a decision refreshes the fields, not the image
            self.shown_key, self.full_shown = (dataset, position), False
            self.view.show_message("Reading the image\u2026")
            self.loader.request(dataset, position)
            self._show_thumbnail()

    def shutdown(self) -> None:
        self.loader.shutdown()

    def _thumbnail_ready(self, position: int) -> None:
        if position == self.position:
            self._show_thumbnail()

    def _show_thumbnail(self) -> None:
        """The model-sized image at once, until the file is read whole."""
        image = self.thumbnails.image(self.position)
        if image is not None and not self.full_shown:
            self.view.show_image(image, full=False)

    def _current(self, key) -> bool:
        return self.session is not None and key == (self.session.dataset, self.position)

    def _full_image_loaded(self, key, image) -> None:
        if self._current(key):
            self.full_shown = True
            self.view.show_image(image)

    def _full_image_failed(self, key, reason: str) -> None:
        if self._current(key):
            self.full_shown = True
            self.view.show_message(f"Could not read the image: {reason}")


def _suggestion(session: ReviewSession, position: int) -> str:
    """What A would relabel the image to, or why it would not."""
    if not session.scores.scored[position]:
        return "-"
    suggested = session.suggestions([position])[0]
    return session.dataset.class_names[suggested] if suggested >= 0 else "none (the model agrees with the label)"
