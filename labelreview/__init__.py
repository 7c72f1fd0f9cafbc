"""labelreview: find and fix mislabeled images, offline, on a laptop."""

__version__ = "0.1.0"
