"""Image-quality issues: dark, light, blurry, low information, odd aspect ratio, odd size, and grayscale images
in a colour set, scored as CleanVision scores them (blurry: by sharpness, see image_properties).

CleanVision's thresholds are absolute, and some sets are dark or low in entropy by nature (every MNIST digit
is white on black, most clip art is flat colour), where they would flag nearly everything. So an image is
flagged only when its score is below CleanVision's threshold *and* below a share of the set's median score.
"""

import numpy as np
import pandas as pd

from labelreview.core.findings.image_properties import MEASURES

RELATIVE = {"dark": 1 / 3, "light": 1 / 3, "low_information": 1 / 8, "blurry": 1 / 2}  # of the set median
GRAY_SET = 0.1  # where at least this share of a set is grayscale, grayscale is no issue
QUALITY_KINDS = ("dark", "light", "blurry", "low_information", "odd_aspect_ratio", "odd_size", "grayscale")
COMPARED = {"dark": "darker", "light": "lighter", "blurry": "blurrier", "low_information": "flatter"}


def quality_scores(properties: np.ndarray) -> pd.DataFrame:
    """CleanVision's score of every image for every kind; 0..1, lower is worse.

    Parameters
    ----------
    properties : np.ndarray of PROPERTIES, shape (N,)

    Returns
    -------
    pd.DataFrame, shape (N, 7)
        One column per kind of QUALITY_KINDS.
    """
    from cleanvision.issue_managers.image_property import SizeProperty
    from cleanvision.issue_managers.image_property_issue_manager import ImagePropertyIssueManager

    params = ImagePropertyIssueManager().get_default_params()
    raw = pd.DataFrame({name: properties[name] for name in MEASURES}).astype(float)
    entropy = np.minimum(params["low_information"]["normalizing_factor"] * raw["entropy"], 1)
    spread = raw["brightness_range"]  # a flat image with noise has entropy but no contrast
    width, height = raw["width"].clip(lower=1), raw["height"].clip(lower=1)
    return pd.DataFrame({
        "dark": raw["brightness_perc_99"],
        "light": 1 - raw["brightness_perc_5"],
        "blurry": raw["sharpness"].clip(upper=1),
        "low_information": np.minimum(entropy, spread),
        "odd_aspect_ratio": np.minimum(width / height, height / width),
        "odd_size": SizeProperty().get_scores(pd.DataFrame({"size": np.sqrt(width * height)}), "odd_size",
                                              **params["odd_size"]).iloc[:, 0],
        "grayscale": (~properties["grayscale"]).astype(float),
    })


def quality_issues(properties: np.ndarray) -> pd.DataFrame:
    """Every quality issue found, one row per image and kind, worst first within a kind.

    Returns
    -------
    pd.DataFrame with columns position (int), issue (str), score (float, lower is worse), detail (str)
    """
    from cleanvision.issue_managers.image_property_issue_manager import ImagePropertyIssueManager

    params = ImagePropertyIssueManager().get_default_params()
    scores = quality_scores(properties)
    found = []
    for kind in QUALITY_KINDS:
        score = scores[kind].to_numpy()
        flagged = score < _cutoff(kind, score, params)
        if kind == "grayscale" and properties["grayscale"].mean() >= GRAY_SET:
            flagged[:] = False
        for i in np.flatnonzero(flagged)[np.argsort(score[flagged], kind="stable")]:
            found.append((int(i), kind, float(score[i]), _detail(kind, i, score, properties)))
    return pd.DataFrame(found, columns=["position", "issue", "score", "detail"])


def _cutoff(kind: str, score: np.ndarray, params: dict) -> float:
    if kind == "odd_size":
        return 0.5  # CleanVision's: beyond 3 IQRs of the median size
    if kind == "grayscale":
        return 0.5
    threshold = params[kind]["threshold"] if kind != "blurry" else 1.0
    return min(threshold, RELATIVE[kind] * float(np.median(score))) if kind in COMPARED else threshold


def _detail(kind: str, i: int, score: np.ndarray, properties: np.ndarray) -> str:
    width, height = int(properties["width"][i]), int(properties["height"][i])
    if kind in COMPARED:
        share = float((score > score[i]).mean())
        return f"{COMPARED[kind]} than {share:.1%} of the set (score {score[i]:.2f})"
    if kind == "odd_aspect_ratio":
        return f"{width} x {height} px, aspect ratio {max(width, height) / max(1, min(width, height)):.1f} : 1"
    if kind == "odd_size":
        median = np.median(np.sqrt(properties["width"].astype(float) * properties["height"]))
        return f"{width} x {height} px where most are about {median:.0f} x {median:.0f}"
    return "grayscale in a set of colour images"
