"""The Qt layer: thin widgets over :mod:`labelreview.core`, long work on worker threads."""
