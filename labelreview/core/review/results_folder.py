"""Review the results of ``labelreview score --out DIR`` made elsewhere (a Ray cluster, another machine).

``health.json`` records the SOURCE scored and its labels CSV; the images may sit on another path here. The
result files are copied beside the dataset's labels CSV, where a reopen finds them, and shown as a new round.
"""

import contextlib
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from labelreview.core.atomic import atomic_file
from labelreview.core.errors import DataError
from labelreview.core.progress import Callback, ignore_progress
from labelreview.core.review.score_table import ScoreTable
from labelreview.core.review.session import ReviewSession

RESULT_FILES = ("scores.csv", "pred_probs.npy", "health.json", "issues.csv")


def scored_source(folder: Path) -> str:
    """The SOURCE a results folder was scored from, as recorded there (a path on the machine that scored it).

    Raises :class:`DataError` when ``folder`` is not a results folder or does not say.
    """
    source = _health(folder).get("source")
    if not source:
        raise DataError(folder / "health.json", "does not say which images were scored (made by an older "
                                                "labelreview): open the images, then score them here")
    return str(source)


def _health(folder: Path) -> dict:
    try:
        health = json.loads((folder / "health.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        health = None
    if not isinstance(health, dict):
        raise DataError(folder, "not a results folder of 'labelreview score' (no readable health.json)")
    return health


def source_is_here(source: str) -> bool:
    """Whether this machine can open ``source``: a path that exists here, or MNIST (it ships with labelreview)."""
    return source.split(":")[0] == "mnist" or Path(source).exists()


def open_results(folder: Path, *, images: str | None = None, callback: Callback = ignore_progress) -> ReviewSession:
    """A review session of the dataset ``folder``'s scores were made for, showing those scores.

    Parameters
    ----------
    folder : Path
        Written by ``labelreview score --out``: scores.csv, pred_probs.npy (N, K), health.json, issues.csv.
    images : str, optional
        Where the scored SOURCE is on this machine, when not at the recorded path.
    callback : callable(fraction, message)
        Progress of opening the dataset; may raise :class:`Cancelled`.
    """
    source = images or scored_source(folder)
    labels = _health(folder).get("labels")
    session = ReviewSession.open(source, labels_path=Path(labels) if labels and Path(labels).is_file() else None,
                                 callback=callback)
    scores = _scores_of_same_images(folder, session)
    session.scores_dir.mkdir(parents=True, exist_ok=True)
    for name in RESULT_FILES:
        with atomic_file(session.scores_dir / name, "wb") as copy, (folder / name).open("rb") as original:
            shutil.copyfileobj(original, copy)
    session.show_scores(scores, new_round=True)
    session.issues = session.saved_issues()
    session.find_round_suspects()
    return session


def _scores_of_same_images(folder: Path, session: ReviewSession) -> ScoreTable:
    """``folder``'s scores; :class:`DataError` unless they are of ``session``'s dataset: its classes and files."""
    dataset = session.dataset
    with contextlib.suppress(OSError, ValueError):
        scores = pd.read_csv(folder / "scores.csv", keep_default_na=False, dtype={"path": str})
        table = ScoreTable.read(folder, dataset)
        if table is not None and scores["index"].isin(dataset.index).all():
            order = np.argsort(dataset.index)
            at = order[np.searchsorted(dataset.index, scores["index"].to_numpy(), sorter=order)]
            paths = np.asarray(dataset.paths or [""] * len(dataset), dtype=object)
            wrong = scores["path"].to_numpy(dtype=object) != paths[at]
            if not wrong.any():
                return table
            raise DataError(folder / "scores.csv", f"scores other images than {session.source} "
                                                   f"(e.g. {scores['path'].iat[int(np.argmax(wrong))]}): choose the "
                                                   "folder that was scored")
    raise DataError(folder, f"these scores are not of {session.source} (other classes or images, or damaged)")
