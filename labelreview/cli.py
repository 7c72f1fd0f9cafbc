"""The ``labelreview`` command line (see README and design.md for the contract)."""

import argparse
import sys
from pathlib import Path

from labelreview import __version__
from labelreview.core.data.noise import NOISE_KINDS
from labelreview.core.engine.models import MODEL_NAMES, TRAINING_DEFAULTS
from labelreview.core.errors import DataError

MODEL_HELP = (f"one of {', '.join(MODEL_NAMES)} (default auto: lite0, logistic regression on pretrained "
              "EfficientNet-Lite0 embeddings, for colour or large images; cnn+lite0 for small grayscale ones, a CNN "
              "learned from them averaged with lite0; "
              "cnn-thorough, twice the epochs: better on injected noise, fewer suspects on a clean set, three to five "
              "times as long)")
EPOCHS_HELP = "CNN epochs (default: " + ", ".join(f"{e} for {m}" for m, (e, _) in TRAINING_DEFAULTS.items()) + ")"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="labelreview", description="Find and fix mislabeled images.")
    parser.add_argument("--version", action="version", version=f"labelreview {__version__}")
    commands = parser.add_subparsers(dest="command")

    def with_source(name: str, help: str) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help, description=help)
        sub.add_argument("source", metavar="SOURCE",
                         help="image folder, labels CSV, .npz, IDX file, mnist or mnist:test")
        sub.add_argument("--labels", metavar="CSV", help="labels CSV whose labels replace the given ones"
                         + (" (compare: the cleaned labels; unnamed and removed rows are left out)"
                            if name == "compare" else ""))
        sub.add_argument("--limit", metavar="N", type=int, help="keep the first N examples")
        return sub

    score = with_source("score", "cross-validate a model and rank suspected label errors")
    score.add_argument("--out", metavar="DIR", required=True, type=Path, help="folder for the result files")
    score.add_argument("--folds", metavar="K", type=int, default=5)
    score.add_argument("--epochs", metavar="E", type=int, help=EPOCHS_HELP)
    score.add_argument("--seed", metavar="S", type=int, default=0)
    score.add_argument("--model", metavar="NAME", choices=MODEL_NAMES, default="auto", help=MODEL_HELP)
    score.add_argument("--model-file", metavar="MODEL.keras", type=Path,
                       help="score with a trusted model from 'labelreview train' instead of cross-validating")
    score.add_argument("--ray", metavar="ADDRESS", help="embed and train the folds on the Ray cluster whose head is "
                       "at ADDRESS (host:port, or auto), or on a Ray instance started for the run (local); "
                       "needs pip install 'labelreview[cluster]' and SOURCE on a path every node sees")

    issues = with_source("issues", "find duplicates, label conflicts, outliers and image-quality issues "
                                   "(no model is trained; the images are embedded with the pretrained backbone)")
    issues.add_argument("--out", metavar="DIR", required=True, type=Path, help="folder for issues.csv")

    similar = with_source("similar", "list the images that look most like one image (by pretrained embeddings)")
    similar.add_argument("--image", metavar="PATH", required=True,
                         help="an image of SOURCE (path, or 'row N' for arrays) or any other image file")
    similar.add_argument("--k", metavar="K", type=int, default=20, help="how many (default 20)")

    train = with_source("train", "train the CNN on a dataset you trust and save it for scoring others")
    train.add_argument("--out", metavar="MODEL.keras", required=True, type=Path)
    train.add_argument("--epochs", metavar="E", type=int, help=f"default {TRAINING_DEFAULTS['cnn'][0]}")
    train.add_argument("--seed", metavar="S", type=int, default=0)

    compare = with_source("compare", "train on the original and on the cleaned labels, compare on a test set")
    compare.add_argument("--test", metavar="TESTSOURCE", required=True, help="held-out data, e.g. mnist:test")
    compare.add_argument("--original", metavar="CSV", help="labels before cleaning (default: the source's own)")
    compare.add_argument("--model", metavar="NAME", choices=MODEL_NAMES, default="auto", help=MODEL_HELP)
    compare.add_argument("--epochs", metavar="E", type=int, help=EPOCHS_HELP)
    compare.add_argument("--seed", metavar="S", type=int, default=0)
    compare.add_argument("--out", metavar="FILE.json", type=Path, help="also write the figures as JSON")

    noise = with_source("noise", "write a copy of the labels with synthetic label errors")
    noise.add_argument("--rate", metavar="R", type=float, required=True, help="share of labels to flip, 0..1")
    noise.add_argument("--seed", metavar="S", type=int, default=0)
    noise.add_argument("--out", metavar="DIR", required=True, type=Path)
    noise.add_argument("--kind", choices=NOISE_KINDS, default="uniform")
    noise.add_argument("--pairs", metavar="A:B,...", help="class pairs for --kind pairs (default 0:1,2:3,...)")

    gui = commands.add_parser("gui", help="open the review window", description="open the review window")
    gui.add_argument("source", metavar="SOURCE", nargs="?", help="dataset to open (see score)")
    gui.add_argument("--score", action="store_true", help="start scoring it unless saved scores exist")
    gui.add_argument("--labels", metavar="CSV", help="review SOURCE with this labels CSV (e.g. one noise wrote; "
                     "decisions are written to it)")
    gui.add_argument("--scores", metavar="DIR", help="open a results folder written by 'score --out' (elsewhere, on "
                     "a cluster), as File > Open scores does")

    calibrate = with_source("calibrate", "inject label errors into a copy of the labels and measure how many "
                                         "scoring finds (your labels are not touched)")
    calibrate.add_argument("--rate", metavar="R", type=float, required=True, help="share of labels to flip, 0..1")
    calibrate.add_argument("--kind", choices=NOISE_KINDS, default="uniform")
    calibrate.add_argument("--pairs", metavar="A:B,...", help="class pairs for --kind pairs")
    calibrate.add_argument("--folds", metavar="K", type=int, default=5)
    calibrate.add_argument("--model", metavar="NAME", choices=MODEL_NAMES, default="auto", help=MODEL_HELP)
    calibrate.add_argument("--epochs", metavar="E", type=int, help=EPOCHS_HELP)
    calibrate.add_argument("--seed", metavar="S", type=int, default=0)
    calibrate.add_argument("--out", metavar="DIR", type=Path, help="also write calibration.json and pr_curve.png")

    commands.add_parser("selftest", help="a tiny end-to-end run; exit 0 when healthy")
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from labelreview import commands

    handler = getattr(commands, args.command or "gui")
    try:
        return handler(args) or 0
    except DataError as error:
        print(f"labelreview: error: {error}", file=sys.stderr)
        return 2
    except OSError as error:
        where = f"{error.filename}: " if error.filename else ""
        print(f"labelreview: error: {where}{error.strerror or error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("labelreview: cancelled", file=sys.stderr)
        return 130
