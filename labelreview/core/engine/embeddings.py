"""Optional backbone embeddings: a Keras Applications network, with weights already on this machine, turns
images into feature vectors once; a fast classifier is cross-validated on them. Nothing is ever downloaded.
"""

from dataclasses import replace
from pathlib import Path

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.models import import_keras
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress

SIDE = 96
BACKBONES = {  # name -> (Keras Applications class, file name Keras caches in ~/.keras/models)
    "mobilenet_v2": ("MobileNetV2", "mobilenet_v2_weights_tf_dim_ordering_tf_kernels_1.0_96_no_top.h5"),
}
BATCH = 256


def find_weights(backbone: str, weights: Path | None = None) -> Path:
    """The weights file to use: ``weights`` if given, else the one in the user's Keras cache."""
    if backbone not in BACKBONES:
        raise DataError(None, f"unknown backbone {backbone!r} (choose from {', '.join(BACKBONES)})")
    path = Path(weights) if weights else Path.home() / ".keras" / "models" / BACKBONES[backbone][1]
    if not path.is_file():
        raise DataError(path, f"no {backbone} weights on this machine; labelreview never downloads them. "
                              "Copy the file there, or pass --backbone-weights FILE")
    return path


def embed(dataset: Dataset, backbone: str, weights: Path, *, callback: Callback = ignore_progress) -> Dataset:
    """The dataset with each image replaced by its backbone embedding, pixels (N, 1, 1, D) float32."""
    keras = import_keras()
    network = getattr(keras.applications, BACKBONES[backbone][0])(
        input_shape=(SIDE, SIDE, 3), include_top=False, weights=None, pooling="avg")
    try:
        network.load_weights(weights)
    except (ValueError, OSError) as error:
        raise DataError(weights, f"not {backbone} weights ({str(error).splitlines()[0][:160]})") from None
    features = []
    for start in range(0, len(dataset), BATCH):
        images = dataset.images(slice(start, start + BATCH)).astype(np.float32)
        if images.shape[-1] == 1:
            images = np.repeat(images, 3, axis=-1)
        resized = keras.ops.image.resize(images, (SIDE, SIDE))
        features.append(np.asarray(network.predict(resized / 127.5 - 1.0, verbose=0), dtype=np.float32))
        callback(min(1.0, (start + BATCH) / len(dataset)), f"embedding {min(start + BATCH, len(dataset)):,}"
                                                          f"/{len(dataset):,} images")
    vectors = np.concatenate(features)
    return replace(dataset, pixels=vectors[:, None, None, :], rows=np.arange(len(dataset), dtype=np.int64))
