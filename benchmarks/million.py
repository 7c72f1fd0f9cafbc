"""A million images on the laptop: a synthetic results folder of 1,000,000 real image files, reviewed in the real
window offscreen, with a watchdog timer that measures every stall of the GUI thread.

    python benchmarks/million.py [--images N] [--work DIR]   # writes DIR once, then prints one JSON line

``DIR`` (default ``.bench-data/million``) gets ``images/`` (10 classes of 16 x 16 PNG files, 1,000 a folder),
``results/`` as ``labelreview score --out`` writes it (scores.csv, pred_probs.npy, health.json, issues.csv: real
cleanlab on simulated out-of-sample probabilities, 5% of the labels wrong; near duplicates, outliers and quality
issues planted), and ``cache/`` with the embeddings as a Score leaves them in the embedding store (and the map's
layout beside them, as after the map was first drawn: t-SNE of a million points is a cluster's job). The window
then opens the results (File -> Open scores), scrolls, filters, sorts, searches and relabels 1,000 selected
images; each action's worst stall is the longest the GUI thread went without serving a 10 ms timer.
"""

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import subprocess
import sys
import time
from io import BytesIO
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

CLASSES = 10
PER_FOLDER = 1_000
VARIANTS = 64  # distinct images per class; the files repeat them (their bytes, not their paths)
NOISE = 0.05
DIM = 1280  # EfficientNet-Lite0's embedding


def image_bytes(k: int, variant: int) -> bytes:
    """A 16 x 16 PNG of class ``k``: its hue, with noise."""
    from PIL import Image

    rng = np.random.default_rng(k * VARIANTS + variant)
    base = np.array([(37 * k) % 256, (91 * k + 40) % 256, (53 * k + 120) % 256], dtype=np.int16)
    pixels = np.clip(base + rng.integers(-40, 40, (16, 16, 3)), 0, 255).astype(np.uint8)
    buffer = BytesIO()
    Image.fromarray(pixels).save(buffer, format="PNG")
    return buffer.getvalue()


def write_block(task: tuple[Path, int, int, int]) -> None:
    images, k, block, count = task
    folder = images / f"c{k}" / f"{block:03d}"
    folder.mkdir(parents=True, exist_ok=True)
    variants = [image_bytes(k, v) for v in range(VARIANTS)]
    for j in range(count):
        (folder / f"{block * PER_FOLDER + j:06d}.png").write_bytes(variants[j % VARIANTS])


