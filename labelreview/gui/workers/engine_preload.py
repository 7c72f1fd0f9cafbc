"""Import TensorFlow in the background while the curator looks at a dataset, so Score starts training at once."""

import threading

from labelreview.core.engine.tensorflow_runtime import import_keras

_preload = threading.Thread(target=import_keras, name="preload-tensorflow")


def preload_engine() -> None:
    """Start importing Keras on TensorFlow (seconds of work) once per process; later calls do nothing.

    Not a daemon thread: quitting waits for the import rather than tearing it down half done.
    """
    if _preload.ident is None:
        _preload.start()
