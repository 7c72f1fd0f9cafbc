"""Issue 14's targets: the embedding map and "more like this".

    python benchmarks/embedding_map.py map       # 60,000 MNIST: PCA view, t-SNE layout, paint times while panning
    python benchmarks/embedding_map.py layouts   # t-SNE (openTSNE, the app's) beside UMAP (umap-learn, before it)
    python benchmarks/embedding_map.py search    # nearest neighbours: 60,000 MNIST, 1,000,000 synthetic 1280-d
    python benchmarks/embedding_map.py cluster   # 300 clip-art images given another class's label by one rule
    python benchmarks/embedding_map.py indexes   # faiss's inverted file against hnswlib on 200,000 synthetic rows

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

from clipart import linked_clipart
from labelreview.core.data.sources import open_source
from labelreview.core.engine.embedding_store import dataset_embeddings, stored_embeddings
from labelreview.core.findings.embedding_map import NEIGHBOURS, pca_layout, tsne_layout
from labelreview.core.findings.neighbours import nearest_neighbours, unit_rows
from labelreview.core.findings.similarity import SimilarityIndex

PLANTED = 300
SYNTHETIC_ROWS, SYNTHETIC_DIM = 1_000_000, 1280


def peak_mb() -> int:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)


def mnist_vectors() -> np.ndarray:
    dataset = open_source("mnist")
    return stored_embeddings(dataset) if stored_embeddings(dataset) is not None else dataset_embeddings(dataset)


def map_figures() -> dict:
    """PCA view and t-SNE layout of 60,000 embeddings, then the map drawn offscreen while panning."""
    dataset = open_source("mnist")
    vectors = mnist_vectors()
    started = time.perf_counter()
    first = pca_layout(vectors)
    pca_s = time.perf_counter() - started
    started = time.perf_counter()
    layout = tsne_layout(vectors)
    tsne_s = time.perf_counter() - started
    frames = paint_times(layout, dataset.labels)
    return {"case": "map-mnist60k", "images": len(vectors), "pca_s": round(pca_s, 2), "tsne_s": round(tsne_s, 1),
            "pan_frames": len(frames), "median_frame_ms": round(statistics.median(frames), 1),
            "p90_frame_ms": round(float(np.percentile(frames, 90)), 1), "first_and_final_finite":
            bool(np.isfinite(first).all() and np.isfinite(layout).all()), "peak_mb": peak_mb()}


def paint_times(layout: np.ndarray, labels: np.ndarray) -> list[float]:
    """Milliseconds per repaint of the Map tab's plot (1000 x 700, coloured by label) while panning and zooming."""
    from PySide6.QtWidgets import QApplication

    from labelreview.core.review.map_groups import MapGroups
    from labelreview.gui.map.map_plot import MapPlot
    from labelreview.gui.map.map_view import group_colours

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
    synthetic = synthetic_vectors(SYNTHETIC_ROWS, rng)
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


def synthetic_vectors(rows: int, rng) -> np.ndarray:
    """``rows`` float16 vectors (rows, 1280) around 2,000 centres: clustered, as embeddings are."""
    centres = rng.normal(size=(2_000, SYNTHETIC_DIM)).astype(np.float32)
    vectors = np.empty((rows, SYNTHETIC_DIM), np.float16)
    for start in range(0, rows, 50_000):
        part = slice(start, min(rows, start + 50_000))
        count = part.stop - part.start
        vectors[part] = centres[rng.integers(0, len(centres), count)] + rng.normal(size=(count, SYNTHETIC_DIM),
                                                                                  scale=0.6).astype(np.float32)
    return vectors