def write_images(images: Path, n: int) -> None:
    per_class = n // CLASSES
    tasks = [(images, k, block, min(PER_FOLDER, per_class - block * PER_FOLDER))
             for k in range(CLASSES) for block in range(-(-per_class // PER_FOLDER))]
    with multiprocessing.Pool(os.cpu_count() or 2) as pool:
        pool.map(write_block, tasks, chunksize=4)


def write_results(work: Path, n: int) -> dict:
    """Images, results folder and embedding store (timings of each step)."""
    from labelreview.core.data.sources import open_source
    from labelreview.core.data.row_cache import RowFill, dataset_keys
    from labelreview.core.engine.backbone import LITE0
    from labelreview.core.engine.cross_validation import CrossValidation
    from labelreview.core.engine.embedding_store import store_folder
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import ScoreRun
    from labelreview.core.findings.analysis import analyze
    from labelreview.core.findings.duplicates import DuplicateSets
    from labelreview.core.findings.embedding_map import layout_path
    from labelreview.core.findings.issue_finders import Findings
    from labelreview.core.findings.outliers import Outliers
    from labelreview.core.findings.score_files import write_score_files

    figures, clock = {}, time.perf_counter()
    write_images(work / "images", n)
    figures["write_images_s"] = round(time.perf_counter() - clock, 1)
    dataset = open_source(str(work / "images"))
    n, rng = len(dataset), np.random.default_rng(0)
    truth = dataset.labels.copy()
    wrong = rng.random(n) < NOISE
    truth[wrong] = (truth[wrong] + rng.integers(1, CLASSES, wrong.sum())) % CLASSES  # the folder's label is wrong
    confident = rng.uniform(0.4, 0.95, n)[:, None]
    pred_probs = ((1 - confident) * rng.dirichlet(np.ones(CLASSES), n) + confident * np.eye(CLASSES)[truth])
    pred_probs = pred_probs.astype(np.float32)
    clock = time.perf_counter()
    analysis = analyze(dataset.labels, pred_probs, dataset.class_names)
    figures["cleanlab_s"] = round(time.perf_counter() - clock, 1)
    findings = Findings(dataset, *planted_findings(n, rng, DuplicateSets, Outliers), embedded=True)
    run = ScoreRun(dataset, ModelSpec("lite0"), 5, CrossValidation(pred_probs, np.arange(n) % 5), analysis,
                   seconds=0.0, reason="benchmarks/million.py", findings=findings)
    write_score_files(run, work / "results", source=str(work / "images"))
    clock = time.perf_counter()
    store = store_folder(dataset, LITE0)
    with RowFill(store, dataset_keys(dataset), (DIM,), np.float16) as vectors:
        centres = rng.normal(size=(CLASSES, DIM)).astype(np.float32)
        for start in range(0, n, 50_000):
            rows = slice(start, min(start + 50_000, n))
            noise = rng.normal(scale=0.8, size=(rows.stop - start, DIM)).astype(np.float32)
            vectors.rows[rows] = (centres[truth[rows]] + noise).astype(np.float16)
        vectors.finished(list(range(n)), {})
    embeddings, _ = vectors.result()
    figures["write_embeddings_s"] = round(time.perf_counter() - clock, 1)
    angle = 2 * np.pi * truth / CLASSES  # the map: one cluster per true class, as t-SNE draws them
    layout = np.stack([np.cos(angle), np.sin(angle)], axis=1) * 30 + rng.normal(scale=6, size=(n, 2))
    np.save(layout_path(embeddings, store), layout.astype(np.float32))
    return figures


def planted_findings(n: int, rng, duplicate_sets, outliers) -> tuple:
    """Quality issues, duplicate pairs and outliers at random images: (quality, duplicates, outliers)."""
    import pandas as pd

    quality_at = rng.choice(n, 4_000, replace=False)
    quality = pd.DataFrame({"position": quality_at, "issue": np.where(np.arange(4_000) % 2, "dark", "blurry"),
                            "score": rng.uniform(0, 0.2, 4_000), "detail": ""})
    pairs = rng.choice(n, (2_000, 2), replace=False)
    group, nearest = np.full(n, -1, np.int64), np.full(n, -1, np.int64)
    group[pairs[:, 0]] = group[pairs[:, 1]] = np.arange(len(pairs))
    nearest[pairs[:, 0]], nearest[pairs[:, 1]] = pairs[:, 1], pairs[:, 0]
    similarity = np.where(group >= 0, 0.97, 0).astype(np.float32)
    duplicates = duplicate_sets(group, np.zeros(n, bool), nearest, similarity)
    score = rng.uniform(0, 1, n)
    return quality, duplicates, outliers(score, score < 0.002, score < 0.001)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--images", type=int, default=1_000_000)
    parser.add_argument("--work", type=Path, default=Path(__file__).resolve().parents[1] / ".bench-data" / "million")
    parser.add_argument("--checkout", type=Path, help="the labelreview source tree whose window is driven "
                                                       "(default: this one), to time two side by side")
    parser.add_argument("--drive", action="store_true", help=argparse.SUPPRESS)  # the window's own process
    args = parser.parse_args()
    work = args.work / f"{args.images // 1000}k"
    os.environ.update(LABELREVIEW_CACHE_DIR=str(work / "cache"), LABELREVIEW_CONFIG_DIR=str(work / "config"),
                      LABELREVIEW_DATA_DIR=str(work / "data"))
    if args.drive:
        if args.checkout:
            sys.path.insert(0, str(args.checkout.resolve()))
        from million_window import drive

        print(json.dumps(drive(work / "results")))
        return
    figures = {"images": args.images, "checkout": (args.checkout or Path(__file__).parents[1]).resolve().name}
    if not (work / "results" / "health.json").is_file():
        shutil.rmtree(work, ignore_errors=True)
        figures.update(write_results(work, args.images))
    for leftover in [*work.glob("images.labels.csv*"), work / "config", work / "data", work / "cache" / "decoded"]:
        if leftover.is_dir():  # what a review before left: the labels CSV and its scores, settings, decoded pixels
            shutil.rmtree(leftover)
        elif leftover.exists():
            leftover.unlink()
    window = subprocess.run([sys.executable, __file__, "--images", str(args.images), "--work", str(args.work),
                             "--drive", *(["--checkout", str(args.checkout)] if args.checkout else [])],
                            capture_output=True, text=True, env={**os.environ, "QT_QPA_PLATFORM": "offscreen"})
    if window.returncode:
        sys.exit(window.stderr)
    figures.update(json.loads(window.stdout.splitlines()[-1]))
    figures["generator_peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)  # writing it
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
