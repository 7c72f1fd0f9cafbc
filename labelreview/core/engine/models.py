"""The classifiers scoring can train: logistic regression on a pretrained backbone's embeddings, Keras CNNs
fitted to the input shape (fast or thorough), logistic regression on pixels, and an ensemble of a CNN and the
backbone whose out-of-sample probabilities are averaged; ``auto`` picks one."""

import warnings
from dataclasses import dataclass
from typing import Protocol

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.engine.backbone import BACKBONES, weights_path
from labelreview.core.engine.tensorflow_runtime import compute_policy, import_keras
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress

MODEL_NAMES = ("auto", "lite0", "cnn+lite0", "cnn", "cnn-thorough", "logreg")
CNN_MODELS = ("cnn", "cnn-thorough")
ENSEMBLES = {"cnn+lite0": ("lite0", "cnn")}  # members, averaged (cleanlab's FAQ); the backbone first: its pass
# finds the unreadable files
SMALL_SIDE = 64  # grayscale images smaller than this go to the CNN under auto (README: Choosing the model)
PREDICT_BATCH = 1024  # images a prediction step takes
TRAINING_DEFAULTS = {"cnn": (4, 6e-3), "cnn-thorough": (8, 3e-3)}  # epochs, peak learning rate (benchmarks/)
TRAINING_DEFAULTS |= {ensemble: TRAINING_DEFAULTS[cnn] for ensemble, parts in ENSEMBLES.items()  # its CNN's
                      for cnn in parts if cnn in CNN_MODELS}


class Classifier(Protocol):
    def fit(self, images: np.ndarray, labels: np.ndarray, callback: Callback = ignore_progress, *,
            seed: int | None = None) -> None:
        """Train from scratch on images (n, H, W, C) uint8 and labels (n,) int; ``seed`` overrides the spec's."""

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        """Class probabilities, shape (n, K) float32."""


@dataclass(frozen=True)
class ModelSpec:
    """What to train: ``name`` in :data:`MODEL_NAMES`, and seed; epochs and learning rate (CNNs only) default
    to what the model was tuned with."""

    name: str = "cnn"
    epochs: int | None = None
    seed: int = 0
    batch_size: int = 128
    learning_rate: float | None = None

    def __post_init__(self):
        epochs, learning_rate = TRAINING_DEFAULTS.get(self.name, (0, 0.0))
        if self.epochs is None:
            object.__setattr__(self, "epochs", epochs)
        if self.learning_rate is None:
            object.__setattr__(self, "learning_rate", learning_rate)


def members(spec: ModelSpec) -> tuple[ModelSpec, ...]:
    """The single models ``spec`` trains: an ensemble's members (its epochs, seed and batch size for each), or
    ``spec`` itself."""
    if spec.name not in ENSEMBLES:
        return (spec,)
    return tuple(ModelSpec(name, epochs=spec.epochs if name in CNN_MODELS else None, seed=spec.seed,
                           batch_size=spec.batch_size, learning_rate=spec.learning_rate if name in CNN_MODELS
                           else None) for name in ENSEMBLES[spec.name])


def trains_cnn(name: str) -> bool:
    """Whether the model ``name`` trains a CNN (and so takes a number of epochs)."""
    return any(member in CNN_MODELS for member in ENSEMBLES.get(name, (name,)))


def choose_model(dataset: Dataset) -> tuple[str, str]:
    """The model ``auto`` scores ``dataset`` with, and why, in words for the curator.

    Small grayscale images (under 64 px, like MNIST) go to a CNN learned from them averaged with the backbone
    (each sees what the other misses: benchmarks/detection.py); colour or larger images go to the backbone. The
    CNN alone scores when the backbone's weights are missing.
    """
    side, _, channels = dataset.image_shape
    small_grayscale = channels == 1 and side < SMALL_SIDE
    backbone = BACKBONES["lite0"]
    try:
        weights_path(backbone)
    except DataError as error:
        return "cnn", f"{error}; the CNN scores instead"
    if small_grayscale:
        return "cnn+lite0", (f"small grayscale images ({side} px): a CNN learned from them and the pretrained "
                             f"{backbone.title}, averaged, see them best")
    kind = "colour" if channels == 3 else "large grayscale"
    return "lite0", f"{kind} images: the pretrained {backbone.title} sees them far better than a CNN learned from scratch"


