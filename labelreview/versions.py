"""Versions of labelreview and the libraries it stands on, read without importing TensorFlow."""

import platform
from importlib import metadata

from labelreview import __version__


def _installed(*names: str) -> str:
    for name in names:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return "not found"


def library_versions() -> dict[str, str]:
    """Name -> version, for the About dialog and bug reports."""
    from PySide6 import __version__ as pyside
    from PySide6.QtCore import qVersion

    return {
        "labelreview": __version__,
        "TensorFlow": _installed("tensorflow-cpu", "tensorflow"),
        "Keras": _installed("keras"),
        "cleanlab": _installed("cleanlab"),
        "Qt": qVersion(),
        "PySide6": pyside,
        "Python": platform.python_version(),
    }
