"""Guard against a Qt binding that corrupts reference counts when signals are emitted.

PySide6 6.12.0 drops a reference to ``True`` on every ``Signal.emit()``; after a
few hundred emits (one per thumbnail, progress report or fold) Python frees
``True`` and the app dies with "bool_dealloc". pyproject excludes that release.
"""

import sys

from PySide6.QtCore import QObject, Signal


class Emitter(QObject):
    changed = Signal(int)


def test_emitting_signals_keeps_reference_counts_intact(qapp):
    emitter, received = Emitter(), []
    emitter.changed.connect(received.append)
    before = sys.getrefcount(True)
    for i in range(200):
        emitter.changed.emit(i)
    assert len(received) == 200
    assert sys.getrefcount(True) >= before - 10  # the broken release loses one per emit: 200
