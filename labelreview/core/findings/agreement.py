"""Can the model judge these labels? Its cross-validated agreement with the given labels, against chance."""

from dataclasses import dataclass

import numpy as np

NEAR_CHANCE = 0.2  # skill below this: the suspects mean little
LOW = 0.4  # skill below this: many suspects are the model's own mistakes


@dataclass(frozen=True)
class Agreement:
    """How often the out-of-sample prediction equals the given label.

    Attributes
    ----------
    overall : float
    per_class : np.ndarray of float, shape (K,)
        Share of each given class predicted as itself; NaN for classes without examples.
    chance : float
        What always guessing the most common class would reach.
    skill : float
        ``(overall - chance) / (1 - chance)``: 0 at chance, 1 when every label is matched.
    """

    overall: float
    per_class: np.ndarray
    chance: float
    skill: float

    @property
    def verdict(self) -> str:
        """``"near chance"``, ``"low"`` or ``"ok"``."""
        return "near chance" if self.skill < NEAR_CHANCE else "low" if self.skill < LOW else "ok"

    @property
    def warning(self) -> str:
        """A plain warning for the curator, or ``""`` when the model can be trusted."""
        said = f"The model agrees with the given labels on {self.overall:.0%} of the images"
        if self.verdict == "near chance":
            return (f"{said}, hardly more than always guessing the largest class ({self.chance:.0%}): it cannot "
                    "judge these labels, so the suspects mean little. Try another model or more images per class.")
        if self.verdict == "low":
            return (f"{said} (chance: {self.chance:.0%}): too low to trust the suspects, many are the model's own "
                    "mistakes. Review them with care, or try another model.")
        return ""


def measure_agreement(labels: np.ndarray, pred_probs: np.ndarray) -> Agreement:
    """Agreement of out-of-sample ``pred_probs`` (N, K) with the given ``labels`` (N,)."""
    k = pred_probs.shape[1]
    hits = pred_probs.argmax(axis=1) == labels
    counts = np.bincount(labels, minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.bincount(labels, weights=hits, minlength=k) / counts
    overall, chance = float(hits.mean()), float(counts.max() / counts.sum())
    skill = (overall - chance) / (1 - chance) if chance < 1 else 0.0
    return Agreement(overall, per_class, chance, float(skill))
