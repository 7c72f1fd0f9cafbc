"""A progress bar on stderr for the command line."""

import sys
import time


class TerminalProgress:
    """A ``callback(fraction, message)`` that draws a bar on a terminal, or plain lines in a log."""

    WIDTH = 30

    def __init__(self, stream=None):
        self.stream = stream or sys.stderr
        self.live = self.stream.isatty()
        self.started = time.perf_counter()
        self.last_line = ""

    def __call__(self, fraction: float, message: str) -> None:
        elapsed = time.perf_counter() - self.started
        percent = int(fraction * 100)
        if self.live:
            filled = int(fraction * self.WIDTH)
            bar = "#" * filled + "." * (self.WIDTH - filled)
            self.stream.write(f"\r[{bar}] {percent:3d}% {elapsed:6.1f}s {message[:60]:<60}")
            self.stream.flush()
            return
        line = f"{percent // 10 * 10:3d}% {message.split(':')[0]}"
        if line != self.last_line:
            self.last_line = line
            self.stream.write(f"{percent:3d}% {elapsed:7.1f}s {message}\n")
            self.stream.flush()

    def __enter__(self) -> "TerminalProgress":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        """End the bar's line."""
        if self.live:
            self.stream.write("\n")
            self.stream.flush()
