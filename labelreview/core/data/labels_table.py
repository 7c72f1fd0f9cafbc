"""Read and write labels CSVs: ``path,label`` or ``index,label``, other columns kept."""

import csv
import io
import os
import posixpath
from pathlib import Path

import pandas as pd

from labelreview.core.atomic import atomic_file
from labelreview.core.errors import DataError

DELIMITERS = ",;\t"


def read_labels_table(path: Path) -> pd.DataFrame:
    """Read a labels CSV into strings, one row per example, in file order.

    Accepts a UTF-8 BOM, ``,`` ``;`` or tab delimiters, CRLF line ends and
    quoted fields. ``path`` values are normalised to ``/`` separators; a path
    that is absolute, a repeated key or a missing label is refused.

    Returns
    -------
    pd.DataFrame
        Columns as in the file (all ``str``), with ``label`` and one of
        ``path`` or ``index``; ``index`` holds non-negative integers.
    """
    try:
        with open(path, encoding="utf-8-sig", newline="") as handle:  # keep \r inside quoted values
            text = handle.read()
    except FileNotFoundError:
        raise DataError(path, "file not found") from None
    except UnicodeDecodeError:
        raise DataError(path, "not a UTF-8 text file") from None
    except OSError as error:
        raise DataError(path, error.strerror or str(error)) from None
    if not text.strip():
        raise DataError(path, "the labels CSV is empty")
    header = text.splitlines()[0]
    delimiter = max(DELIMITERS, key=header.count)
    try:
        table = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, csv.Error) as error:
        raise DataError(path, f"not a readable CSV ({str(error).splitlines()[0]})") from None
    table.columns = [str(column).strip() for column in table.columns]
    return _validated(table, path)


def without_removed(table: pd.DataFrame) -> pd.DataFrame:
    """The rows whose ``status`` (if the table has one) is not ``removed``, in any case or spacing."""
    if "status" not in table.columns:
        return table
    return table[table["status"].str.strip().str.lower() != "removed"]


def _validated(table: pd.DataFrame, path: Path) -> pd.DataFrame:
    key = "path" if "path" in table.columns else "index" if "index" in table.columns else None
    if key is None or "label" not in table.columns:
        found = ", ".join(table.columns) or "none"
        raise DataError(path, f"needs a 'label' column and a 'path' or 'index' column (found: {found})")
    table["label"] = table["label"].str.strip()
    empty = table.index[table["label"] == ""]
    if len(empty):
        raise DataError(path, f"row {empty[0] + 2} has no label")
    if key == "path":
        table["path"] = [_relative(value, path, row) for row, value in enumerate(table["path"], start=2)]
    else:
        bad = table.index[~table["index"].str.strip().str.fullmatch(r"\d+")]
        if len(bad):
            raise DataError(path, f"row {bad[0] + 2}: index {table['index'][bad[0]]!r} is not a whole number")
        table["index"] = table["index"].str.strip()
    repeated = table.index[table[key].duplicated()]
    if len(repeated):
        raise DataError(path, f"row {repeated[0] + 2} repeats {key} {table[key][repeated[0]]!r}")
    return table


def _relative(value: str, csv_path: Path, row: int) -> str:
    """Normalise one CSV path (relative, ``/`` separators); refuse absolute paths, which do not travel."""
    text = value.strip().replace("\\", "/")
    normal = posixpath.normpath(text) if text else ""
    if not normal or normal == ".":
        raise DataError(csv_path, f"row {row} has no path")
    if normal.startswith("/") or (len(normal) > 1 and normal[1] == ":"):
        raise DataError(csv_path, f"row {row}: path {value!r} is absolute (write it relative to the CSV's folder)")
    return normal


def paths_below(paths, csv_path: Path, root: Path, known: set[str]) -> list[str]:
    """A labels CSV's ``paths`` as paths below the image folder ``root``, as the dataset's ``known`` paths are.

    A path names the file it reaches from the CSV's folder when that is one of ``known``; else it is taken as
    written (relative to ``root``).
    """
    folder, top = os.path.abspath(csv_path.parent), os.path.abspath(root)
    try:
        prefix = Path(os.path.relpath(top, folder)).as_posix() + "/"
    except ValueError:  # another drive (Windows)
        prefix = None
    prefix = "" if prefix == "./" else prefix
    below = []
    for path in paths:
        if prefix is not None and path.startswith(prefix) and path[len(prefix):] in known:
            below.append(path[len(prefix):])  # what the general case below reaches, in a fraction of its time
            continue
        try:
            reached = Path(os.path.relpath(os.path.join(folder, path), top)).as_posix()
        except ValueError:  # another drive (Windows)
            reached = path
        below.append(reached if reached in known else path)
    return below


def relative_paths(root: Path, paths, folder: Path) -> list[str]:
    """The images ``root / paths[i]`` as a labels CSV in ``folder`` names them: relative to it, ``/`` separators."""
    try:
        start = Path(os.path.relpath(os.path.abspath(root), os.path.abspath(folder))).as_posix()
    except ValueError:  # another drive (Windows)
        raise DataError(folder, f"is on another drive than the images ({root}): write the labels beside them") from None
    return [posixpath.normpath(f"{start}/{path}") for path in paths]


def write_labels_table(path: Path, table: pd.DataFrame) -> None:
    """Write ``table`` as a UTF-8 CSV with CRLF line ends (RFC 4180), atomically.

    CRLF makes the csv writer quote any value holding a ``\r`` or ``\n``.
    """
    with atomic_file(path, "w") as handle:
        table.to_csv(handle, index=False, lineterminator="\r\n")
