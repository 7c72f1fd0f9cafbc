"""The usual recipe, as tutorials teach it: a Keras CNN in scikeras, sklearn cross_val_predict, cleanlab.

Benchmark-only: scikeras is not a dependency of labelreview (``make bench`` installs it).
"""

import numpy as np


def build_cnn(meta):
    """The tutorials' MNIST CNN (two conv blocks, dropout, softmax), compiled for sparse labels."""
    import keras

    layers = keras.layers
    model = keras.Sequential([
        layers.Input(meta["X_shape_"][1:]),
        layers.Rescaling(1 / 255),
        layers.Conv2D(32, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Conv2D(64, 3, activation="relu"),
        layers.MaxPooling2D(),
        layers.Flatten(),
        layers.Dropout(0.5),
        layers.Dense(meta["n_classes_"], activation="softmax"),
    ])
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
    return model


def reference_pred_probs(images: np.ndarray, labels: np.ndarray, *, epochs: int = 3, folds: int = 5,
                         seed: int = 0) -> np.ndarray:
    """Out-of-sample pred_probs (N, K) for images (N, H, W, C) uint8 and labels (N,) int."""
    import keras
    from scikeras.wrappers import KerasClassifier
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    keras.utils.set_random_seed(seed)
    classifier = KerasClassifier(model=build_cnn, epochs=epochs, batch_size=32, verbose=0, random_state=seed)
    splitter = StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed)
    return cross_val_predict(classifier, images.astype(np.float32), labels, cv=splitter, method="predict_proba")
