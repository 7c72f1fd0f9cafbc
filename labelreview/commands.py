"""What each ``labelreview`` sub-command does, given its parsed arguments."""

import contextlib
import json
import sys
from argparse import Namespace
from pathlib import Path

import numpy as np

from labelreview.core.atomic import write_text_atomic
from labelreview.core.data.dataset import Dataset
from labelreview.core.data.labels_table import write_labels_table
from labelreview.core.data.noise import inject_noise, noise_tables, parse_pairs
from labelreview.core.data.sources import cleaned_subset, open_source
from labelreview.core.engine.backbone import LITE0
from labelreview.core.engine.embedding_store import dataset_embeddings, store_folder
from labelreview.core.engine.models import ModelSpec
from labelreview.core.engine.pipeline import LOCAL, score_dataset
from labelreview.core.engine.trusted_model import score_with_model, train_trusted_model
from labelreview.core.errors import DataError
from labelreview.core.findings.issue_finders import find_issues
from labelreview.core.findings.issue_table import issue_counts, issues_frame, write_issues
from labelreview.core.findings.score_files import write_score_files
from labelreview.core.findings.similarity import SimilarityIndex, embed_file, query_position
from labelreview.core.report.charts import Theme, precision_recall_figure
from labelreview.core.review.calibration import calibrate as run_calibration
from labelreview.core.review.compare import compare_cleaning
from labelreview.reports import calibration_json, calibration_text, comparison_json, comparison_table
from labelreview.terminal import TerminalProgress


def score(args: Namespace) -> int:
    """``labelreview score``: cross-validate (here, or on a Ray cluster with ``--ray``), analyse, write the files.

    The files are written only once the run has finished: a cancelled or failed run leaves none.
    """
    if args.ray and args.model_file:
        raise DataError(None, "--ray cross-validates on a cluster; --model-file scores here: give one of them")
    with TerminalProgress() as progress, _workers(args.ray) as workers:
        dataset = _open(args, progress)
        if args.model_file:
            run = score_with_model(dataset, args.model_file, callback=progress)
        else:
            run = score_dataset(dataset, _spec(args), folds=args.folds, callback=progress, workers=workers)
    health = write_score_files(run, args.out, source=_where(args.source), labels=args.labels and _where(args.labels))
    skipped = f", {len(dataset.skipped):,} unreadable files skipped" if dataset.skipped else ""
    print(f"{len(dataset):,} examples, {run.analysis.issue_count:,} suspects found, "
          f"health score {run.analysis.health_score:.3f}, {run.seconds:.1f} s{skipped} -> {args.out}\n"
          f"model {run.spec.name} ({run.reason}), agreement with the given labels {health['agreement']:.1%}")
    found = _issue_summary(health["issue_counts"], skip=("label",))
    print(f"other issues: {found or 'none found'} (issues.csv)")
    if health["agreement_warning"]:
        print(f"warning: {health['agreement_warning']}", file=sys.stderr)
    return 0


def _issue_summary(counts: dict[str, int], skip=()) -> str:
    """``label conflict: 3, duplicate: 12, ...``: the kinds found, with their image counts."""
    return ", ".join(f"{kind.replace('_', ' ')}: {count:,}" for kind, count in counts.items() if count and kind not in skip)


def issues(args: Namespace) -> int:
    """``labelreview issues``: the model-free finders alone, written as ``issues.csv``."""
    with TerminalProgress() as progress:
        dataset = _open(args, progress)
        findings = find_issues(dataset, callback=progress)
    frame = issues_frame(findings.dataset, findings)
    args.out.mkdir(parents=True, exist_ok=True)
    write_issues(frame, args.out)
    found = _issue_summary(issue_counts(frame))
    print(f"{len(findings.dataset):,} images: {found or 'no issues found'} -> {args.out / 'issues.csv'}")
    return 0


def similar(args: Namespace) -> int:
    """``labelreview similar``: the ``--k`` images nearest to ``--image`` in embedding space, nearest first."""
    if args.k < 1:
        raise DataError(None, f"--k must be at least 1, not {args.k}")
    with TerminalProgress() as progress:
        dataset = _open(args, progress)
        vectors = dataset_embeddings(dataset, callback=progress)
        position = query_position(dataset, args.image)
        query = vectors[position] if position is not None else embed_file(Path(args.image))
        index = SimilarityIndex.build(vectors, store_folder(dataset, LITE0), callback=progress)
    positions, distances = index.nearest(np.asarray(query, np.float32), args.k, exclude=position)
    names = dataset.label_names()
    for i, distance in zip(positions, distances):
        print(f"{dataset.path_or_row(i)}\t{names[i]}\t{distance:.4f}")
    return 0


