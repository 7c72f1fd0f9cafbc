"""Where labelreview keeps its cache, settings and logs (overridable for tests), and where its resources are."""

import os
import sys
from pathlib import Path

import platformdirs

APP = "labelreview"


def cache_dir() -> Path:
    """Decoded-image cache; ``LABELREVIEW_CACHE_DIR`` overrides."""
    return Path(os.environ.get("LABELREVIEW_CACHE_DIR") or platformdirs.user_cache_dir(APP))


def config_dir() -> Path:
    """Settings and recent datasets; ``LABELREVIEW_CONFIG_DIR`` overrides."""
    return Path(os.environ.get("LABELREVIEW_CONFIG_DIR") or platformdirs.user_config_dir(APP))


def log_dir() -> Path:
    """Log files; ``LABELREVIEW_LOG_DIR`` overrides."""
    return Path(os.environ.get("LABELREVIEW_LOG_DIR") or platformdirs.user_log_dir(APP))


def data_dir() -> Path:
    """Labels of array datasets (MNIST) and saved scores; ``LABELREVIEW_DATA_DIR`` overrides."""
    return Path(os.environ.get("LABELREVIEW_DATA_DIR") or platformdirs.user_data_dir(APP))


def resources_dir() -> Path:
    """``resources/`` beside the package, or inside the PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    return Path(bundle) / "resources" if bundle else Path(__file__).resolve().parents[2] / "resources"