def resolve_model(spec: ModelSpec, dataset: Dataset) -> tuple[ModelSpec, str]:
    """``spec`` with ``auto`` replaced by :func:`choose_model`'s pick, and the reason for the model used."""
    if spec.name != "auto":
        return spec, "chosen by the curator"
    name, reason = choose_model(dataset)
    return ModelSpec(name=name, seed=spec.seed, batch_size=spec.batch_size), f"auto: {reason}"


def make_classifier(spec: ModelSpec, n_classes: int, input_shape: tuple[int, int, int]) -> Classifier:
    """A fresh, untrained classifier for ``spec`` (``auto`` resolved already)."""
    if spec.name in CNN_MODELS:
        return CnnClassifier(spec, n_classes, input_shape)
    if spec.name == "logreg":
        return LogRegClassifier(spec, n_classes)
    if spec.name in BACKBONES:
        return LogRegClassifier(spec, n_classes, strength=EMBEDDING_C, standardize=True)
    raise ValueError(f"unknown model {spec.name!r} (choose from {', '.join(MODEL_NAMES)})")


class CnnClassifier:
    """Small CNN: unpadded 3x3 convolutions and pooling until fewer than 12 pixels remain, then dropout and a
    dense head.

    ``cnn`` starts inputs of 20 px or more with a strided 5x5 convolution and has one convolution per block:
    fast. ``cnn-thorough`` has two per block and trains on images shifted by up to 10%: about five times
    the work, fewer missed errors. Trained with Adam on a cosine schedule (10% warm-up to ``learning_rate``),
    in bfloat16 where the CPU has it. Fitting again with the same number of steps re-initialises the
    compiled network instead of building a new one, which spares TensorFlow tracing the training step
    once per fold.

    Training and prediction go batch by batch (``train_on_batch``, ``predict_on_batch``), never through
    ``fit`` or ``predict``: their tf.data iterators block whichever thread's garbage collection frees them
    until their own threads stop, and that thread may be the window's (seconds frozen, or a deadlock). (Nor
    does a fit call the collector itself: on a worker it would free the window's widgets there, and deadlock.)
    """

    def __init__(self, spec: ModelSpec, n_classes: int, input_shape: tuple[int, int, int]):
        self.spec, self.n_classes, self.input_shape = spec, n_classes, input_shape
        self.model = None
        self._steps, self._fresh_optimizer = 0, []

    def _network(self, seed: int):
        keras = import_keras()
        layers, policy = keras.layers, compute_policy()
        thorough = self.spec.name == "cnn-thorough"
        keras.utils.set_random_seed(seed)
        stack = [layers.Input(self.input_shape), layers.Rescaling(1 / 255)]
        side, filters = self.input_shape[0], 32
        if thorough:
            stack.append(layers.RandomTranslation(0.1, 0.1, fill_mode="constant"))
        elif side >= 20:
            stack.append(layers.Conv2D(filters, 5, strides=2, activation="relu", dtype=policy))
            side, filters = (side - 3) // 2, filters * 2
        convs = 2 if thorough else 1
        while True:
            stack += [layers.Conv2D(filters, 3, activation="relu", dtype=policy) for _ in range(convs)]
            stack.append(layers.MaxPooling2D(dtype=policy))
            side, filters = (side - 2 * convs) // 2, min(filters * 2, 128)
            if side < 12:
                break
        stack += [layers.Flatten(dtype=policy), layers.Dropout(0.3, dtype=policy),
                  layers.Dense(128, activation="relu", dtype=policy),
                  layers.Dense(self.n_classes, activation="softmax", dtype="float32")]
        return keras.Sequential(stack)

    def _compile(self, seed: int, steps: int) -> None:
        keras = import_keras()
        self.model = self._network(seed)
        schedule = keras.optimizers.schedules.CosineDecay(
            0.0, steps, warmup_target=self.spec.learning_rate, warmup_steps=max(1, steps // 10))
        self.model.compile(optimizer=keras.optimizers.Adam(schedule), loss="sparse_categorical_crossentropy")
        self.model.optimizer.build(self.model.trainable_variables)
        self._steps, self._fresh_optimizer = steps, [v.numpy() for v in self.model.optimizer.variables]

    def _reinitialise(self, seed: int) -> None:
        """Weights and dropout seeds of a network just built with ``seed``; the optimizer as compiled."""
        for variable, fresh in zip(self.model.variables, self._network(seed).variables):
            variable.assign(fresh)
        for variable, fresh in zip(self.model.optimizer.variables, self._fresh_optimizer):
            variable.assign(fresh)

    def fit(self, images: np.ndarray, labels: np.ndarray, callback: Callback = ignore_progress, *,
            seed: int | None = None) -> None:
        seed = self.spec.seed if seed is None else seed
        epochs, size = self.spec.epochs, self.spec.batch_size
        steps = -(-len(images) // size)
        if self.model is not None and self._steps == epochs * steps:
            self._reinitialise(seed)
        else:
            self._compile(seed, epochs * steps)
        shuffle = np.random.default_rng(seed)
        for epoch in range(epochs):
            order = shuffle.permutation(len(images))
            for step in range(steps):
                batch = order[step * size:(step + 1) * size]
                self.model.train_on_batch(images[batch], labels[batch])
                callback((epoch * steps + step + 1) / (epochs * steps), f"epoch {epoch + 1}/{epochs}")

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        if not len(images):
            return np.zeros((0, self.n_classes), np.float32)
        return np.concatenate([self.model.predict_on_batch(images[start:start + PREDICT_BATCH])
                               for start in range(0, len(images), PREDICT_BATCH)]).astype(np.float32)


EMBEDDING_C = 0.001  # inverse regularisation of the head on standardised embeddings (benchmarks/detection.py)
SCALE_CHUNK = 20_000  # rows measured at once for standardising


class LogRegClassifier:
    """Multinomial logistic regression: on raw pixels (seconds, for quick looks and tests), or as the head on
    standardised backbone embeddings.

    The embeddings are standardised in place, the scale measured a chunk at a time: a scaler fitted on all of
    them at once holds a float64 copy (8 GB for a fold of 1,000,000 images).
    """

    def __init__(self, spec: ModelSpec, n_classes: int, *, strength: float = 0.1, standardize: bool = False):
        self.spec, self.n_classes = spec, n_classes
        self.strength, self.standardize = strength, standardize
        self.model = self.scaler = None

    def fit(self, images: np.ndarray, labels: np.ndarray, callback: Callback = ignore_progress, *,
            seed: int | None = None) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.preprocessing import StandardScaler

        callback(0.0, "fitting logistic regression")
        features = _flat(images)
        if self.standardize:
            self.scaler = StandardScaler(copy=False)
            for start in range(0, len(features), SCALE_CHUNK):
                self.scaler.partial_fit(features[start:start + SCALE_CHUNK])
        self.model = LogisticRegression(C=self.strength, max_iter=200, tol=1e-3,
                                        random_state=self.spec.seed if seed is None else seed)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # ConvergenceWarning: 200 iterations are plenty for ranking
            self.model.fit(self._scaled(features), labels)
        callback(1.0, "fitted")

    def predict_proba(self, images: np.ndarray) -> np.ndarray:
        probs = np.zeros((len(images), self.n_classes), dtype=np.float32)
        probs[:, self.model.classes_] = self.model.predict_proba(self._scaled(_flat(images)))
        return probs

    def _scaled(self, features: np.ndarray) -> np.ndarray:
        """``features`` (n, D), standardised in place when the head is."""
        return features if self.scaler is None else self.scaler.transform(features)


def _flat(images: np.ndarray) -> np.ndarray:
    """Pixels (uint8) scaled to 0..1; feature vectors (float) as they are."""
    flat = images.reshape(len(images), -1).astype(np.float32)
    return flat / 255.0 if images.dtype == np.uint8 else flat
