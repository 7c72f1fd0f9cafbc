"""A folder of 2,000 photos saved as 12-megapixel JPEGs: cold embedding including decoding, and peak memory.

    python benchmarks/photo_folder.py [COUNT]   # prints one JSON line

The photos are scikit-image's seven colour photographs (astronaut, cat, coffee, rocket, retina, a tissue stain
and the Hubble deep field): each JPEG is a random crop, flip and colour shift of one, resized to 4000 x 3000
with sensor-like grain, at quality 90 (about 3 MB, as a phone writes them), in two class folders. They are
written once into ``.bench-data/photos-12mp-COUNT``. Timed on empty caches: opening (each file decoded at
model size), the backbone's pass alone (``dataset_embeddings``), the Score's pass that also measures quality
(``embed_and_measure``), and decoding alone at the backbone's size on the same threads; the network alone on
the same batches for comparison.
"""

import functools
import json
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from pathlib import Path

import numpy as np
from PIL import Image, ImageChops

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

PHOTOS = ("astronaut", "chelsea", "coffee", "rocket", "retina", "immunohistochemistry", "hubble_deep_field")
SIZE = (4000, 3000)
GRAIN_MARGIN = 64  # pixels: each photo's grain is cut from the pattern at its own offset


def write_photo(path: Path, seed: int) -> None:
    from skimage import data

    rng = np.random.default_rng(seed)
    photo = getattr(data, PHOTOS[seed % len(PHOTOS)])()[..., :3]
    height, width = photo.shape[:2]
    crop_h, crop_w = int(height * rng.uniform(0.6, 1)), int(width * rng.uniform(0.6, 1))
    top, left = rng.integers(0, height - crop_h + 1), rng.integers(0, width - crop_w + 1)
    crop = photo[top:top + crop_h, left:left + crop_w].astype(np.float32) * rng.uniform(0.8, 1.2, 3)
    if rng.random() < 0.5:
        crop = crop[:, ::-1]
    big = Image.fromarray(np.clip(crop, 0, 255).astype(np.uint8)).resize(SIZE, Image.Resampling.BILINEAR)
    x, y = (int(v) for v in rng.integers(0, GRAIN_MARGIN, 2))
    ImageChops.add(big, _grain().crop((x, y, x + SIZE[0], y + SIZE[1])), offset=-128).save(path, quality=90)


@functools.cache
def _grain() -> Image.Image:
    """Sensor-like noise (sd 6 levels around 128), a little larger than a photo, made once per process."""
    noise = np.random.default_rng(0).normal(128, 6, (SIZE[1] + GRAIN_MARGIN, SIZE[0] + GRAIN_MARGIN, 3))
    return Image.fromarray(np.clip(noise, 0, 255).astype(np.uint8))


def photo_folder(count: int) -> Path:
    root = HERE.parent / ".bench-data" / f"photos-12mp-{count}"
    paths = [root / ("indoor" if i % 2 else "outdoor") / f"{i:05d}.jpg" for i in range(count)]
    missing = [(path, i) for i, path in enumerate(paths) if not path.exists()]
    for folder in {path.parent for path in paths}:
        folder.mkdir(parents=True, exist_ok=True)
    with ProcessPoolExecutor(os.cpu_count()) as pool:
        list(pool.map(write_photo, *zip(*missing), chunksize=16)) if missing else None
    return root


def main(count: int = 2000) -> None:
    from labelreview.core.data.images import Geometry, decode_image
    from labelreview.core.data.sources import open_source
    from labelreview.core.engine.backbone import LITE0, compiled_network, load_embedder
    from labelreview.core.engine.embedding_store import dataset_embeddings
    from labelreview.core.engine.image_pass import embed_and_measure

    root = photo_folder(count)
    megabytes = sum(path.stat().st_size for path in root.rglob("*.jpg")) / 1e6
    figures = {"images": count, "side": f"{SIZE[0]} x {SIZE[1]}", "folder_mb": round(megabytes)}
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = scratch
        compiled_network()  # once per installation
        started = time.perf_counter()
        dataset = open_source(str(root))
        figures["open_s"] = round(time.perf_counter() - started, 1)
        started = time.perf_counter()
        dataset_embeddings(dataset, LITE0)
        embed = time.perf_counter() - started
        figures.update(embed_s=round(embed, 1), embed_images_per_s=round(count / embed, 1))
    with tempfile.TemporaryDirectory() as scratch:
        os.environ["LABELREVIEW_CACHE_DIR"] = scratch
        compiled_network()
        dataset = open_source(str(root))
        started = time.perf_counter()
        embed_and_measure(dataset, LITE0)
        both = time.perf_counter() - started
        figures.update(embed_and_measure_s=round(both, 1), embed_and_measure_images_per_s=round(count / both, 1))
        files = [root / path for path in dataset.paths]
        started = time.perf_counter()
        with ThreadPoolExecutor(os.cpu_count()) as pool:
            batch = list(pool.map(lambda path: decode_image(path, Geometry(LITE0.side, 3)), files))[-32:]
        figures["decode_only_images_per_s"] = round(count / (time.perf_counter() - started), 1)
        embed_batch = load_embedder(LITE0)
        embed_batch(np.stack(batch))
        started = time.perf_counter()
        for _ in range(10):
            embed_batch(np.stack(batch))
        figures["network_only_images_per_s"] = round(320 / (time.perf_counter() - started), 1)
    figures["peak_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    print(json.dumps(figures))


if __name__ == "__main__":
    main(*map(int, sys.argv[1:2]))
