"""The core never imports Qt (napari's rule): checked on the source and on a real import."""

import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import labelreview.core

CORE = Path(labelreview.core.__file__).parent


def test_no_core_module_mentions_qt():
    for path in CORE.rglob("*.py"):
        assert not re.search(r"^\s*(from|import)\s+(PySide6|shiboken6|PyQt)", path.read_text(), re.M), path


def test_importing_every_core_module_loads_neither_qt_nor_tensorflow():
    modules = [m.name for m in pkgutil.walk_packages([str(CORE)], prefix="labelreview.core.")]
    code = (f"import sys\nfor m in {modules!r}: __import__(m)\n"
            "print(sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'tensorflow', 'keras')))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"
