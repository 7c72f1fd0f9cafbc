"""Open an image folder of 20,000 PNGs written from MNIST, cold (nothing decoded: the files listed, 200 headers
read) and after its pixels are cached (mapped); and the decode a CNN run does, first and from the cache.

    python benchmarks/folder_open.py [FOLDER]   # prints one JSON line
"""

import json
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelreview.core.data.array_sources import open_mnist  # noqa: E402
from labelreview.core.data.dataset import Dataset  # noqa: E402
from labelreview.core.data.pixel_cache import decoded  # noqa: E402
from labelreview.core.data.sources import open_source  # noqa: E402

IMAGES = 20_000


def write_folder(root: Path) -> None:
    mnist = open_mnist("train", limit=IMAGES)
    pixels, names = mnist.images(), mnist.label_names()
    for i in range(IMAGES):
        folder = root / names[i]
        folder.mkdir(parents=True, exist_ok=True)
        Image.fromarray(pixels[i, ..., 0]).save(folder / f"{i:05d}.png")


def timed_open(root: Path) -> tuple[float, Dataset]:
    started = time.perf_counter()
    dataset = open_source(str(root))
    return time.perf_counter() - started, dataset


def timed_decode(dataset: Dataset) -> float:
    started = time.perf_counter()
    decoded(dataset).images()  # model-ready arrays in memory, as a CNN run reads them
    return time.perf_counter() - started


def main() -> None:
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp()) / "mnist-png"
    if not root.exists():
        started = time.perf_counter()
        write_folder(root)
        print(f"wrote {IMAGES:,} PNGs in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    os.environ["LABELREVIEW_CACHE_DIR"] = tempfile.mkdtemp()
    first, dataset = timed_open(root)
    first_decode = timed_decode(dataset)
    second, cached = timed_open(root)
    print(json.dumps({"case": f"folder{IMAGES // 1000}k-png", "images": len(dataset), "first_open_s": round(first, 2),
                      "first_decode_s": round(first_decode, 2), "second_open_s": round(second, 2),
                      "second_decode_s": round(timed_decode(cached), 2),
                      "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)}))


if __name__ == "__main__":
    main()
