"""Seconds from starting the packaged app to its window being visible on a screen, cold and warm.

    python benchmarks/package_startup.py [APP]   # default dist/labelreview/labelreview; prints one JSON line

The app runs on a virtual X screen (Debian's xvfb; xdotool sees the window); ``make package`` builds it first.
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

APP = Path(__file__).resolve().parents[1] / "dist" / "labelreview" / "labelreview"
TIMEOUT = 60.0


def seconds_to_window(app: Path, display: str) -> float:
    """Start ``app`` on ``display`` and wait until a visible window named labelreview exists; then close it."""
    env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb"}
    started = time.perf_counter()
    process = subprocess.Popen([str(app)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        while time.perf_counter() - started < TIMEOUT:
            found = subprocess.run(["xdotool", "search", "--onlyvisible", "--name", "labelreview"], env=env,
                                   capture_output=True, text=True).stdout.strip()
            if found:
                return time.perf_counter() - started
            time.sleep(0.02)
        raise SystemExit(f"no window within {TIMEOUT:.0f} s")
    finally:
        process.terminate()
        process.wait(10)


def main(app: Path = APP) -> None:
    screen = subprocess.Popen(["Xvfb", "-displayfd", "1", "-screen", "0", "1366x768x24", "-nolisten", "tcp"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    display = f":{screen.stdout.readline().strip()}"  # the server prints its number once it is ready
    try:
        try:
            subprocess.run(["sync"], check=True)
            with open("/proc/sys/vm/drop_caches", "w") as caches:  # cold: the app's files read from disk again
                caches.write("3\n")
            cold = seconds_to_window(app, display)
        except PermissionError:
            cold = None
        warm = [seconds_to_window(app, display) for _ in range(3)]
    finally:
        screen.terminate()
    size = sum(f.stat().st_size for f in app.parent.rglob("*") if f.is_file() and not f.is_symlink())
    print(json.dumps({"app": str(app), "cold_s": cold and round(cold, 2), "warm_s": round(min(warm), 2),
                      "size_mib": round(size / 2**20)}))  # as du -m counts


if __name__ == "__main__":
    main(*map(Path, sys.argv[1:2]))
