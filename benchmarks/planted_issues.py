"""Planted issues: how many of the duplicates, quality problems and outliers we plant the finders find.

    python benchmarks/planted_issues.py mnist|clipart    # JSON lines: one per target
    python benchmarks/planted_issues.py speed            # the model-free finders on 60,000 MNIST images

Into 10,000 MNIST training images (written as PNG files, one folder per digit) or the clip-art folder (Debian's
openclipart-png, 10 categories) we plant, each into its own labels CSV over one shared folder (so the images
are embedded once):
- duplicates: 100 exact copies and 100 near copies (2% cropped, 1% a side to the sub-pixel; resized x0.8; JPEG
  quality 70) of distinct
  images, half of each under another class's label;
- quality: 50 darkened (x0.25), 50 blurred (Gaussian, radius 4% of the side) and 50 near-constant images
  (a flat grey with noise of +-2 levels);
- outliers: 50 images of another set (clip art among MNIST, as grayscale 28 px: Fashion-MNIST is not on PyPI;
  MNIST digits among the clip art).
Recall counts a planted pair found when both images land in one duplicate set; label-conflict precision is the
share of flagged label-conflict sets that hold a planted copy under another label or are pixel-identical copies
already in the source under different labels (openclipart files two categories share). The folder is kept in
``--work`` (default /tmp/labelreview-planted) so that a second run reuses the embeddings: ``seconds`` includes
embedding and measuring the images on a first run only.
"""

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from clipart import CATEGORIES, CLIPART, linked_clipart  # noqa: E402
from labelreview.core.data.labels_table import write_labels_table  # noqa: E402
from labelreview.core.data.sources import open_source  # noqa: E402

PLANTED = 100  # exact copies, and as many near copies
QUALITY = 50  # of each kind
OUTLIERS = 50


def base_images(kind: str, work: Path) -> list[tuple[str, str]]:
    """(relative path, class) of the base images, written or linked into ``work`` on the first run."""
    if kind == "mnist":
        mnist = open_source("mnist", limit=10_000)
        rows = []
        for i in range(len(mnist)):
            rel = f"base/{mnist.class_names[mnist.labels[i]]}/{i:05d}.png"
            if not (work / rel).exists():
                (work / rel).parent.mkdir(parents=True, exist_ok=True)
                Image.fromarray(mnist.images(np.array([i]))[0, ..., 0]).save(work / rel)
            rows.append((rel, mnist.class_names[mnist.labels[i]]))
        return rows
    folder = open_source(str(linked_clipart(work / "base")))
    return [(f"base/{path}", folder.class_names[label]) for path, label in zip(folder.paths, folder.labels)]


def load(work: Path, rel: str) -> Image.Image:
    """An image as L or RGB, transparency flattened onto white as labelreview reads it."""
    with Image.open(work / rel) as image:
        if image.mode in ("L", "RGB"):
            return image.copy()
        rgba = image.convert("RGBA")
        return Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba).convert("RGB")


def near_copy(image: Image.Image) -> Image.Image:
    """1% cropped off each side (2% of the width and height, to the sub-pixel: 0.28 px of a 28-px digit) and
    resized x0.8, in one resampling."""
    width, height = image.size
    box = (0.01 * width, 0.01 * height, 0.99 * width, 0.99 * height)
    return image.resize((max(8, round(0.8 * 0.98 * width)), max(8, round(0.8 * 0.98 * height))), box=box)


