"""TensorFlow, loaded late and quietly: Keras on first use, native log lines kept off the curator's terminal, and
the compute precision the CPU can afford."""

import contextlib
import functools
import logging
import os
import sys
import threading
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Send what native code writes to stderr (TensorFlow's absl and oneDNN lines, TFLite's delegate notice) to
    the void for the duration; Python's own messages are raised or logged, not lost."""
    sys.stderr.flush()
    saved = os.dup(2)
    try:
        with open(os.devnull, "wb") as void:
            os.dup2(void.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)


_IMPORTING = threading.Lock()


def import_keras():
    """Import Keras on TensorFlow quietly, on first use only (it takes seconds).

    Callers on other threads wait for an import under way (the window preloads it) rather than get the
    half-initialised module that ``sys.modules`` already holds.
    """
    os.environ.setdefault("KERAS_BACKEND", "tensorflow")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with _IMPORTING:
        if "keras" not in sys.modules:
            with native_stderr_silenced():
                import keras  # noqa: F401
    logging.getLogger("tensorflow").setLevel(logging.ERROR)  # retracing notes across folds are noise here
    return sys.modules["keras"]


@functools.cache
def compute_policy() -> str:
    """``"mixed_bfloat16"`` where the CPU multiplies bfloat16 natively (AMX or AVX-512 BF16), else ``"float32"``.

    Emulated bfloat16 would be slower than float32, so only Linux CPUs that list the flags qualify.
    """
    try:
        flags = Path("/proc/cpuinfo").read_text().split()
    except OSError:
        return "float32"
    return "mixed_bfloat16" if {"amx_bf16", "avx512_bf16"} & set(flags) else "float32"
