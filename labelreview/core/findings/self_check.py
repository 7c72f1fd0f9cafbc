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
MIN_IMAGES = 1_000  # fewer give too few flips of each kind to count by
MAX_IMAGES = 50_000  # a larger set is checked on a random sample of this many
SEED = 7919
DENSITY_PARTS = 20  # slices of the flagged list over which the error density is told


@dataclass(frozen=True)
class Trial:
    """One set of flips, ranked with the other images.

    Attributes
    ----------
    others_found : np.ndarray of int, shape (n,)
        Of the i + 1 most suspicious images, how many were not flipped.
    kinds : np.ndarray of int, shape (c,)
        The kinds of error the flips took: given class x K + the class the model prefers.
    kind_errors : np.ndarray of float, shape (c,)
        Estimated real errors of each kind among the images not flipped.
    kind_ranks : tuple of np.ndarray of int, length c
        Ranks (0 = most suspicious) of each kind's flipped labels.
    """

    others_found: np.ndarray
    kinds: np.ndarray
    kind_errors: np.ndarray
    kind_ranks: tuple[np.ndarray, ...]

    def caught(self, others: float) -> np.ndarray:
        """Share (c,) of each kind's flipped labels ranked above the point where ``others`` images not
        flipped have come."""
        cut = int(np.searchsorted(self.others_found, others))
        return np.array([(ranks < cut).mean() for ranks in self.kind_ranks])


@dataclass(frozen=True)
class SelfCheck:
    """The trials of one set of labels; counts are for the whole set (a sample is scaled up).

    Each kind of error is counted over the trials that flipped some of its labels, so kinds too rare to be
    flipped in every trial still count in full.

    Attributes
    ----------
    trials : tuple of Trial
    kept : float
        Share of the images checked that each trial left unflipped, 1 - m / n.
    scale : float
        Images of the set per image checked.
    """

    trials: tuple[Trial, ...]
    kept: float
    scale: float

    @property
    def errors(self) -> float:
        """Estimated label errors in the set that the model disagrees with; NaN without trials."""
        if not self.trials:
            return float("nan")
        return self.scale * _per_kind([(t.kinds, t.kind_errors) for t in self.trials]) / self.kept

    def precision(self, flagged: int) -> float:
        """Expected share of real errors among the ``flagged`` most suspicious images; NaN when none."""
        if flagged <= 0 or not self.trials:
            return float("nan")
        checked = flagged / self.scale  # of which a trial left ``kept`` unflipped
        found = _per_kind([(t.kinds, t.kind_errors * t.caught(checked * self.kept)) for t in self.trials])
        return float(np.clip(found / self.kept / checked, 0, 1))

    def error_density(self, flagged: int, parts: int = DENSITY_PARTS) -> np.ndarray:
        """How the real errors spread down the ``flagged`` most suspicious images, shape (parts,), mean 1: part j
        holds the j-th of ``parts`` equal slices, most suspicious first, and its share of the flipped labels
        ranked within them (each counted where it falls among the images not flipped), times ``parts``. Ones
        when nothing is flagged or there are no trials."""
        checked = flagged / self.scale
        at = np.concatenate([t.others_found[np.concatenate(t.kind_ranks)] for t in self.trials] or [np.zeros(0)])
        at = at[at < checked * self.kept] / self.kept
        if flagged <= 0 or not len(at):
            return np.ones(parts)
        counts = np.bincount((at * parts / checked).astype(np.int64), minlength=parts)[:parts] + 1.0  # none empty
        from sklearn.isotonic import IsotonicRegression

        falling = IsotonicRegression(increasing=False).fit_transform(np.arange(parts), counts)
        return falling * parts / falling.sum()


