"""How many labels are wrong, and how many of the flagged images are real errors: a self-check that flips
labels it knows and sees where they rank among the suspects.

Out-of-sample probabilities of an image do not depend on its own label, so a flipped label is judged exactly
as a real error of the same kind would be. The flips follow cleanlab's estimate of which classes are mistaken
for which. Errors are counted per kind, images given class s that the model takes for class y: among those,
flipped and real errors rank alike while the model's own mistakes (images of s that look like y) rank lower,
so the real ones ranked above the first flipped ones of their kind count that kind's errors, and the flipped
ones caught by the flagged cut say how many of the flagged are real (benchmarks/detection.py).
"""

from dataclasses import dataclass

import numpy as np

TRIALS = 16  # few flips fall to each kind of error: many trials steady the count
SHARE = 0.05  # labels flipped per trial, of the images
TOP = 0.25  # each kind's errors are counted above this share of its flipped labels: where they are nearly all
MAX_IMAGES = 50_000  # a larger set is checked on a random sample of this many
SEED = 7919


@dataclass(frozen=True)
class Trial:
    """One set of flips, ranked with the other images.

    Attributes
    ----------
    flips : int
        Labels flipped, m, of ``images`` n.
    images : int
    others_found : np.ndarray of int, shape (n,)
        Of the i + 1 most suspicious images, how many were not flipped.
    kind_errors : np.ndarray of float, shape (c,)
        Estimated real errors of each kind the flips took (given class, class the model prefers).
    kind_ranks : tuple of np.ndarray of int, length c
        Ranks (0 = most suspicious) of each kind's flipped labels.
    """

    flips: int
    images: int
    others_found: np.ndarray
    kind_errors: np.ndarray
    kind_ranks: tuple[np.ndarray, ...]

    @property
    def errors(self) -> float:
        """Real errors of the set, corrected for those the flips took."""
        return float(self.kind_errors.sum()) / (1 - self.flips / self.images)

    def errors_among(self, flagged: int) -> float:
        """Real errors among the ``flagged`` most suspicious images of the set without flips."""
        cut = int(np.searchsorted(self.others_found, flagged))
        caught = np.array([(ranks < cut).mean() for ranks in self.kind_ranks])
        return float(self.kind_errors @ caught) / (1 - self.flips / self.images)


@dataclass(frozen=True)
class SelfCheck:
    """The trials of one set of labels; counts are for the whole set (a sample is scaled up).

    Attributes
    ----------
    trials : tuple of Trial
    scale : float
        Images of the set per image checked.
    """

    trials: tuple[Trial, ...]
    scale: float

    @property
    def errors(self) -> float:
        """Estimated label errors in the set that the model disagrees with; NaN without trials."""
        if not self.trials:
            return float("nan")
        return self.scale * float(np.mean([t.errors for t in self.trials]))

    def precision(self, flagged: int) -> float:
        """Expected share of real errors among the ``flagged`` most suspicious images; NaN when none."""
        if flagged <= 0 or not self.trials:
            return float("nan")
        checked = flagged / self.scale
        return float(np.clip(np.mean([t.errors_among(checked) for t in self.trials]) / checked, 0, 1))


def self_check(labels: np.ndarray, pred_probs: np.ndarray, order_of) -> SelfCheck:
    """Flip known labels (N,) int and rank them with ``order_of(labels, pred_probs)``, the positions most
    suspicious first, over out-of-sample pred_probs (N, K); no trials for fewer than 2 classes or 40 images."""
    n, k = pred_probs.shape
    rng = np.random.default_rng(SEED)
    if n > MAX_IMAGES:
        rows = np.sort(rng.choice(n, MAX_IMAGES, replace=False))
        labels, pred_probs = labels[rows], pred_probs[rows]
    checked = len(labels)
    if k < 2 or checked < 40:
        return SelfCheck((), n / max(checked, 1))
    predicted = pred_probs.argmax(axis=1)
    trials = []
    for _ in range(TRIALS):
        flipped_labels, flipped = flip_like_noise(labels, pred_probs, max(2, round(SHARE * checked)), rng)
        order = order_of(flipped_labels, pred_probs)
        rank = np.empty(checked, dtype=np.int64)
        rank[order] = np.arange(checked)
        errors, ranks = _count_by_kind(flipped_labels * k + predicted, flipped & (flipped_labels != predicted), rank)
        if len(errors):
            trials.append(Trial(int(flipped.sum()), checked, np.cumsum(~flipped[order]), errors, ranks))
    return SelfCheck(tuple(trials), n / checked)


def _count_by_kind(kind: np.ndarray, flipped: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, tuple]:
    """Per kind (N,) of the ``flipped`` (N,) bool images: the real errors estimated from the images not flipped
    ranked (``rank`` (N,), 0 = first) above its first TOP share of flipped ones (with m flipped of a kind, the
    b real ones above the j-th flipped estimate b (m + 1) / j, as when they interleave at random), and the
    ranks of its flipped ones."""
    errors, ranks = [], []
    for one in np.unique(kind[flipped]):
        members = np.flatnonzero(kind == one)
        members = members[np.argsort(rank[members])]
        is_flip = flipped[members]
        found = np.cumsum(is_flip)
        m = int(found[-1])
        j = int(np.ceil(TOP * m))
        others_above = int(np.searchsorted(found, j)) + 1 - j
        errors.append(others_above * (m + 1) / j)
        ranks.append(rank[members[is_flip]])
    return np.array(errors), tuple(ranks)


def flip_like_noise(labels: np.ndarray, pred_probs: np.ndarray, count: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``count`` labels (N,) changed as cleanlab estimates the set's errors are spread: a (given, true) pair of
    classes drawn from the confident joint's off-diagonal, then an image labeled the true one, at random, given
    the other (uniform over pairs where the joint has no errors). Returns the new labels (N,) and which changed
    (N,) bool."""
    from cleanlab.count import compute_confident_joint

    k = pred_probs.shape[1]
    joint = compute_confident_joint(labels, pred_probs).astype(np.float64)  # [given, true]
    np.fill_diagonal(joint, 0)
    if joint.sum() == 0:
        joint = np.bincount(labels, minlength=k)[None, :] * (1 - np.eye(k))
    changed, flipped = labels.copy(), np.zeros(len(labels), dtype=bool)
    for cell in rng.choice(k * k, count, p=(joint / joint.sum()).ravel()):
        given, true = divmod(int(cell), k)
        pool = np.flatnonzero((labels == true) & ~flipped)
        if len(pool):
            image = rng.choice(pool)
            changed[image], flipped[image] = given, True
    return changed, flipped


def suspects_said(count: int, precision: float | None) -> str:
    """"354 suspects, about 7 in 10 likely real": ``count`` flagged and the share expected real, when known."""
    said = f"{count:,} suspect{'s' * (count != 1)}"
    if precision is None or np.isnan(precision):
        return said
    tenths = round(precision * 10)
    return said + (", nearly all likely real" if tenths == 10 else f", about {tenths} in 10 likely real")
