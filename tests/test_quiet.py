"""Noise is caught: a Qt warning fails a GUI test under the project's options; the CLI's stderr has our lines only."""

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

OPTIONS = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["tool"]["pytest"]["ini_options"]
NOISE = ("tensorflow", "absl", "oneDNN", "WARNING:", "I0000", "DecompressionBombWarning")
OUR_LINE = re.compile(r"^ *\d+% +\d+\.\ds \S|^warning: ")  # progress lines, and what the summary warns about


def test_a_qt_warning_fails_a_gui_test(pytester):
    ignored = "".join(f"\n    {pattern}" for pattern in OPTIONS["qt_log_ignore"])
    pytester.makeini(f"[pytest]\nqt_log_level_fail = {OPTIONS['qt_log_level_fail']}\nqt_log_ignore ={ignored}\n")
    pytester.makepyfile("""
        from PySide6.QtCore import qWarning

        def test_quiet(qtbot):
            pass

        def test_warns(qtbot):
            qWarning("QObject::startTimer: Timers cannot be started from another thread")
    """)
    result = pytester.runpytest_subprocess()
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*Failure: Qt messages with level WARNING or above emitted*",
                                 "*QtWarningMsg: QObject::startTimer: Timers cannot be started*",
                                 "FAILED *::test_warns*"])


@pytest.mark.slow
def test_the_cli_says_only_its_own_lines_on_stderr(digit_folder, tmp_path):
    result = subprocess.run([sys.executable, "-m", "labelreview", "score", str(digit_folder), "--model", "cnn",
                             "--folds", "2", "--epochs", "1", "--out", str(tmp_path / "out")],
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines and not [line for line in lines if any(noise in line for noise in NOISE)]
    assert [line for line in lines if not OUR_LINE.match(line)] == []