def index_figures(rows: int = 200_000) -> dict:
    """faiss's inverted file (the one labelreview uses past 200,000 rows) against hnswlib's graph, on ``rows``
    synthetic embeddings: build seconds, size, query milliseconds and recall of the exact 10 nearest."""
    import hnswlib

    rng = np.random.default_rng(1)
    vectors = synthetic_vectors(rows, rng)
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        ivf = SimilarityIndex.build(vectors, Path(folder), exact_up_to=0)
        ivf_s = time.perf_counter() - started
        ivf_mb = round(sum(p.stat().st_size for p in Path(folder).iterdir()) / 2**20)
        started = time.perf_counter()
        graph = hnswlib.Index(space="ip", dim=SYNTHETIC_DIM)
        graph.init_index(max_elements=rows, M=16, ef_construction=100, random_seed=0)
        for start in range(0, rows, 50_000):
            graph.add_items(unit_rows(vectors[start:start + 50_000]), np.arange(start, min(rows, start + 50_000)))
        graph.set_ef(64)
        hnsw_s = time.perf_counter() - started
        graph.save_index(str(Path(folder, "graph.bin")))
        hnsw_mb = round(Path(folder, "graph.bin").stat().st_size / 2**20)

    class Graph:  # SimilarityIndex's query interface over hnswlib
        def nearest(self, query, k):
            found, distance = graph.knn_query(unit_rows(np.asarray(query, np.float32)[None, :]), k)
            return found[0], distance[0]

    figures = {"case": "index-choice", "rows": rows}
    for name, index, build_s, mb in (("faiss_ivf", ivf, ivf_s, ivf_mb), ("hnswlib", Graph(), hnsw_s, hnsw_mb)):
        figures.update({f"{name}_build_s": round(build_s, 1), f"{name}_mb": mb,
                        f"{name}_median_ms": round(statistics.median(query_times(index, vectors)), 2),
                        f"{name}_recall_at_10": recall_at_10(index, vectors, np.random.default_rng(2))})
    return figures


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
    "more like this" (the 300 nearest) from each one surfaces, and how many the map's t-SNE layout keeps together."""
    with tempfile.TemporaryDirectory() as folder:
        dataset = open_source(str(linked_clipart(Path(folder, "clipart"))))
        names = list(dataset.class_names)
        planted = np.flatnonzero(dataset.labels == names.index("recreation"))[:PLANTED]
        vectors = dataset_embeddings(dataset)
        index = SimilarityIndex.build(vectors)
        counts = [int(np.isin(index.nearest(vectors[i], PLANTED)[0], planted).sum()) for i in planted]
        layout = tsne_layout(vectors)
        centre = np.median(layout[planted], axis=0)
        radius = np.percentile(np.linalg.norm(layout[planted] - centre, axis=1), 80)
        inside = np.flatnonzero(np.linalg.norm(layout - centre, axis=1) <= radius)
    return {"case": "planted-cluster-clipart", "images": len(dataset), "planted": PLANTED,
            "rule": "first 300 recreation files labelled people",
            "more_like_this_top300_median": int(np.median(counts)), "more_like_this_top300_best": max(counts),
            "more_like_this_top300_worst": min(counts),
            "map_circle_images": len(inside), "map_circle_planted": int(np.isin(inside, planted).sum())}


def layout_figures() -> dict:
    """Seconds and the share of images whose nearest neighbour on the map has their label, for the app's t-SNE and
    the UMAP it replaced (umap-learn from .bench-data/umap, which make bench installs there), side by side: the
    clip art's embeddings (true labels) and 60,000 synthetic 256-d rows in ten noisy clusters."""
    sys.path.append(str(Path(__file__).resolve().parents[1] / ".bench-data" / "umap"))
    rng = np.random.default_rng(0)
    truth = rng.integers(0, 10, 60_000)
    synthetic = (rng.normal(size=(10, 256))[truth] + rng.normal(scale=0.8, size=(60_000, 256))).astype(np.float32)
    with tempfile.TemporaryDirectory() as folder:
        dataset = open_source(str(linked_clipart(Path(folder, "clipart"))))
        cases = {"clipart": (np.asarray(dataset_embeddings(dataset)), dataset.labels),
                 "synthetic60k": (synthetic, truth)}
    figures = {"case": "layouts"}
    for name, (vectors, labels) in cases.items():
        for method, layout_of in (("tsne", tsne_layout), ("umap", _umap_layout)):
            started = time.perf_counter()
            layout = layout_of(vectors)
            figures[f"{name}_{method}_s"] = round(time.perf_counter() - started, 1)
            figures[f"{name}_{method}_neighbour_agrees"] = round(_nearest_agrees(layout, labels), 3)
    return figures


def _umap_layout(vectors: np.ndarray) -> np.ndarray:
    """The map's layout before openTSNE: UMAP on the same neighbours, started from the same PCA view."""
    import umap

    neighbours = nearest_neighbours(vectors, NEIGHBOURS)
    own = np.arange(len(vectors))[:, None]  # UMAP counts each point as its own nearest neighbour
    knn = (np.hstack([own, neighbours.indices]),
           np.hstack([np.zeros_like(own, np.float32), np.clip(1 - neighbours.similarity, 0, None)]))
    return umap.UMAP(n_neighbors=knn[0].shape[1], precomputed_knn=knn).fit_transform(pca_layout(vectors))


def _nearest_agrees(layout: np.ndarray, labels: np.ndarray) -> float:
    from sklearn.neighbors import NearestNeighbors

    nearest = NearestNeighbors(n_neighbors=2).fit(layout).kneighbors(layout, return_distance=False)[:, 1]
    return float(np.mean(labels[nearest] == labels))


if __name__ == "__main__":
    figures = {"map": map_figures, "search": search_figures, "cluster": cluster_figures,
               "indexes": index_figures, "layouts": layout_figures}[sys.argv[1]]()
    print(json.dumps(figures), flush=True)
