"""Issue 14's targets: the embedding map and "more like this".

    python benchmarks/embedding_map.py map       # 60,000 MNIST: PCA view, UMAP layout, paint times while panning
    python benchmarks/embedding_map.py search    # nearest neighbours: 60,000 MNIST, 1,000,000 synthetic 1280-d
    python benchmarks/embedding_map.py cluster   # 300 clip-art images given another class's label by one rule

Each prints one JSON line. The 60,000 MNIST embeddings come from the store (computed first if missing: ~10 min).
"""

import json
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from labelreview.core.data.sources import open_source
from labelreview.core.engine.embedding_store import dataset_embeddings, stored_embeddings
from labelreview.core.findings.embedding_map import pca_layout, umap_layout
from labelreview.core.findings.neighbours import unit_rows
from labelreview.core.findings.similarity import SimilarityIndex

CLIPART = Path("/usr/share/openclipart/png")
PLANTED = 300
SYNTHETIC_ROWS, SYNTHETIC_DIM = 1_000_000, 1280


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def mnist_vectors() -> np.ndarray:
    dataset = open_source("mnist")
    return stored_embeddings(dataset) if stored_embeddings(dataset) is not None else dataset_embeddings(dataset)


def map_figures() -> dict:
    """PCA view and UMAP layout of 60,000 embeddings, then the map drawn offscreen while panning."""
    dataset = open_source("mnist")
    vectors = mnist_vectors()
    started = time.perf_counter()
    first = pca_layout(vectors)
    pca_s = time.perf_counter() - started
    started = time.perf_counter()
    layout = umap_layout(vectors)
    umap_s = time.perf_counter() - started
    frames = paint_times(layout, dataset.labels)
    return {"case": "map-mnist60k", "images": len(vectors), "pca_s": round(pca_s, 2), "umap_s": round(umap_s, 1),
            "pan_frames": len(frames), "median_frame_ms": round(statistics.median(frames), 1),
            "p90_frame_ms": round(float(np.percentile(frames, 90)), 1), "first_and_final_finite":
            bool(np.isfinite(first).all() and np.isfinite(layout).all()), "peak_mb": peak_mb()}


def paint_times(layout: np.ndarray, labels: np.ndarray) -> list[float]:
    """Milliseconds per repaint of the Map tab's plot (1000 x 700, coloured by label) while panning and zooming."""
    from PySide6.QtWidgets import QApplication

    from labelreview.gui.map_plot import MapPlot
    from labelreview.gui.map_view import group_colours
    from labelreview.core.review.map_groups import MapGroups

    app = QApplication.instance() or QApplication([])
    plot = MapPlot()
    plot.resize(1000, 700)
    plot.show()
    groups = MapGroups(labels.astype(np.int64), tuple(str(k) for k in range(10)))
    plot.set_map(layout, groups.group_of, group_colours(groups))
    plot.set_marks(*(np.arange(len(layout)) % n == 0 for n in (50, 200, 500)))
    app.processEvents()
    (x0, x1), (y0, y1) = plot.box.viewRange()
    times = []
    for step in range(120):
        zoom = 1 if step < 60 else 0.3  # the whole map, then zoomed in
        shift = (x1 - x0) * 0.01 * (step % 60)
        plot.box.setRange(xRange=(x0 + shift, x0 + shift + (x1 - x0) * zoom), yRange=(y0, y0 + (y1 - y0) * zoom),
                          padding=0)
        started = time.perf_counter()
        plot.viewport().repaint()
        times.append(1000 * (time.perf_counter() - started))
    return times


