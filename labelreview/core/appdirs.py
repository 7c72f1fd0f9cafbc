"""Where labelreview keeps its cache, settings and logs (overridable for tests)."""

import os
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
