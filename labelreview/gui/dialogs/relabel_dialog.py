"""L: relabel to any class by typing it; the suggested class is offered first, a unique beginning is enough."""

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCompleter, QDialog, QDialogButtonBox, QLabel, QLineEdit, QVBoxLayout


def class_from_text(text: str, names: list[str]) -> int | None:
    """The class ``text`` names: the one equal to it (classes "A" and "a" stay apart), else the one equal to it
    with case and spaces ignored, else the only one it begins."""
    if text.strip() in names:
        return names.index(text.strip())
    wanted = text.strip().casefold()
    folded = [name.strip().casefold() for name in names]
    if folded.count(wanted) == 1:
        return folded.index(wanted)
    starting = [k for k, name in enumerate(folded) if wanted and name.startswith(wanted)]
    return starting[0] if len(starting) == 1 else None


class RelabelDialog(QDialog):
    """A line to type the new class in, with the classes that contain what is typed; Enter relabels at once.

    ``label`` is the class chosen once the dialog is accepted.
    """

    def __init__(self, names: list[str], default: str, parent=None):
        super().__init__(parent)
        self.setWindowTitle("Relabel")
        self.setMinimumWidth(360)
        self.names, self.label = names, None
        self.line = QLineEdit(default)
        self.line.selectAll()  # typing replaces the offered class
        completer = QCompleter(names, self)
        completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        completer.setFilterMode(Qt.MatchFlag.MatchContains)
        completer.activated.connect(self._choose)  # Enter on a completion relabels: no second Enter
        self.line.setCompleter(completer)
        self.line.returnPressed.connect(lambda: self._choose(self.line.text()))
        self.hint = QLabel()
        self.hint.setStyleSheet("QLabel { color: #a03000; }")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(lambda: self._choose(self.line.text()))
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("New label (type to search):"))
        layout.addWidget(self.line)
        layout.addWidget(self.hint)
        layout.addWidget(buttons)

    def _choose(self, text: str) -> None:
        label = class_from_text(text, self.names)
        if label is None:
            self.hint.setText(f"No one class is called or begins with \u201c{text.strip()}\u201d")
            return
        self.label = label
        self.accept()
