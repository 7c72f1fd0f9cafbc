"""Issue 15's figures: scoring on Ray, and what 1,000,000 images would cost.

    python benchmarks/ray_scaling.py workers     # 2,642 clip-art images: here, then on Ray with 1 and 2 worker CPUs
    python benchmarks/ray_scaling.py costs       # per-image costs: open, quality, decode, embed (one CPU each)
    python benchmarks/ray_scaling.py synthetic   # 1,000,000 synthetic 1280-d embeddings: heads, cleanlab, files
    python benchmarks/ray_scaling.py neighbours  # the driver's all-pairs neighbour search on 100,000 of them

Each prints one JSON line; ``run.py`` turns them into the projection (:func:`projection`).
"""

import json
import os
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from clipart import CATEGORIES, CLIPART

BIN = Path(sys.executable).parent
SYNTHETIC_ROWS, SYNTHETIC_DIM, SYNTHETIC_CLASSES, NOISE = 1_000_000, 1280, 10, 0.03
FOLDS = 5
MILLION = 1_000_000


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def clipart_folder(parent: Path, per_class: int | None = None) -> Path:
    """The first ``per_class`` files (default: all) of each of ten clip-art classes, linked into
    ``parent/clipart/<class>/``."""
    root = parent / "clipart"
    for name in CATEGORIES:
        (root / name).mkdir(parents=True)
        for path in sorted((CLIPART / name).rglob("*.png"))[:per_class]:
            (root / name / "-".join(path.relative_to(CLIPART / name).parts)).symlink_to(path)
    return root