def search_figures() -> dict:
    """Query times: exact over 60,000 MNIST embeddings; the inverted-file index over 1,000,000 synthetic ones."""
    vectors = mnist_vectors()
    started = time.perf_counter()
    exact = SimilarityIndex.build(vectors)
    exact_build_s = time.perf_counter() - started
    exact_ms = query_times(exact, vectors)
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(2_000, SYNTHETIC_DIM)).astype(np.float32)
    synthetic = np.empty((SYNTHETIC_ROWS, SYNTHETIC_DIM), np.float16)  # clustered, as embeddings are
    for start in range(0, SYNTHETIC_ROWS, 50_000):
        rows = slice(start, start + 50_000)
        synthetic[rows] = centres[rng.integers(0, len(centres), 50_000)] + rng.normal(size=(50_000, SYNTHETIC_DIM),
                                                                                      scale=0.6).astype(np.float32)
    before = peak_mb()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        index = SimilarityIndex.build(synthetic, Path(folder))
        build_s = time.perf_counter() - started
        index_mb = round(sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20)
        started = time.perf_counter()
        SimilarityIndex.build(synthetic, Path(folder))
        reload_s = time.perf_counter() - started
    ivf_ms = query_times(index, synthetic)
    recall = recall_at_10(index, synthetic, rng)
    return {"case": "more-like-this", "mnist_images": len(vectors), "exact_build_s": round(exact_build_s, 2),
            "exact_median_ms": round(statistics.median(exact_ms), 1), "synthetic_rows": SYNTHETIC_ROWS,
            "index_build_s": round(build_s, 1), "index_file_mb": index_mb, "index_reload_s": round(reload_s, 1),
            "index_median_ms": round(statistics.median(ivf_ms), 1), "index_p90_ms": round(float(np.percentile(ivf_ms, 90)), 1),
            "recall_at_10": recall, "peak_mb_before_index": before, "peak_mb": peak_mb()}


def query_times(index: SimilarityIndex, vectors: np.ndarray, queries: int = 100) -> list[float]:
    times = []
    for position in np.linspace(0, len(vectors) - 1, queries).astype(int):
        started = time.perf_counter()
        index.nearest(np.asarray(vectors[position], np.float32), 50)
        times.append(1000 * (time.perf_counter() - started))
    return times


def recall_at_10(index: SimilarityIndex, vectors: np.ndarray, rng, queries: int = 20) -> float:
    """Share of the exact 10 nearest that the index returns, over ``queries`` random rows."""
    found = 0
    for position in rng.integers(0, len(vectors), queries):
        query = unit_rows(vectors[position][None, :])[0]
        cosine = np.concatenate([unit_rows(vectors[s:s + 100_000]) @ query for s in range(0, len(vectors), 100_000)])
        found += len(set(np.argsort(-cosine)[:10]) & set(index.nearest(vectors[position], 10)[0]))
    return round(found / (10 * queries), 3)


def cluster_figures() -> dict:
    """300 recreation images labelled "people" by one rule (the first 300 files in path order): how many of them
    "more like this" (the 300 nearest) from each one surfaces, and how many the map's UMAP layout keeps together."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder, "clipart")
        root.mkdir()
        for name in ("animals", "food", "people", "transportation", "recreation", "tools", "office", "geography",
                     "plants", "buildings"):
            (root / name).symlink_to(CLIPART / name)
        dataset = open_source(str(root))
        names = list(dataset.class_names)
        planted = np.flatnonzero(dataset.labels == names.index("recreation"))[:PLANTED]
        vectors = dataset_embeddings(dataset)
        index = SimilarityIndex.build(vectors)
        counts = [int(np.isin(index.nearest(vectors[i], PLANTED)[0], planted).sum()) for i in planted]
        layout = umap_layout(vectors)
        centre = np.median(layout[planted], axis=0)
        radius = np.percentile(np.linalg.norm(layout[planted] - centre, axis=1), 80)
        inside = np.flatnonzero(np.linalg.norm(layout - centre, axis=1) <= radius)
    return {"case": "planted-cluster-clipart", "images": len(dataset), "planted": PLANTED,
            "rule": "first 300 recreation files labelled people",
            "more_like_this_top300_median": int(np.median(counts)), "more_like_this_top300_best": max(counts),
            "more_like_this_top300_worst": min(counts),
            "map_circle_images": len(inside), "map_circle_planted": int(np.isin(inside, planted).sum())}


if __name__ == "__main__":
    figures = {"map": map_figures, "search": search_figures, "cluster": cluster_figures}[sys.argv[1]]()
    print(json.dumps(figures), flush=True)
