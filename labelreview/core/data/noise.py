"""Synthetic label noise, to measure how well label errors are found."""

from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.labels_table import relative_paths
from labelreview.core.errors import DataError

NOISE_KINDS = ("uniform", "pairs")


def inject_noise(
    labels: np.ndarray,
    n_classes: int,
    *,
    rate: float,
    kind: str = "uniform",
    seed: int = 0,
    pairs: list[tuple[int, int]] | None = None,
) -> np.ndarray:
    """Flip a share ``rate`` of labels (N,) and return the noisy copy (N,).

    ``uniform`` moves each chosen label to one of the other K - 1 classes at
    random; ``pairs`` flips within class pairs (a <-> b), choosing ``rate`` of
    the examples of paired classes. Default pairs: classes 0<->1, 2<->3, ...
    """
    if not 0.0 <= rate <= 1.0:
        raise DataError(None, f"--rate must be between 0 and 1, not {rate}")
    rng = np.random.default_rng(seed)
    noisy = np.array(labels, dtype=np.int64, copy=True)
    if kind == "uniform":
        chosen = rng.choice(len(noisy), size=round(rate * len(noisy)), replace=False)
        noisy[chosen] = (noisy[chosen] + rng.integers(1, n_classes, size=len(chosen))) % n_classes
        return noisy
    if kind != "pairs":
        raise DataError(None, f"unknown noise kind {kind!r} (choose from {', '.join(NOISE_KINDS)})")
    partner = np.arange(n_classes)
    for a, b in pairs if pairs is not None else zip(range(0, n_classes - 1, 2), range(1, n_classes, 2)):
        partner[a], partner[b] = b, a
    candidates = np.flatnonzero(partner[noisy] != noisy)
    chosen = rng.choice(candidates, size=round(rate * len(candidates)), replace=False)
    noisy[chosen] = partner[noisy[chosen]]
    return noisy


def parse_pairs(text: str, class_names: tuple[str, ...]) -> list[tuple[int, int]]:
    """``"7:1,4:9"`` -> [(7, 1), (4, 9)] as class indices."""
    lookup = {name: k for k, name in enumerate(class_names)}
    pairs = []
    for item in filter(None, (part.strip() for part in text.split(","))):
        a, _, b = item.partition(":")
        if a not in lookup or b not in lookup or a == b:
            raise DataError(None, f"--pairs: {item!r} is not two different classes like 7:1")
        pairs.append((lookup[a], lookup[b]))
    return pairs


def noise_tables(dataset: Dataset, noisy: np.ndarray, folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The noisy labels CSV (``path,label`` or ``index,label``) and ``truth.csv`` of flipped rows, both to be
    written in ``folder``: their paths lead there from the images, so the labels CSV is itself a SOURCE."""
    paths = relative_paths(dataset.root, dataset.paths, folder) if dataset.paths is not None else None
    key = ("path", paths) if paths is not None else ("index", dataset.index)
    labels = pd.DataFrame({key[0]: key[1], "label": dataset.label_names(noisy)})
    flipped = np.flatnonzero(noisy != dataset.labels)
    truth = pd.DataFrame({
        "index": dataset.index[flipped],
        "path": [paths[i] for i in flipped] if paths is not None else "",
        "true_label": dataset.label_names()[flipped],
        "noisy_label": dataset.label_names(noisy)[flipped],
    })
    return labels, truth
