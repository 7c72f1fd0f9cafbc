"""Why the current image is flagged, in words and numbers, and its duplicate set side by side with set actions."""

import html

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from labelreview.core.review.session import ReviewSession
from labelreview.gui.widgets.thumbnails import ThumbnailLoader

MEMBER_SIDE = 84
MEMBERS_SHOWN = 5


class IssueBox(QWidget):
    """Reasons for the current image; for a duplicate set: its members and keep all / remove others / one label.

    ``decide(positions, action, label)`` is emitted for the review page to carry out (one undoable command).
    """

    decide = Signal(object, str, object)

    def __init__(self, thumbnails: ThumbnailLoader, parent=None):
        super().__init__(parent)
        self.thumbnails = thumbnails
        self.members: list[int] = []
        self.position: int | None = None
        self.reasons = QLabel(wordWrap=True, textInteractionFlags=Qt.TextInteractionFlag.TextSelectableByMouse)
        self.set_title = QLabel()
        self.tiles = QGridLayout()
        self.keep_all = QPushButton("Keep all", toolTip="Every image of the set keeps its label")
        self.remove_others = QPushButton("Remove the others", toolTip="Keep this image; remove the other copies")
        self.one_label = QPushButton(toolTip="Give every image of the set this image's label")
        buttons = QHBoxLayout()
        for button in (self.keep_all, self.remove_others, self.one_label):
            buttons.addWidget(button)
        self.set_widget = QWidget()
        set_layout = QVBoxLayout(self.set_widget)
        set_layout.setContentsMargins(0, 0, 0, 0)
        set_layout.addWidget(self.set_title)
        set_layout.addLayout(self.tiles)
        set_layout.addLayout(buttons)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.reasons)
        layout.addWidget(self.set_widget)
        self.keep_all.clicked.connect(lambda: self.decide.emit(self.members, "keep", None))
        self.remove_others.clicked.connect(lambda: self.decide.emit(self.members[1:], "remove", None))
        self.one_label.clicked.connect(self._one_label)
        thumbnails.ready.connect(self._thumbnail_ready)
        self.show_example(None, None)

    def show_example(self, session: ReviewSession | None, position: int | None, more: list[str] = ()) -> None:
        """Say why ``position`` is flagged (and the lines ``more``); show its duplicate set when it has one."""
        self.session, self.position = session, position
        self.members = []
        if session is None or position is None:
            self.reasons.clear()
            self.set_widget.hide()
            return
        issues = session.issues
        reasons = issues.reasons(position, session.labels(), session.dataset.class_names) if issues else []
        lines = _label_reason(session, position) + reasons + list(more)
        self.reasons.setText("<b>Why flagged</b><br>" + "<br>".join(lines) if lines else "")
        self.members = [int(i) for i in issues.set_of(position)] if issues else []
        self.set_widget.setVisible(bool(self.members))
        if self.members:
            self.set_title.setText(f"<b>Duplicate set of {len(self.members)}</b> (this image first)")
            self.one_label.setText(f"Label all \u201c{session.store.decision(position).label}\u201d")
            self._show_members()

    def _show_members(self) -> None:
        while self.tiles.count():
            widget = self.tiles.takeAt(0).widget()
            widget.hide()  # at once: deleteLater waits for the event loop
            widget.deleteLater()
        labels = self.session.store.labels()
        dataset = self.session.dataset
        caption_font = self.fontMetrics()
        for column, member in enumerate(self.members[:MEMBERS_SHOWN]):
            picture = QLabel(alignment=Qt.AlignmentFlag.AlignCenter)
            picture.setFixedSize(MEMBER_SIDE, MEMBER_SIDE)
            picture.setProperty("position", member)
            self._set_picture(picture)
            where = dataset.path_or_row(member)
            picture.setToolTip(f"{where}: {labels[member]}")
            name = caption_font.elidedText(where, Qt.TextElideMode.ElideMiddle, MEMBER_SIDE)
            caption = QLabel(f"<b>{html.escape(labels[member])}</b><br>{html.escape(name)}", toolTip=where)
            caption.setFixedWidth(MEMBER_SIDE)
            self.tiles.addWidget(picture, 0, column)
            self.tiles.addWidget(caption, 1, column)
        if len(self.members) > MEMBERS_SHOWN:
            self.tiles.addWidget(QLabel(f"+{len(self.members) - MEMBERS_SHOWN} more"), 0, MEMBERS_SHOWN)
        self.tiles.setColumnStretch(MEMBERS_SHOWN + 1, 1)

    def _set_picture(self, picture: QLabel) -> None:
        image = self.thumbnails.image(picture.property("position"))
        if image is not None:
            picture.setPixmap(QPixmap.fromImage(image).scaled(MEMBER_SIDE, MEMBER_SIDE,
                                                              Qt.AspectRatioMode.KeepAspectRatio))

    def _thumbnail_ready(self, position: int) -> None:
        for row in range(self.tiles.count()):
            widget = self.tiles.itemAt(row).widget()
            if widget.property("position") == position:
                self._set_picture(widget)

    def _one_label(self) -> None:
        label = self.session.dataset.class_names.index(self.session.store.decision(self.position).label)
        self.decide.emit(self.members, "relabel", label)


def _label_reason(session: ReviewSession, position: int) -> list[str]:
    scores = session.scores
    if not scores.is_label_issue[position]:
        return []
    names = session.dataset.class_names
    return [f"label error: the model predicts {names[scores.predicted[position]]} "
            f"({scores.confidence[position]:.0%}); label quality {scores.label_quality[position]:.3f}"]
