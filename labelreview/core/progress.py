"""Progress callbacks: ``callback(fraction, message)``, raising :class:`Cancelled` to stop."""

from collections.abc import Callable

Callback = Callable[[float, str], None]


def ignore_progress(fraction: float, message: str) -> None:
    """A callback that reports nothing and never cancels."""


def scaled(callback: Callback, start: float, stop: float, prefix: str = "") -> Callback:
    """Map a sub-task's 0..1 progress onto ``start..stop`` of ``callback``."""

    def report(fraction: float, message: str) -> None:
        callback(start + (stop - start) * min(max(fraction, 0.0), 1.0), prefix + message)

    return report
