"""Labels CSVs: as a dataset source, as replacement labels, and their odd forms."""

import numpy as np
import pandas as pd
import pytest

from labelreview.core.data.pixel_cache import decoded
from labelreview.core.data.labels_table import read_labels_table, write_labels_table
from labelreview.core.data.sources import open_source
from labelreview.core.errors import DataError


def test_csv_source_names_images_anywhere_below_its_folder(digit_folder):
    csv = digit_folder / "labels.csv"
    csv.write_text("path,label,note\n3/0.png,three,x\n7/1.png,seven,\n7/2.png,three,y\n")
    dataset = open_source(str(csv))
    assert dataset.class_names == ("seven", "three")
    assert dataset.paths == ("3/0.png", "7/1.png", "7/2.png")
    assert dataset.label_names().tolist() == ["three", "seven", "three"]
    assert dataset.index.tolist() == [0, 1, 2]


def test_csv_source_skips_removed_rows_and_lists_missing_files(digit_folder):
    csv = digit_folder / "labels.csv"
    csv.write_text("path,label,status\n3/0.png,3,removed\n7/1.png,7,kept\n2/0.png,2,\nnope.png,2,\n")
    dataset = decoded(open_source(str(csv)))  # a missing file is found by decoding
    assert dataset.paths == ("7/1.png", "2/0.png") and dataset.index.tolist() == [1, 2]
    assert [(s.path, s.reason) for s in dataset.skipped] == [("nope.png", "file not found")]


@pytest.mark.parametrize("text", [
    "\ufeffpath,label\r\n3/0.png,3\r\n\"7/1.png\",\"7\"\r\n",
    "path;label\n3/0.png;3\n7/1.png;7\n",
    "path,label\n.\\3\\0.png, 3\n7/./1.png,7\n",
])
def test_bom_semicolons_crlf_quotes_and_backslashes(digit_folder, text):
    csv = digit_folder / "labels.csv"
    csv.write_bytes(text.encode("utf-8"))
    dataset = open_source(str(csv))
    assert dataset.paths == ("3/0.png", "7/1.png") and dataset.label_names().tolist() == ["3", "7"]


@pytest.mark.parametrize("text, message", [
    ("file,label\na.png,1\n", "needs a 'label' column and a 'path' or 'index' column"),
    ("path,label\n/etc/passwd,1\n", "row 2: path '/etc/passwd' is absolute"),
    ("path,label\nC:\\data\\a.png,1\n", "is absolute"),
    ("path,label\na.png,1\na.png,2\n", "row 3 repeats path 'a.png'"),
    ("path,label\na.png,\n", "row 2 has no label"),
    ("index,label\nfirst,1\n", "index 'first' is not a whole number"),
    ("", "the labels CSV is empty"),
])
def test_bad_csvs_are_refused_with_the_reason(tmp_path, text, message):
    csv = tmp_path / "labels.csv"
    csv.write_text(text)
    with pytest.raises(DataError, match=message.replace("(", r"\(").replace(")", r"\)")) as error:
        read_labels_table(csv)
    assert error.value.where == str(csv)


def test_replacement_labels_by_path_and_by_index(digit_folder, tmp_path):
    by_path = tmp_path / "by_path.csv"
    by_path.write_text("path,label\n3/0.png,8\n")
    dataset = open_source(str(digit_folder), labels=by_path)
    assert dataset.label_names()[dataset.paths.index("3/0.png")] == "8"
    assert np.bincount(dataset.labels).tolist() == [30, 30, 30, 29, 30, 30, 30, 30, 31, 30]
    by_index = tmp_path / "by_index.csv"
    by_index.write_text("index,label\n0,5\n9999,1\n")
    mnist = open_source("mnist:test", labels=by_index)
    assert mnist.label_names()[[0, 9999]].tolist() == ["5", "1"]
    assert open_source("mnist:test", labels=by_index, limit=10).label_names()[0] == "5"  # 9999 cut by limit


def test_replacement_labels_must_fit_the_dataset(tmp_path):
    unknown_class = tmp_path / "a.csv"
    unknown_class.write_text("index,label\n0,cat\n")
    with pytest.raises(DataError, match="label 'cat' is not a class of MNIST test"):
        open_source("mnist:test", labels=unknown_class)
    unknown_row = tmp_path / "b.csv"
    unknown_row.write_text("index,label\n10000,1\n")
    with pytest.raises(DataError, match="'10000' is not an example of MNIST test"):
        open_source("mnist:test", labels=unknown_row)


def test_write_keeps_extra_columns_and_round_trips(tmp_path):
    table = pd.DataFrame({"path": ["a b/ü.png", "c,d.png"], "label": ["x", "y \"q\""], "note": ["", "n"]})
    write_labels_table(tmp_path / "out.csv", table)
    assert read_labels_table(tmp_path / "out.csv").equals(table)
    assert not list(tmp_path.glob(".*.tmp"))
