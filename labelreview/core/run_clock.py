"""A run's progress, and the time it has left, from the rates its stages are measured to run at.

A run is a sequence of stages (embedding, folds, analysis, ...) whose lengths differ by orders of magnitude and
from one dataset and model to the next, so fixed shares of the bar say little about time. Each stage is planned
at the rate (seconds per unit of work: an image, an image x fold x epoch) it last ran at on this machine
(``stage_rates.json`` in the cache; a default before), and the stage under way is timed by its own rate once
it has begun to move.
"""

import json
import time
from collections.abc import Callable

from labelreview.core.appdirs import cache_dir
from labelreview.core.atomic import write_text_atomic
from labelreview.core.progress import Callback

DEFAULT_RATES = {  # seconds per unit on 2-core machines (benchmarks/time_left.py): CNNs between AMX and none
    "decode": 4e-4, "embed": 6e-3, "neighbours": 5e-5, "folds": 4e-4, "folds:cnn": 1e-4, "folds:cnn-thorough": 1.5e-4,
    "folds:logreg": 2e-5, "analysis": 5e-5, "findings": 1.5e-4, "findings:measuring": 3e-3,
    "findings:measuring:arrays": 1e-4,
}
MIN_UNITS, MIN_SECONDS = 1000, 1.0  # a stage smaller or shorter is dominated by its start-up: not remembered


def load_rates() -> dict[str, float]:
    """The rates remembered from earlier runs on this machine (none when unreadable)."""
    try:
        rates = json.loads((cache_dir() / "stage_rates.json").read_text(encoding="utf-8"))
        return {str(k): float(v) for k, v in rates.items()}
    except (OSError, ValueError, TypeError, AttributeError):
        return {}


def remember_rates(measured: dict[str, float]) -> None:
    """Keep ``measured`` rates for the next runs, beside those of the stages this run did not time."""
    if measured:
        cache_dir().mkdir(parents=True, exist_ok=True)
        write_text_atomic(cache_dir() / "stage_rates.json", json.dumps({**load_rates(), **measured}, indent=1))


class RunClock:
    """Reports ``callback(fraction, message + ", about m:ss left")``: fraction is elapsed / (elapsed + expected
    time left), never falling (a stage found slower than planned holds the bar until the run catches up).

    Parameters
    ----------
    callback : Callback
    work : dict of str to float
        Stage -> units of work, in the order the stages run; a stage named ``kind:detail:more`` falls back to
        the rate of ``kind:detail``, then of ``kind`` (remembered, then default).
    rates : dict of str to float
        Remembered seconds per unit (:func:`load_rates`).
    clock : callable
        Seconds, monotonic (a fake one in tests).
    """

    def __init__(self, callback: Callback, work: dict[str, float], rates: dict[str, float],
                 clock: Callable[[], float] = time.monotonic):
        self.callback, self.work, self.clock = callback, dict(work), clock
        self.rates = {name: _rate(name, rates) for name in work}
        self.started = clock()
        self.order = list(work)
        self.began: dict[str, float] = {}  # stage -> when it first reported
        self.moving: dict[str, tuple[float, float]] = {}  # stage -> (time, fraction) of its first report past 0
        self.fraction, self.seconds_left = 0.0, float("nan")

    def stage(self, name: str) -> Callback:
        """The callback of stage ``name``: its own 0..1 progress."""

        def report(fraction: float, message: str) -> None:
            now = self.clock()
            self.began.setdefault(name, now)
            if 0 < fraction < 1:
                self.moving.setdefault(name, (now, fraction))
            elapsed = now - self.started
            self.seconds_left = self._left(name, min(max(fraction, 0.0), 1.0), now)
            total = elapsed + self.seconds_left
            self.fraction = max(self.fraction, elapsed / total if total > 0 else 0.0)
            self.callback(self.fraction, f"{message}, about {duration(self.seconds_left)} left")

        return report

    def _left(self, name: str, fraction: float, now: float) -> float:
        """Expected seconds left: the rest of stage ``name``, ``fraction`` done, then the stages after it."""
        later = sum(self.rates[s] * self.work[s] for s in self.order[self.order.index(name) + 1:])
        if name in self.moving and fraction > self.moving[name][1]:
            then, first = self.moving[name]
            return (now - then) / (fraction - first) * (1 - fraction) + later
        return self.rates[name] * self.work[name] * (1 - fraction) + later

    def measured(self) -> dict[str, float]:
        """Seconds per unit of each stage that reported, from its first report to the next stage's (call when the
        run ends): only stages of MIN_UNITS units and MIN_SECONDS or more, which start-up does not dominate."""
        reported = [s for s in self.order if s in self.began]
        ends = [self.began[s] for s in reported[1:]] + [self.clock()]
        return {s: (end - self.began[s]) / self.work[s] for s, end in zip(reported, ends)
                if self.work[s] >= MIN_UNITS and end - self.began[s] >= MIN_SECONDS}


def duration(seconds: float) -> str:
    """"1:05" for 65 seconds; "12:00:00"-style hours past an hour."""
    minutes, seconds = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def split_left(message: str) -> tuple[str, float | None]:
    """A RunClock message as (what it says without the time left, the seconds left; None when it says none)."""
    text, said, left = message.rpartition(", about ")
    minutes = left.removesuffix(" left").split(":")
    if not said or not left.endswith(" left") or not all(part.isdigit() for part in minutes):
        return message, None
    return text, float(sum(int(part) * 60 ** i for i, part in enumerate(reversed(minutes))))


def _rate(name: str, rates: dict[str, float]) -> float:
    """The rate of stage ``name``: remembered, else default, for the name and then its shorter prefixes."""
    parts = name.split(":")
    prefixes = [":".join(parts[:n]) for n in range(len(parts), 0, -1)]
    return next((table[key] for table in (rates, DEFAULT_RATES) for key in prefixes if key in table), 1e-4)
