"""``make bench``: the usual recipe and labelreview on the same data, pair by pair, planted issues, and tables of
figures.

Each measurement runs in its own process, so peak memory and start-up are its own.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

from ray_scaling import projection

HERE = Path(__file__).resolve().parent
BEFORE_ONE_PASS = "635c0e3"  # main before issue 25's one pass over the pixels, timed beside this checkout
DATALAB = {"PYTHONPATH": str(HERE.parent / ".bench-data" / "datalab")}  # what that checkout's outliers imported
PAIRS = [("mnist15k-uniform10", ("reference", "labelreview", "labelreview:cnn-thorough", "labelreview:lite0")),
         ("mnist15k-pairs20", ("reference", "labelreview", "labelreview:cnn-thorough")),
         ("mnist60k-uniform10", ("labelreview",))]
COLUMNS = ["case", "method", "model", "precision_mode", "examples", "seconds", "reference/labelreview", "import_s", "first_suspects_s",
           "first_share_after_import", "peak_mb",
           "precision", "recall", "f1", "cv_accuracy"]


def measure(*args: str, env: dict[str, str] | None = None) -> dict:
    """The last JSON line a benchmark script prints."""
    return measure_lines(*args, env=env)[-1]


def checkout(commit: str) -> Path:
    """A work tree of ``commit`` of this repository, made once under .bench-data/."""
    folder = HERE.parent / ".bench-data" / f"checkout-{commit}"
    if not folder.exists():
        subprocess.run(["git", "worktree", "add", "--detach", str(folder), commit], cwd=HERE, check=True,
                       capture_output=True)
    return folder


def table(rows: list[dict], columns: list[str]) -> str:
    cells = [[str(row.get(c, "")) if row.get(c) is not None else "-" for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    lines = [" | ".join(c.ljust(w) for c, w in zip(columns, widths)), "-+-".join("-" * w for w in widths)]
    lines += [" | ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(lines)


def main() -> None:
    rows = []
    for case, methods in PAIRS:
        measured = {method: measure("measure.py", method, case) for method in methods}
        for method, figures in measured.items():
            if method != "reference" and "reference" in measured:
                figures["reference/labelreview"] = f"{measured['reference']['seconds'] / figures['seconds']:.2f}"
        rows += measured.values()
        print(table(rows, COLUMNS), end="\n\n", flush=True)
    folder = measure("folder_open.py")
    print(table([folder], list(folder)), end="\n\n", flush=True)
    cases = subprocess.run([sys.executable, "detection.py", "--list"], cwd=HERE, check=True, capture_output=True,
                           text=True).stdout.split()
    detection = [measure("detection.py", case) for case in cases]
    print(table(detection, list(detection[0])), end="\n\n", flush=True)
    colour = [measure("colour_folder.py", model) for model in ("auto", "cnn")]
    print(table(colour, list(colour[0]) + ["score_s"]), end="\n\n", flush=True)
    cold = [measure("cold_score.py", str(checkout(BEFORE_ONE_PASS)), env=DATALAB), measure("cold_score.py")]
    print(table(cold, list(dict.fromkeys(key for row in cold for key in row))), end="\n\n", flush=True)
    photos = measure("photo_folder.py")
    print(table([photos], list(photos)), end="\n\n", flush=True)
    if (HERE.parent / "dist" / "labelreview" / "labelreview").exists():  # after make package
        started = measure("package_startup.py")
        print(table([started], list(started)), end="\n\n", flush=True)
    memory = measure("embed_memory.py")
    print(table([memory], list(memory)), end="\n\n", flush=True)
    for case in ("mnist", "clipart"):
        for row in measure_lines("planted_issues.py", case):
            row.pop("unplanted_examples", None), row.pop("other_conflict_examples", None)
            print(table([row], list(row)), end="\n\n", flush=True)
    speed = measure("planted_issues.py", "speed")
    print(table([speed], list(speed)), end="\n\n", flush=True)
    for case in ("map", "search", "cluster", "indexes", "layouts"):
        figures = measure("embedding_map.py", case)
        print(table([figures], list(figures)), end="\n\n", flush=True)
    ray = {case: measure("ray_scaling.py", case) for case in ("workers", "costs", "synthetic", "neighbours")}
    for figures in ray.values():
        print(table([figures], list(figures)), end="\n\n", flush=True)
    rows = projection(ray["costs"], ray["synthetic"], ray["neighbours"])
    print(table(rows, list(rows[0])), end="\n\n", flush=True)
    for images in ("60000", "1000000"):  # a results folder reviewed in the window (million.py)
        million = measure("million.py", "--images", images)
        print(table([million], list(million)), end="\n\n", flush=True)


def measure_lines(*args: str, env: dict[str, str] | None = None) -> list[dict]:
    """Every JSON line ``python ARGS`` prints (one per result), run in its own process with ``env`` added."""
    result = subprocess.run([sys.executable, *args], cwd=HERE, capture_output=True, text=True,
                            env={**os.environ, **(env or {})})
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed:\n{result.stderr[-3000:]}")
    return [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]


if __name__ == "__main__":
    main()
