"""Property-based: whatever a labels table holds, writing and reading it gives it back unchanged."""

import string

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from labelreview.core.data.labels_table import read_labels_table, write_labels_table

SEGMENT = st.text(alphabet=string.ascii_letters + string.digits + " _-.äöü日本,;\"'", min_size=1, max_size=12).filter(
    lambda s: s.strip() == s and s not in (".", ".."))
PATH = st.lists(SEGMENT, min_size=1, max_size=3).map("/".join)
LABEL = st.text(min_size=1, max_size=10).filter(lambda s: s.strip() == s and s != "" and "\x00" not in s)
ANY_TEXT = st.text(max_size=15).filter(lambda s: "\x00" not in s)


@st.composite
def tables(draw):
    paths = draw(st.lists(PATH, min_size=1, max_size=20, unique=True))
    extra = draw(st.lists(st.sampled_from(["note", "source", "score", "status"]), unique=True, max_size=3))
    columns = {"path": paths, "label": [draw(LABEL) for _ in paths]}
    for name in extra:
        columns[name] = [draw(ANY_TEXT) for _ in paths]
    return pd.DataFrame(columns)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(table=tables())
def test_write_then_read_gives_the_table_back(tmp_path, table):
    path = tmp_path / "labels.csv"
    write_labels_table(path, table)
    assert read_labels_table(path).equals(table)

