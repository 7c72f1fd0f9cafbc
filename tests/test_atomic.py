"""Atomic writes keep the permissions a team sharing a folder needs."""

import os
import stat

from labelreview.core.atomic import write_text_atomic


def test_atomic_writes_keep_the_mode_of_the_file_they_replace_and_new_files_follow_the_umask(tmp_path):
    old_umask = os.umask(0o022)
    try:
        write_text_atomic(tmp_path / "new.csv", "path,label\n")
        assert stat.S_IMODE((tmp_path / "new.csv").stat().st_mode) == 0o644
        (tmp_path / "shared.csv").write_text("old")
        os.chmod(tmp_path / "shared.csv", 0o664)
        write_text_atomic(tmp_path / "shared.csv", "new")
        assert stat.S_IMODE((tmp_path / "shared.csv").stat().st_mode) == 0o664
        assert (tmp_path / "shared.csv").read_text() == "new"
        assert not list(tmp_path.glob(".*.tmp"))
    finally:
        os.umask(old_umask)
