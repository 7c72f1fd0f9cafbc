"""Import heavy modules in the background, so that their first use does not wait: the charts (matplotlib) once the
window shows, TensorFlow once a dataset is shown (Score then starts training at once)."""

import importlib
import threading

from labelreview.core.engine.tensorflow_runtime import import_keras

VIEW_MODULES = ("labelreview.gui.widgets.chart_canvas", "labelreview.core.report.html_report")  # Health, Rounds, report
started: dict[str, threading.Thread] = {}


def preload_views() -> None:
    """Start importing the charts' modules (half a second), once per process."""
    _preload("views", lambda: [importlib.import_module(name) for name in VIEW_MODULES])


def preload_engine() -> None:
    """Start importing Keras on TensorFlow (seconds of work), once per process."""
    _preload("tensorflow", import_keras)


def _preload(name: str, target) -> None:
    """Run ``target`` on its own thread the first time ``name`` is asked for; later calls do nothing.

    Not a daemon thread: quitting waits for the import rather than tearing it down half done.
    """
    if name not in started:
        started[name] = threading.Thread(target=target, name=f"preload-{name}")
        started[name].start()
