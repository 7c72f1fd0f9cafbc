"""What cleanlab Datalab's class_imbalance, non_iid and underperforming_group checks say about a scored dataset.

    PYTHONPATH=.bench-data/datalab python benchmarks/datalab_checks.py SOURCE SCORES_DIR     # one JSON line

(Datalab needs cleanlab's ``datalab`` extra, which the app no longer installs: ``make bench`` puts it there.)

SCORES_DIR is what ``labelreview score SOURCE --out SCORES_DIR`` wrote (its pred_probs.npy); the images'
embeddings must be in the store (a lite0 run or ``labelreview issues`` puts them there).
"""

import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from labelreview.core.data.sources import open_source  # noqa: E402
from labelreview.core.engine.embedding_store import stored_embeddings  # noqa: E402
from labelreview.core.findings.neighbours import nearest_neighbours  # noqa: E402

CHECKS = ("class_imbalance", "non_iid", "underperforming_group")


def main(source: str, scores: Path) -> None:
    from cleanlab import Datalab

    dataset = open_source(source)
    pred_probs = np.load(scores / "pred_probs.npy")
    vectors = stored_embeddings(dataset)
    if vectors is None:
        raise SystemExit(f"no stored embeddings for {source}: run labelreview issues {source} first")
    started = time.perf_counter()
    lab = Datalab(data={"label": dataset.labels}, label_name="label", verbosity=0)
    lab.find_issues(pred_probs=pred_probs, knn_graph=nearest_neighbours(vectors, 10).knn_graph(),
                    issue_types={check: {} for check in CHECKS})
    summary = lab.get_issue_summary().set_index("issue_type")
    found = {check: {"dataset_score": round(float(summary.loc[check, "score"]), 4),
                     "images_flagged": int(summary.loc[check, "num_issues"])} for check in CHECKS}
    found["non_iid"]["p_value"] = round(float(lab.get_info("non_iid").get("p-value", float("nan"))), 6)
    print(json.dumps({"source": source, "images": len(dataset), "seconds": round(time.perf_counter() - started, 1),
                      **found}))


if __name__ == "__main__":
    main(sys.argv[1], Path(sys.argv[2]))