def density_down(density: np.ndarray, n: int) -> np.ndarray:
    """The ``density`` (parts,) of equal slices of a list, at each of its ``n`` positions, shape (n,)."""
    return density[np.arange(n) * len(density) // max(n, 1)]


def _per_kind(trials: list[tuple[np.ndarray, np.ndarray]]) -> float:
    """The sum over kinds of each kind's mean value over the trials that have it; ``trials`` hold (kinds (c,),
    values (c,))."""
    kinds, values = np.concatenate([k for k, _ in trials]), np.concatenate([v for _, v in trials])
    _, kind = np.unique(kinds, return_inverse=True)
    return float((np.bincount(kind, values) / np.bincount(kind)).sum())


def self_check(labels: np.ndarray, pred_probs: np.ndarray, order_of, *,
               confident_joint: np.ndarray | None = None) -> SelfCheck:
    """Flip known labels (N,) int and rank them with ``order_of(labels, pred_probs)``, the positions most
    suspicious first, over out-of-sample pred_probs (N, K); no trials for fewer than 2 classes or MIN_IMAGES.
    ``confident_joint`` (K, K) of these labels is computed when not given (and for a sample)."""
    from cleanlab.count import compute_confident_joint

    n, k = pred_probs.shape
    rng = np.random.default_rng(SEED)
    if n > MAX_IMAGES:
        rows = np.sort(rng.choice(n, MAX_IMAGES, replace=False))
        labels, pred_probs, confident_joint = labels[rows], pred_probs[rows], None
    checked = len(labels)
    flips = round(SHARE * checked)
    if k < 2 or checked < MIN_IMAGES:
        return SelfCheck((), 1.0, n / max(checked, 1))
    joint = compute_confident_joint(labels, pred_probs) if confident_joint is None else confident_joint
    predicted = pred_probs.argmax(axis=1)
    trials = []
    for _ in range(TRIALS):
        flipped_labels, flipped = flip_like_noise(labels, joint, flips, rng)
        order = order_of(flipped_labels, pred_probs)
        rank = np.empty(checked, dtype=np.int64)
        rank[order] = np.arange(checked)
        kinds, errors, ranks = _count_by_kind(flipped_labels * k + predicted, flipped & (flipped_labels != predicted),
                                              rank)
        if len(kinds):
            trials.append(Trial(np.cumsum(~flipped[order]), kinds, errors, ranks))
    return SelfCheck(tuple(trials), 1 - flips / checked, n / checked)


def _count_by_kind(kind: np.ndarray, flipped: np.ndarray, rank: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple]:
    """Per kind (N,) of the ``flipped`` (N,) bool images: the kind, the real errors estimated from the images not
    flipped ranked (``rank`` (N,), 0 = first) above its first TOP share of flipped ones (with m flipped of a
    kind, the b real ones above the j-th flipped estimate b (m + 1) / j, as when they interleave at random),
    and the ranks of its flipped ones."""
    kinds, errors, ranks = np.unique(kind[flipped]), [], []
    for one in kinds:
        members = np.flatnonzero(kind == one)
        members = members[np.argsort(rank[members])]
        is_flip = flipped[members]
        found = np.cumsum(is_flip)
        m = int(found[-1])
        j = int(np.ceil(TOP * m))
        others_above = int(np.searchsorted(found, j)) + 1 - j
        errors.append(others_above * (m + 1) / j)
        ranks.append(rank[members[is_flip]])
    return kinds, np.array(errors), tuple(ranks)


def flip_like_noise(labels: np.ndarray, confident_joint: np.ndarray, count: int,
                    rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """About ``count`` labels (N,) changed as cleanlab's ``confident_joint`` (K, K; given x true) says the
    set's errors are spread: (given, true) pairs drawn from its off-diagonal, each an image labeled the true
    class at random given the other (pairs weighted by the true class's size where the joint has no errors;
    fewer when a class runs out of images). Returns the new labels (N,) and which changed (N,) bool."""
    k = confident_joint.shape[0]
    joint = confident_joint.astype(np.float64) * (1 - np.eye(k))
    if joint.sum() == 0:
        joint = np.bincount(labels, minlength=k)[None, :] * (1 - np.eye(k))
    drawn = rng.multinomial(count, (joint / joint.sum()).ravel()).reshape(k, k)
    changed, flipped = labels.copy(), np.zeros(len(labels), dtype=bool)
    for true in range(k):
        given = np.repeat(np.arange(k), drawn[:, true])
        images = rng.permutation(np.flatnonzero(labels == true))[:len(given)]
        changed[images], flipped[images] = given[:len(images)], True
    return changed, flipped


def suspects_said(count: int, precision: float | None) -> str:
    """"354 suspects, about 7 in 10 likely real": ``count`` flagged and the share expected real, when known."""
    said = f"{count:,} suspect{'s' * (count != 1)}"
    if precision is None or np.isnan(precision):
        return said
    tenths = round(precision * 10)
    return said + (", nearly all likely real" if tenths == 10 else f", about {tenths} in 10 likely real")