def plant(kind: str, work: Path, base: list[tuple[str, str]], seed: int = 0) -> dict[str, Path]:
    """Write the planted files and one labels CSV per target; returns target -> CSV."""
    rng = np.random.default_rng(seed)
    classes = sorted({label for _, label in base})
    other = {name: [c for c in classes if c != name] for name in classes}
    chosen = rng.choice(len(base), 2 * PLANTED + 3 * QUALITY, replace=False)
    planted = work / "planted"
    rows = {"duplicates": [], "quality": [], "outliers": []}

    def add(target: str, rel: str, label: str, truth: str, pair: str = "") -> None:
        rows[target].append({"path": rel, "label": label, "truth": truth, "pair": pair})

    for n, i in enumerate(chosen[:2 * PLANTED]):
        rel, label = base[i]
        exact = n < PLANTED
        moved = n % 2 == 1
        target_label = other[label][rng.integers(len(other[label]))] if moved else label
        name = f"planted/dup/{target_label}/{'exact' if exact else 'near'}-{n:03d}" + (Path(rel).suffix if exact else ".jpg")
        if not (work / name).exists():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            if exact:
                (work / name).write_bytes((work / rel).read_bytes())
            else:
                near_copy(load(work, rel)).save(work / name, quality=70)
        add("duplicates", name, target_label, "exact" if exact else "near", pair=rel)
    spoilers = {"dark": lambda im: Image.eval(im, lambda v: v // 4),
                "blurry": lambda im: im.filter(ImageFilter.GaussianBlur(max(1.0, 0.04 * max(im.size)))),
                "low_information": lambda im: _flat(im.size, im.mode, rng)}
    for n, i in enumerate(chosen[2 * PLANTED:]):
        rel, label = base[i]
        spoil = list(spoilers)[n // QUALITY]
        name = f"planted/quality/{spoil}-{n:03d}.png"
        if not (work / name).exists():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            spoilers[spoil](load(work, rel)).save(work / name)
        add("quality", name, label, spoil)
    for n, (image, label) in enumerate(_foreign(kind, classes, rng)):
        name = f"planted/outliers/{n:03d}.png"
        if not (work / name).exists():
            (work / name).parent.mkdir(parents=True, exist_ok=True)
            image.save(work / name)
        add("outliers", name, label, "outlier")
    tables = {}
    for target, planted_rows in rows.items():
        import pandas as pd

        table = pd.DataFrame([{"path": rel, "label": label} for rel, label in base]
                             + [{"path": r["path"], "label": r["label"]} for r in planted_rows])
        write_labels_table(work / f"{target}.csv", table)
        pd.DataFrame(planted_rows).to_csv(work / f"{target}.truth.csv", index=False)
        tables[target] = work / f"{target}.csv"
    return tables


def _flat(size, mode, rng) -> Image.Image:
    level = int(rng.integers(60, 200))
    shape = (size[1], size[0]) if mode == "L" else (size[1], size[0], 3)
    return Image.fromarray(np.clip(level + rng.integers(-2, 3, size=shape), 0, 255).astype(np.uint8))


def _foreign(kind: str, classes: list[str], rng) -> list[tuple[Image.Image, str]]:
    if kind == "mnist":
        files = sorted(p for name in CATEGORIES for p in (CLIPART / name).glob("*.png"))
        picked = [files[i] for i in rng.choice(len(files), OUTLIERS, replace=False)]
        images = []
        for path in picked:
            images.append(load(path.parent, path.name).convert("L").resize((28, 28)))
    else:
        digits = open_source("mnist:test", limit=1000)
        images = [Image.fromarray(digits.images(np.array([i]))[0, ..., 0]).convert("RGB").resize((112, 112))
                  for i in rng.choice(len(digits), OUTLIERS, replace=False)]
    return [(image, classes[rng.integers(len(classes))]) for image in images]


def evaluate(kind: str, work: Path, tables: dict[str, Path]) -> list[dict]:
    import pandas as pd

    from labelreview.core.findings.issue_finders import find_issues

    results = []
    for target, csv in tables.items():
        dataset = open_source(str(csv))
        truth = pd.read_csv(work / f"{target}.truth.csv")
        started = time.perf_counter()
        findings = find_issues(dataset, embed=True)
        seconds = round(time.perf_counter() - started, 1)
        position = {path: i for i, path in enumerate(dataset.paths)}
        row = {"case": f"{kind}-{target}", "images": len(dataset), "seconds": seconds}
        if target == "duplicates":
            row |= _duplicate_figures(dataset, findings.duplicates, truth, position)
        elif target == "quality":
            flagged = findings.quality
            for spoil in ("dark", "blurry", "low_information"):
                planted = {position[p] for p in truth["path"][truth["truth"] == spoil]}
                found = set(flagged["position"][flagged["issue"] == spoil])
                row[f"{spoil}_recall"] = round(len(planted & found) / len(planted), 3)
                row[f"{spoil}_flagged"] = len(found)
            row["quality_flagged_by_kind"] = flagged["issue"].value_counts().to_dict()
        else:
            planted = {position[p] for p in truth["path"]}
            top = set(np.argsort(findings.outliers.score, kind="stable")[:100])
            row |= {"planted_in_top100": len(planted & top), "planted": len(planted),
                    "flagged_outliers": int(findings.outliers.is_outlier.sum()),
                    "planted_flagged": int(findings.outliers.is_outlier[list(planted)].sum())}
        results.append(row)
    return results


def _duplicate_figures(dataset, sets, truth, position) -> dict:
    pairs = [(position[r.path], position[r.pair], r.truth, str(r.label) != _label(dataset, position[r.pair]))
             for r in truth.itertuples()]
    found = {kind: [sets.group[a] >= 0 and sets.group[a] == sets.group[b] for a, b, k, _ in pairs if k == kind]
             for kind in ("exact", "near")}
    conflict = sets.conflicting(dataset.labels)
    conflict_sets = set(sets.group[conflict])
    planted_conflicts = {sets.group[a] for a, b, _, moved in pairs if moved and sets.group[a] == sets.group[b]}
    planted_members = {i for a, b, _, _ in pairs for i in (a, b)}
    other_sets = {g for g in range(sets.count) if not set(sets.members(g)) & planted_members}
    real_copies = {g for g in conflict_sets & other_sets if sets.exact[sets.members(g)].all()}
    right = len(conflict_sets & planted_conflicts) + len(real_copies)
    return {"exact_recall": round(float(np.mean(found["exact"])), 3),
            "near_recall": round(float(np.mean(found["near"])), 3),
            "label_conflict_sets": len(conflict_sets),
            "label_conflict_precision": round(right / max(1, len(conflict_sets)), 3),
            "conflicts_planted": len(conflict_sets & planted_conflicts),
            "conflicts_real_exact_copies": len(real_copies),
            "conflicts_other": len(conflict_sets) - right,
            "other_conflict_examples": [[dataset.paths[i] for i in sets.members(g)]
                                        for g in sorted(conflict_sets & other_sets - real_copies)[:5]],
            "planted_conflicts_found": f"{len(planted_conflicts)}/{sum(m for *_, m in pairs)}",
            "duplicate_sets": sets.count, "unplanted_sets": len(other_sets),
            "largest_unplanted_set": max((len(sets.members(g)) for g in other_sets), default=0),
            "unplanted_examples": [[dataset.paths[i] for i in sets.members(g)] for g in sorted(other_sets)[:5]]}


def _label(dataset, i: int) -> str:
    return dataset.class_names[dataset.labels[i]]


def speed() -> dict:
    """The model-free finders on 60,000 MNIST images whose embeddings are stored: the embedding is timed apart in
    one child process, the finders in another (image measurements from cold, neighbours, duplicates, outliers,
    quality), whose peak memory and its measuring workers' are their own."""
    root = Path(__file__).resolve().parents[1]
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from labelreview.core.data.sources import open_source; from labelreview."
                    "core.engine.embedding_store import dataset_embeddings; dataset_embeddings(open_source('mnist'))"],
                   check=True, cwd=root)
    embed_s = time.perf_counter() - started
    finders = subprocess.run([sys.executable, __file__, "finders"], check=True, capture_output=True, text=True)
    return {"case": "mnist60k-model-free", "embeddings_from_store_s": round(embed_s, 1)} | json.loads(
        finders.stdout.splitlines()[-1])


