"""Stands in for TensorFlow's 29 MB profiler plugin in the packaged app: TensorFlow's API imports it, only its
remote profiler client (tracing and monitoring a TensorFlow server for TensorBoard) calls it, and the app never
does."""


def trace(*args, **kwargs):
    raise RuntimeError("TensorFlow's remote profiler is not part of labelreview's packaged app")


monitor = trace
