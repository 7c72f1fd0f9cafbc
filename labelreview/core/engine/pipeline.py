"""Score a dataset end to end: choose the model, embed the images if it reads embeddings, cross-validate (a
backbone model's head averaged with its neighbour head, an ensemble's members averaged), analyse with cleanlab,
then run the model-free finders (duplicates, outliers, image quality)."""

import time
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from labelreview.core.data.dataset import Dataset
from labelreview.core.data.pixel_cache import decoded
from labelreview.core.data.row_cache import Fill
from labelreview.core.engine.backbone import BACKBONES
from labelreview.core.engine.cross_validation import (CrossValidation, FoldResult, FoldRunner, check_foldable,
                                                      cross_validate)
from labelreview.core.engine.embedding_store import FillMaker, dataset_embeddings
from labelreview.core.engine.image_pass import embed_and_measure, images_to_decode
from labelreview.core.engine.models import ModelSpec, members, resolve_model
from labelreview.core.engine.neighbour_head import NEIGHBOURS, VOTE_WEIGHT, neighbour_votes
from labelreview.core.errors import DataError
from labelreview.core.findings.analysis import Analysis, analyze
from labelreview.core.findings.issue_finders import Findings, find_issues
from labelreview.core.findings.neighbours import nearest_neighbours
from labelreview.core.progress import Callback, ignore_progress
from labelreview.core.run_clock import RunClock, load_rates, remember_rates


@dataclass(frozen=True)
class Workers:
    """Where a run's heavy work is done: the missing embeddings, the folds and the image-quality measurements.
    None: on this machine.

    The results are the same wherever the work runs; ``core.cluster`` supplies Ray's.
    """

    fill_embeddings: FillMaker | None = None
    run_folds: FoldRunner | None = None
    measure_images: Callable[[Dataset], Fill] | None = None


LOCAL = Workers()


@dataclass(frozen=True)
class ScoreRun:
    """Everything one scoring run produced for ``dataset``; ``spec`` is the model used, ``reason`` why.

    ``findings`` are the model-free finders' (None when they were not run, e.g. scoring with a trusted model).
    """

    dataset: Dataset
    spec: ModelSpec
    folds: int
    cv: CrossValidation
    analysis: Analysis
    seconds: float
    reason: str = ""
    findings: Findings | None = None


@dataclass(frozen=True)
class PartialScore:
    """Analysis of the examples held out by the first ``folds_done`` folds.

    ``indices`` (n,) are positions in ``dataset`` (the run's readable examples); ``pred_probs`` (n, K), ``fold_of``
    (n,) and the ``analysis`` arrays are aligned with them.
    """

    dataset: Dataset
    folds_done: int
    folds: int
    indices: np.ndarray
    pred_probs: np.ndarray
    fold_of: np.ndarray
    analysis: Analysis


def score_dataset(
    dataset: Dataset,
    spec: ModelSpec = ModelSpec(),
    *,
    folds: int = 5,
    callback: Callback = ignore_progress,
    on_partial: Callable[[PartialScore], None] | None = None,
    workers: Workers = LOCAL,
) -> ScoreRun:
    """Cross-validate ``spec`` (``auto``: see :func:`choose_model`) on ``dataset`` and rank suspected label errors.

    An ensemble's members are cross-validated on the same folds, one after another, and their out-of-sample
    probabilities averaged. ``on_partial`` receives a :class:`PartialScore` after every fold of the last member
    but its last, so a window can show suspects before the run ends. ``workers`` says where the embeddings and
    folds are computed (default: this process).
    """
    started = time.perf_counter()
    check_foldable(dataset.labels, dataset.class_names, folds)  # before any image is embedded or decoded
    spec, reason = resolve_model(spec, dataset)
    parts = members(spec)
    where = _where(workers)
    clock = RunClock(callback, _planned_work(dataset, parts, folds, workers), load_rates())
    heads = []  # (member, what it trains on, its neighbour votes or None), each for the same readable examples
    for member in parts:
        readable, inputs = model_inputs(dataset, member, callback=clock.stage(f"embed:{member.name}{where}"),
                                        workers=workers, measure=True, decode_callback=clock.stage("decode"))
        if heads and len(readable) < len(dataset):
            raise _changed_during_the_run(readable)
        dataset = readable
        heads.append((member, inputs, None if inputs is dataset else _neighbour_votes(dataset, inputs, clock)))
    earlier = [_with_votes(cross_validate(inputs, member, folds=folds, run_folds=workers.run_folds,
                                          callback=clock.stage(f"folds:{member.name}{where}")).pred_probs,
                           votes, slice(None))
               for member, inputs, votes in heads[:-1]]
    last, inputs, votes = heads[-1]

    def averaged(pred_probs: np.ndarray, rows) -> np.ndarray:
        """The last member's ``pred_probs`` (n, K) of examples ``rows``, with its votes, averaged with the
        earlier members' (n, K) float32."""
        total = _with_votes(pred_probs, votes, rows) + sum(probs[rows] for probs in earlier)
        return (total / len(heads)).astype(np.float32)

    done: list[FoldResult] = []

    def fold_finished(result: FoldResult) -> None:
        done.append(result)
        if on_partial is not None and len(done) < folds:
            indices = np.sort(np.concatenate([r.indices for r in done]))
            pred_probs = np.zeros((len(dataset), len(dataset.class_names)), dtype=np.float32)
            fold_of = np.full(len(dataset), -1, dtype=np.int64)
            for r in done:
                pred_probs[r.indices], fold_of[r.indices] = averaged(r.pred_probs, r.indices), r.fold
            analysis = analyze(dataset.labels[indices], pred_probs[indices], dataset.class_names)
            on_partial(PartialScore(dataset, len(done), folds, indices, pred_probs[indices], fold_of[indices],
                                    analysis))

    cv = cross_validate(inputs, last, folds=folds, callback=clock.stage(f"folds:{last.name}{where}"),
                        on_fold=fold_finished, run_folds=workers.run_folds)
    cv = CrossValidation(averaged(cv.pred_probs, slice(None)), cv.fold_of)
    clock.stage("analysis")(0.0, "finding label issues")
    analysis = analyze(dataset.labels, cv.pred_probs, dataset.class_names)
    findings = find_issues(dataset, embed=False, callback=clock.stage(_finding_stage(dataset, parts, workers)),
                           measure_with=workers.measure_images)
    if len(findings.dataset) < len(dataset):
        raise _changed_during_the_run(findings.dataset)
    remember_rates(clock.measured())
    callback(1.0, "done")
    return ScoreRun(dataset, spec, folds, cv, analysis, time.perf_counter() - started, reason, findings)