def finders() -> dict:
    """The finders alone on stored embeddings, measuring the images from cold (see :func:`speed`)."""
    import os
    import tempfile

    from labelreview.core.appdirs import cache_dir
    from labelreview.core.findings.issue_finders import find_issues

    dataset = open_source("mnist")
    stages: dict[str, float] = {}

    def note(fraction: float, message: str) -> None:
        stages.setdefault(message.split(" ")[0] + " " + message.split(" ")[1] if " " in message else message,
                          time.perf_counter())

    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, "embeddings").symlink_to(cache_dir() / "embeddings")  # stored embeddings, cold measurements
        os.environ["LABELREVIEW_CACHE_DIR"] = scratch
        started = time.perf_counter()
        findings = find_issues(dataset, embed=False, callback=note)
        total = time.perf_counter() - started
    marks = sorted(stages.items(), key=lambda item: item[1]) + [("end", started + total)]
    split = {name: round(marks[i + 1][1] - at, 1) for i, (name, at) in enumerate(marks[:-1])}
    sets = findings.duplicates
    return {"images": len(dataset),
            "total_s": round(total, 1), "stages_s": split,
            "peak_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            "peak_worker_mb": round(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024),
            "duplicate_sets": sets.count, "images_in_sets": int((sets.group >= 0).sum()),
            "exact_copies": int(sets.exact.sum()), "label_conflict_images": int(sets.conflicting(dataset.labels).sum()),
            "outliers": int(findings.outliers.is_outlier.sum()),
            "quality_issues": findings.quality["issue"].value_counts().to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", choices=("mnist", "clipart", "speed", "finders"))
    parser.add_argument("--work", type=Path, default=Path("/tmp/labelreview-planted"))
    args = parser.parse_args()
    if args.case in ("speed", "finders"):
        print(json.dumps(speed() if args.case == "speed" else finders()))
        return
    work = args.work / args.case
    base = base_images(args.case, work)
    for row in evaluate(args.case, work, plant(args.case, work, base)):
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
