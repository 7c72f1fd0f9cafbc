"""A process killed at any moment while saving leaves the old or the new CSV, whole, and a readable audit log."""

import json
import random
import signal
import subprocess
import sys
import time

import pandas as pd

from labelreview.core.data.labels_table import read_labels_table
from labelreview.core.review.session import ReviewSession

WRITER = """
import sys
from labelreview.core.review.session import ReviewSession
session = ReviewSession.open(sys.argv[1])
print("ready", flush=True)
n = 0
while True:
    n += 1
    session.decide([n % 300], ("keep", "remove", "relabel")[n % 3], n % 10)
"""


def test_killing_the_writer_never_corrupts_the_csv(digit_folder, tmp_path):
    rng = random.Random(7)
    csv = digit_folder.parent / "digits.labels.csv"
    kills = 0
    for _ in range(25):
        writer = subprocess.Popen([sys.executable, "-c", WRITER, str(digit_folder)], stdout=subprocess.PIPE, text=True)
        assert writer.stdout.readline().strip() == "ready"
        time.sleep(rng.uniform(0.02, 0.4))
        writer.send_signal(signal.SIGKILL)
        writer.wait()
        kills += 1
        table = read_labels_table(csv)  # parses: never a half-written file
        assert len(table) == 300 and list(table.columns) == ["path", "label", "original_label", "status"]
    lines = (csv.parent / "digits.labels.csv.audit.jsonl").read_text().splitlines()
    entries = [json.loads(line) for line in lines[:-1]]  # only the very last line can be cut short
    decisions = [e for e in entries if "new_status" in e]
    assert kills == 25 and len(decisions) > 25

    session = ReviewSession.open(str(digit_folder))  # replays what a kill kept out of the CSV, sweeps temp files
    assert not list(csv.parent.glob(".digits.labels.csv.*.tmp"))
    expected = {}
    for entry in decisions:  # every decision ever logged, in order
        expected[entry["row"]] = (entry["new"], entry["new_status"])
    saved = pd.read_csv(csv, dtype=str, keep_default_na=False).set_index("path")
    lost = [row for row, state in expected.items() if (saved.at[row, "label"], saved.at[row, "status"]) != state]
    assert lost == []  # decisions lost: 0
    assert len(session.statuses()) == 300