def score_command(folder: Path, cache: Path, *ray: str) -> dict:
    """``labelreview score`` in its own process with an empty cache: wall seconds and the run's own seconds."""
    env = dict(os.environ, LABELREVIEW_CACHE_DIR=str(cache))
    started = time.perf_counter()
    result = subprocess.run([str(BIN / "labelreview"), "score", str(folder), "--out", str(cache / "out"), *ray],
                            capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - started
    run_s = float(re.search(r"health score [\d.]+, ([\d.]+) s", result.stdout).group(1))
    return {"wall_s": round(wall, 1), "run_s": run_s,
            "pred_probs": np.load(cache / "out" / "pred_probs.npy")}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def on_ray(folder: Path, cache: Path, cpus: int) -> dict:
    """Score ``folder`` on a Ray head of ``cpus`` CPUs started on 127.0.0.1 for the run."""
    port = free_port()
    env = dict(os.environ, RAY_USAGE_STATS_ENABLED="0", RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER="0",
               PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    subprocess.run([str(BIN / "ray"), "start", "--head", f"--port={port}", f"--num-cpus={cpus}",
                    "--node-ip-address=127.0.0.1", "--include-dashboard=false", "--disable-usage-stats"],
                   env=env, check=True, capture_output=True)
    try:
        return score_command(folder, cache, "--ray", f"127.0.0.1:{port}")
    finally:
        subprocess.run([str(BIN / "ray"), "stop", "--force"], env=env, capture_output=True)


def workers_figures() -> dict:
    """The 2,642 clip-art images of ten classes scored (embeddings, quality, heads, analysis) here, and on Ray
    with 1 and 2 CPUs, each run with an empty cache."""
    with tempfile.TemporaryDirectory() as scratch:
        folder = clipart_folder(Path(scratch))
        runs = {"here": score_command(folder, Path(scratch, "here"))}
        for cpus in (1, 2):
            runs[f"ray{cpus}"] = on_ray(folder, Path(scratch, f"ray{cpus}"), cpus)
    same = max(float(np.abs(runs[name]["pred_probs"] - runs["here"]["pred_probs"]).max()) for name in ("ray1", "ray2"))
    figures = {"case": "ray-workers-clipart", "images": len(runs["here"]["pred_probs"])}
    for name, run in runs.items():
        figures[f"{name}_wall_s"], figures[f"{name}_run_s"] = run["wall_s"], run["run_s"]
    figures["speedup_2_over_1"] = round(runs["ray1"]["wall_s"] / runs["ray2"]["wall_s"], 2)
    figures["max_pred_probs_difference"] = float(f"{same:.2g}")
    return figures


def costs_figures(per_class: int = 50) -> dict:
    """Milliseconds per image: opening (decode to the model-size pixel cache, on the pixel cache's threads), and
    on one CPU the quality measures, decoding at the backbone's size, embedding (batches of 64)."""
    from labelreview.core.data.sources import open_source
    from labelreview.core.engine.backbone import LITE0, load_embedder
    from labelreview.core.engine.embedding_store import file_reader
    from labelreview.core.findings.image_properties import image_properties

    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = scratch
        folder = clipart_folder(Path(scratch), per_class)
        started = time.perf_counter()
        dataset = open_source(str(folder))
        n = len(dataset)
        open_ms = 1000 * (time.perf_counter() - started) / n
        started = time.perf_counter()
        image_properties(dataset)
        quality_ms = 1000 * (time.perf_counter() - started) / n
        read = file_reader(dataset.root, dataset.paths, LITE0.side)
        started = time.perf_counter()
        pixels = np.stack([read(i) for i in range(len(dataset))])
        decode_ms = 1000 * (time.perf_counter() - started) / len(dataset)
        embed = load_embedder(LITE0, threads=1)
        embed(pixels[:64])  # compiled
        started = time.perf_counter()
        for start in range(0, len(pixels), 64):
            embed(pixels[start:start + 64])
        embed_ms = 1000 * (time.perf_counter() - started) / len(pixels)
    return {"case": "per-image-costs-clipart", "images": n, "threads": 1, "open_ms": round(open_ms, 2),
            "quality_ms": round(quality_ms, 2), "decode_224_ms": round(decode_ms, 2), "embed_ms": round(embed_ms, 1)}


def synthetic_embeddings(rows: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``rows`` float16 vectors (rows, 1280) around one centre per class; given labels (3% flipped) and true."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(SYNTHETIC_CLASSES, SYNTHETIC_DIM)).astype(np.float32)
    truth = rng.integers(0, SYNTHETIC_CLASSES, rows)
    vectors = np.empty((rows, SYNTHETIC_DIM), np.float16)
    for start in range(0, rows, 50_000):
        part = slice(start, start + 50_000)
        vectors[part] = centres[truth[part]] * 0.25 + rng.normal(size=(len(truth[part]), SYNTHETIC_DIM))
    given = truth.copy()
    flipped = rng.random(rows) < NOISE
    given[flipped] = (truth[flipped] + rng.integers(1, SYNTHETIC_CLASSES, flipped.sum())) % SYNTHETIC_CLASSES
    return vectors, given, truth


def synthetic_figures(rows: int = SYNTHETIC_ROWS) -> dict:
    """The heads (5 folds of the backbone model's logistic regression), cleanlab's analysis and the result files
    for ``rows`` synthetic embeddings, on this machine, with the peak memory of the process."""
    from labelreview.core.data.dataset import array_dataset
    from labelreview.core.engine.cross_validation import cross_validate
    from labelreview.core.engine.models import ModelSpec
    from labelreview.core.engine.pipeline import ScoreRun
    from labelreview.core.findings.analysis import analyze
    from labelreview.core.findings.score_files import write_score_files

    vectors, given, truth = synthetic_embeddings(rows)
    names = tuple(f"class{k}" for k in range(SYNTHETIC_CLASSES))
    dataset = array_dataset("synthetic", np.zeros((rows, 1, 1, 1), np.uint8), given, names).with_features(vectors)
    spec = ModelSpec("lite0")
    started = time.perf_counter()
    cv = cross_validate(dataset, spec, folds=FOLDS)
    heads_s = time.perf_counter() - started
    started = time.perf_counter()
    analysis = analyze(given, cv.pred_probs, names)
    analysis_s = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as out:
        started = time.perf_counter()
        write_score_files(ScoreRun(dataset, spec, FOLDS, cv, analysis, heads_s + analysis_s, "benchmark"), Path(out))
        files_s = time.perf_counter() - started
    flipped = given != truth
    found = analysis.is_label_issue
    return {"case": "synthetic-heads-and-cleanlab", "rows": rows, "dim": SYNTHETIC_DIM, "classes": SYNTHETIC_CLASSES,
            "folds": FOLDS, "heads_s": round(heads_s, 1), "analysis_s": round(analysis_s, 1),
            "files_s": round(files_s, 1), "total_s": round(heads_s + analysis_s + files_s, 1),
            "precision": round(float((found & flipped).sum() / max(1, found.sum())), 3),
            "recall": round(float((found & flipped).sum() / flipped.sum()), 3), "peak_mb": peak_mb()}


def neighbours_figures(rows: int = 100_000) -> dict:
    """The driver's all-pairs search for near duplicates and outliers (20 nearest of each row) on ``rows``
    synthetic embeddings: it grows as rows squared."""
    from labelreview.core.findings.neighbours import nearest_neighbours

    vectors, _, _ = synthetic_embeddings(rows)
    started = time.perf_counter()
    nearest_neighbours(vectors, 20)
    return {"case": "synthetic-neighbours", "rows": rows, "neighbours_s": round(time.perf_counter() - started, 1),
            "peak_mb": peak_mb()}


def projection(costs: dict, synthetic: dict, neighbours: dict, nodes=(1, 4, 16, 64), cpus_per_node: int = 8,
               images: int = MILLION) -> list[dict]:
    """Hours for ``images`` images on ``nodes`` nodes of ``cpus_per_node`` CPUs each, from the measured costs.

    Decoding, quality and embedding run on the workers and divide by the CPUs. The heads are one task per fold:
    they divide by the CPUs up to :data:`FOLDS` and no further (one fold measured here on 2 CPUs is taken as
    twice as long on one). The driver's share does not divide: opening the folder (model-size decode), the
    all-pairs neighbour search (grows as images squared), cleanlab's analysis and writing the files.
    """
    worker_ms = costs["decode_224_ms"] + costs["embed_ms"] + costs["quality_ms"]
    fold_s = 2 * synthetic["heads_s"] / FOLDS * images / synthetic["rows"]
    driver_s = (images * costs["open_ms"] / 1000 + neighbours["neighbours_s"] * (images / neighbours["rows"]) ** 2
                + (synthetic["analysis_s"] + synthetic["files_s"]) * images / synthetic["rows"])
    rows = []
    for count in nodes:
        cpus = count * cpus_per_node
        embed_s = images * worker_ms / 1000 / cpus
        heads_s = fold_s * -(-FOLDS // min(cpus, FOLDS))
        total = embed_s + heads_s + driver_s
        rows.append({"images": images, "nodes": count, "cpus": cpus, "workers_h": round(embed_s / 3600, 2),
                     "heads_h": round(heads_s / 3600, 2), "driver_h": round(driver_s / 3600, 2),
                     "total_h": round(total / 3600, 2), "driver_share": f"{driver_s / total:.0%}"})
    return rows


if __name__ == "__main__":
    case, *size = sys.argv[1:]  # an optional size: images per class, or synthetic rows
    figures = {"workers": workers_figures, "costs": costs_figures, "synthetic": synthetic_figures,
               "neighbours": neighbours_figures}[case](*map(int, size))
    print(json.dumps(figures), flush=True)
