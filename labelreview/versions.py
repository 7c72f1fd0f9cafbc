"""Versions of labelreview and the libraries it stands on, read without importing TensorFlow."""

import platform
from importlib import metadata

from labelreview import __version__


def installed_version(*names: str) -> str:
    """The version of the first of the distributions ``names`` that is installed, or "not found"."""
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
        "TensorFlow": installed_version("tensorflow-cpu", "tensorflow"),
        "Keras": installed_version("keras"),
        "cleanlab": installed_version("cleanlab"),
        "Qt": qVersion(),
        "PySide6": pyside,
        "Python": platform.python_version(),
    }
