"""Settings remembered between sessions: each dataset's run options and the recent datasets, as versioned JSON."""

import json
from dataclasses import asdict, dataclass, field

from labelreview.core.appdirs import config_dir
from labelreview.core.atomic import write_text_atomic
from labelreview.core.engine.models import ModelSpec

SETTINGS_VERSION = 2  # 2: run options per dataset (version 1's go to the latest dataset)
MAX_RECENT = 10


@dataclass(frozen=True)
class RunSettings:
    """How one dataset is scored: a dataset never scored starts from these defaults, not from another's."""

    model: str = "auto"
    folds: int = 5
    epochs: int = ModelSpec().epochs
    seed: int = 0


@dataclass
class Settings:
    """What the window remembers; ``version`` allows later migrations."""

    recent: list[str] = field(default_factory=list)
    label_files: dict[str, str] = field(default_factory=dict)  # source -> labels CSV the curator chose
    runs: dict[str, dict] = field(default_factory=dict)  # source -> its RunSettings' fields
    version: int = SETTINGS_VERSION

    def remember(self, source: str) -> None:
        """Put ``source`` first in the recent datasets."""
        self.recent = [source] + [s for s in self.recent if s != source][: MAX_RECENT - 1]

    def run_settings(self, source: str) -> RunSettings:
        """``source``'s own run settings; defaults for any it lacks or that are not of their type."""
        saved = self.runs.get(source) if isinstance(self.runs, dict) else None
        saved = saved if isinstance(saved, dict) else {}
        defaults = asdict(RunSettings())
        return RunSettings(**{name: saved[name] if type(saved.get(name)) is type(value) else value
                              for name, value in defaults.items()})

    def keep_run_settings(self, source: str, run: RunSettings) -> None:
        self.runs[source] = asdict(run)


def load_settings() -> Settings:
    """The saved settings, or defaults when there are none or they are unreadable."""
    try:
        saved = json.loads((config_dir() / "settings.json").read_text(encoding="utf-8"))
        known = {k: v for k, v in saved.items() if k in Settings.__dataclass_fields__ and k != "version"}
        settings = Settings(**known)
    except (OSError, ValueError, TypeError, AttributeError):
        return Settings()
    if saved.get("version", 1) < 2 and settings.recent:  # version 1 kept one set of run options for all
        settings.runs.setdefault(settings.recent[0], {k: saved[k] for k in asdict(RunSettings()) if k in saved})
    return settings


def save_settings(settings: Settings) -> None:
    config_dir().mkdir(parents=True, exist_ok=True)
    write_text_atomic(config_dir() / "settings.json", json.dumps(asdict(settings), indent=2))
