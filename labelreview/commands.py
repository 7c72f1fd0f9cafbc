"""What each ``labelreview`` sub-command does, given its parsed arguments."""

import sys
import tempfile
from argparse import Namespace
from pathlib import Path

from labelreview.core.labels_table import write_labels_table
from labelreview.core.models import ModelSpec
from labelreview.core.noise import inject_noise, noise_tables, parse_pairs
from labelreview.core.pipeline import score_dataset
from labelreview.core.score_files import write_score_files
from labelreview.core.sources import open_source
from labelreview.terminal import TerminalProgress


def score(args: Namespace) -> int:
    """``labelreview score``: cross-validate, analyse, write the result files."""
    progress = TerminalProgress()
    try:
        dataset = open_source(args.source, labels=args.labels, limit=args.limit, callback=progress)
        spec = ModelSpec(name=args.model, epochs=args.epochs, seed=args.seed)
        run = score_dataset(dataset, spec, folds=args.folds, callback=progress)
    finally:
        progress.close()
    write_score_files(run, args.out)
    skipped = f", {len(dataset.skipped):,} unreadable files skipped" if dataset.skipped else ""
    print(f"{len(dataset):,} examples, {run.analysis.issue_count:,} suspects found, "
          f"health score {run.analysis.health_score:.3f}, {run.seconds:.1f} s{skipped} -> {args.out}")
    return 0


def noise(args: Namespace) -> int:
    """``labelreview noise``: write ``labels.csv`` with flipped labels and ``truth.csv``."""
    dataset = open_source(args.source, labels=args.labels, limit=args.limit, callback=TerminalProgress())
    pairs = parse_pairs(args.pairs, dataset.class_names) if args.pairs else None
    noisy = inject_noise(dataset.labels, len(dataset.class_names), rate=args.rate, kind=args.kind,
                         seed=args.seed, pairs=pairs)
    labels, truth = noise_tables(dataset, noisy)
    args.out.mkdir(parents=True, exist_ok=True)
    write_labels_table(args.out / "labels.csv", labels)
    write_labels_table(args.out / "truth.csv", truth)
    print(f"{len(truth):,} of {len(dataset):,} labels flipped ({args.kind}) -> {args.out}")
    return 0


def gui(args: Namespace) -> int:
    """``labelreview [gui [SOURCE]]``: the review window."""
    from labelreview.gui.app import run_gui

    return run_gui(getattr(args, "source", None), score=getattr(args, "score", False))


def selftest(args: Namespace) -> int:
    """``labelreview selftest``: offline MNIST, a short scoring run, cleanlab, result files."""
    checks = []

    def check(what: str, ok: bool) -> None:
        checks.append(ok)
        print(f"{'ok  ' if ok else 'FAIL'} {what}")

    dataset = open_source("mnist:test", limit=600)
    check(f"MNIST loads offline, checksum verified ({len(dataset)} images, {dataset.image_shape})",
          dataset.image_shape == (28, 28, 1))
    run = score_dataset(dataset, ModelSpec(name="logreg"), folds=3)
    check(f"3-fold scoring gives out-of-sample probabilities {run.cv.pred_probs.shape}",
          bool((run.cv.fold_of >= 0).all()) and abs(float(run.cv.pred_probs.sum(1).mean()) - 1) < 1e-3)
    accuracy = float((run.analysis.predicted == dataset.labels).mean())
    check(f"cross-validated accuracy {accuracy:.3f}, health score {run.analysis.health_score:.3f}",
          accuracy > 0.8 and 0.5 < run.analysis.health_score <= 1)
    with tempfile.TemporaryDirectory() as out:
        write_score_files(run, Path(out))
        names = sorted(p.name for p in Path(out).iterdir())
    check(f"result files written: {', '.join(names)}", names == ["health.json", "pred_probs.npy", "scores.csv"])
    healthy = all(checks)
    print("selftest passed" if healthy else "selftest FAILED", file=sys.stderr)
    return 0 if healthy else 1