def _workers(ray_address: str | None):
    """Where a run's work is done: on the Ray cluster at ``ray_address`` while the block lasts, else here."""
    if ray_address is None:
        return contextlib.nullcontext(LOCAL)
    from labelreview.core.cluster.connect import on_cluster  # Ray is imported only when asked for

    return on_cluster(ray_address)


def _where(source: str) -> str:
    """``source`` as another process could open it: an existing path made absolute, anything else as given."""
    return str(Path(source).resolve()) if Path(source).exists() else source


def _open(args: Namespace, progress) -> Dataset:
    """The command's SOURCE with its ``--labels`` and ``--limit``."""
    return open_source(args.source, labels=args.labels, limit=args.limit, callback=progress)


def _spec(args: Namespace) -> ModelSpec:
    """The model the command's ``--model``, ``--epochs`` and ``--seed`` describe."""
    return ModelSpec(name=args.model, epochs=args.epochs, seed=args.seed)


def noise(args: Namespace) -> int:
    """``labelreview noise``: write ``labels.csv`` with flipped labels and ``truth.csv``."""
    with TerminalProgress() as progress:
        dataset = _open(args, progress)
    pairs = parse_pairs(args.pairs, dataset.class_names) if args.pairs else None
    noisy = inject_noise(dataset.labels, len(dataset.class_names), rate=args.rate, kind=args.kind,
                         seed=args.seed, pairs=pairs)
    labels, truth = noise_tables(dataset, noisy, args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    write_labels_table(args.out / "labels.csv", labels)
    write_labels_table(args.out / "truth.csv", truth)
    print(f"{len(truth):,} of {len(dataset):,} labels flipped ({args.kind}) -> {args.out}")
    return 0


def train(args: Namespace) -> int:
    """``labelreview train``: fit the CNN on a trusted dataset and save it."""
    with TerminalProgress() as progress:
        dataset = _open(args, progress)
        train_trusted_model(dataset, ModelSpec(epochs=args.epochs, seed=args.seed), args.out, callback=progress)
    print(f"trained on {len(dataset):,} examples of {len(dataset.class_names)} classes -> {args.out}")
    return 0


def compare(args: Namespace) -> int:
    """``labelreview compare``: original vs cleaned labels, judged on a held-out test set."""
    with TerminalProgress() as progress:
        original = open_source(args.source, labels=args.original, limit=args.limit, callback=progress)
        cleaned = cleaned_subset(original, Path(args.labels), complete=args.limit is None) if args.labels else original
        test = open_source(args.test, callback=progress)
        spec = _spec(args)
        result = compare_cleaning(original, cleaned, test, spec, callback=progress)
    print(comparison_table(result))
    if args.out:
        write_text_atomic(args.out, json.dumps(comparison_json(result), indent=2) + "\n")
    return 0


def calibrate(args: Namespace) -> int:
    """``labelreview calibrate``: precision and recall on injected errors, per class, and the ranking's curve."""
    with TerminalProgress() as progress:
        dataset = _open(args, progress)
        pairs = parse_pairs(args.pairs, dataset.class_names) if args.pairs else None
        result = run_calibration(dataset, _spec(args),
                                 rate=args.rate, kind=args.kind, pairs=pairs, seed=args.seed, folds=args.folds,
                                 callback=progress)
    print(calibration_text(result))
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        write_text_atomic(args.out / "calibration.json", json.dumps(calibration_json(result), indent=2) + "\n")
        precision_recall_figure(result.curve_precision, result.curve_recall, Theme.for_dark(False)).savefig(
            args.out / "pr_curve.png", dpi=150)
        print(f"Wrote {args.out / 'calibration.json'} and {args.out / 'pr_curve.png'}")
    return 0


def gui(args: Namespace) -> int:
    """``labelreview [gui [SOURCE]]``: the review window."""
    from labelreview.gui.app import run_gui

    labels, scores = getattr(args, "labels", None), getattr(args, "scores", None)
    if labels and not getattr(args, "source", None):
        raise DataError(Path(labels), "--labels needs the SOURCE it labels")
    if scores and getattr(args, "source", None):
        raise DataError(Path(scores), "--scores opens the dataset it was scored from: give no SOURCE beside it")
    return run_gui(getattr(args, "source", None), labels=labels and str(Path(labels).absolute()),
                   score=getattr(args, "score", False), scores=scores and Path(scores).absolute())


def selftest(args: Namespace) -> int:
    """``labelreview selftest``: see :mod:`labelreview.selftest`."""
    from labelreview.selftest import run_selftest

    return run_selftest()