def _planned_work(dataset: Dataset, parts: tuple[ModelSpec, ...], folds: int, workers: Workers) -> dict[str, float]:
    """The run's stages, in the order they run, and their units of work (:class:`RunClock`)."""
    where = _where(workers)
    work: dict[str, float] = {}
    for member in parts:
        if member.name not in BACKBONES or workers != LOCAL:  # else the pass over the pixels decodes
            work.setdefault("decode", len(dataset) if dataset.pixels is None else 0)
        if member.name in BACKBONES:
            work[f"embed:{member.name}{where}"] = images_to_decode(dataset, BACKBONES[member.name],
                                                                  measure=workers == LOCAL)
            work["neighbours"] = len(dataset)
    for member in parts:
        work[f"folds:{member.name}{where}"] = len(dataset) * folds * max(member.epochs, 1)
    return {**work, "analysis": len(dataset), _finding_stage(dataset, parts, workers): len(dataset)}


def _finding_stage(dataset: Dataset, parts: tuple[ModelSpec, ...], workers: Workers) -> str:
    """The model-free finders' stage: they measure image quality themselves unless the pass that embedded the
    images did."""
    if workers == LOCAL and any(member.name in BACKBONES for member in parts):
        return "findings"
    kind = "files" if dataset.paths is not None else "arrays"
    return f"findings:measuring:{kind}{_where(workers)}"


def _where(workers: Workers) -> str:
    """What a stage's name says of where it runs: nothing on this machine."""
    return "" if workers == LOCAL else ":cluster"


def _changed_during_the_run(readable: Dataset) -> DataError:
    """The error for a file that could be read earlier in the run and no longer (the last of ``readable``'s
    skipped files)."""
    unreadable = readable.skipped[-1]
    return DataError(readable.root / unreadable.path, f"{unreadable.reason} (changed during the run? score again)")


def _neighbour_votes(dataset: Dataset, inputs: Dataset, clock: RunClock) -> np.ndarray:
    """A backbone model's second head: class probabilities (N, K) from the labels of each image's nearest
    neighbours among the embeddings ``inputs`` holds."""
    clock.stage("neighbours")(0.0, "finding each image's nearest neighbours")
    vectors = inputs.images().reshape(len(inputs), -1)  # (N, 1, 1, D) as model inputs
    return neighbour_votes(nearest_neighbours(vectors, NEIGHBOURS), dataset.labels, len(dataset.class_names))


def _with_votes(pred_probs: np.ndarray, votes: np.ndarray | None, rows) -> np.ndarray:
    """The head's ``pred_probs`` (n, K) of examples ``rows`` averaged with their neighbours' ``votes`` (N, K),
    weighted by VOTE_WEIGHT, when there are any."""
    if votes is None:
        return pred_probs
    return ((1 - VOTE_WEIGHT) * pred_probs + VOTE_WEIGHT * votes[rows]).astype(np.float32)


def model_inputs(dataset: Dataset, spec: ModelSpec, *, callback: Callback = ignore_progress,
                 workers: Workers = LOCAL, measure: bool = False,
                 decode_callback: Callback = ignore_progress) -> tuple[Dataset, Dataset]:
    """The examples whose files can be read (the others join ``skipped``), and what ``spec``'s model trains on
    for them: their images (decoded first, ``decode_callback`` the progress), or their embeddings from the store
    for a backbone model.

    ``measure``: on this machine, the pass that embeds the images measures their quality too (one decode per
    image for both; the model-free finders of a scoring run read the measurements next).
    """
    if spec.name in BACKBONES and measure and workers == LOCAL:
        readable, vectors = embed_and_measure(dataset, BACKBONES[spec.name], callback=callback)
        return readable, readable.with_features(vectors)
    readable = decoded(dataset, callback=decode_callback)
    if spec.name not in BACKBONES:
        return readable, readable
    return readable, readable.with_features(dataset_embeddings(readable, BACKBONES[spec.name], callback=callback,
                                                               fill_with=workers.fill_embeddings))
